"""Reliability of the ten-day clock and of the notices (issue 14, "Reliability"), on PostgreSQL
with real connections and a real Celery worker: two sweepers at once, the sweep run twice and a
worker killed in the middle of a sweep expire each due notification exactly once; an access and
the sweep racing at the cutoff end it once, on the right side of the instant; with the mail server
down the notice waits with a growing back-off and its error, the legal clock runs on, and after
the last attempt the notice is failed, as its evidence shows.

SQLite has no row locks nor concurrent writers: these tests are skipped there.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import pytest
from django.db import connection, connections
from django.db.models import Count
from django.utils import timezone

from notificacions import access, clock, tasks
from notificacions.models import Notification, NotificationEvent
from registre.models import RegistryEntry
from seu import calendar
from seu.core import outbox
from seu.models import OutgoingEmail
from tests.actors import CITIZEN
from tests.conftest import wait_for
from tests.support.notifications import consent_of, send
from tests.support.smtp import free_port, smtp_server

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite has no row locks nor concurrent writers",
    ),
]

FRIDAY = dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC)
MICRO = dt.timedelta(microseconds=1)
# Where the worker (and these tests) send e-mail: a port nothing listens on, until a test starts
# an SMTP server there. Chosen before the module's worker starts, which reads it from the
# environment.
SMTP_PORT = free_port()


@pytest.fixture(scope="module")
def mail_server_env() -> Iterator[None]:
    """The worker's e-mail settings (read from the environment when it starts)."""
    saved = {name: os.environ.get(name) for name in ("EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT")}
    os.environ.update(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(SMTP_PORT),
    )
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture
def worker(mail_server_env: None, celery_worker_process: Any, settings: Any) -> Any:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", SMTP_PORT
    return celery_worker_process


def copies(notification: Notification, count: int, **fields: Any) -> list[int]:
    """``count`` copies of ``notification``, each with an exit entry of its own (unnumbered: only
    the clock is under test), with ``fields`` changed; their ids."""
    entry = notification.exit_entry
    skip = {"id", "number", "year", "sequence", "receipt_id"}
    entry_values = {
        field.attname: getattr(entry, field.attname)
        for field in entry._meta.concrete_fields
        if field.attname not in skip
    }
    entries = RegistryEntry.objects.bulk_create(
        [RegistryEntry(**entry_values) for _ in range(count)], batch_size=1000
    )
    values = {
        field.attname: getattr(notification, field.attname)
        for field in notification._meta.concrete_fields
        if field.attname not in {"id", "public_id", "exit_entry_id"}
    }
    values.update(fields)
    made = Notification.objects.bulk_create(
        [Notification(**values, public_id=uuid.uuid4(), exit_entry_id=item.pk) for item in entries],
        batch_size=1000,
    )
    return [item.pk for item in made]


def expired_events(ids: list[int]) -> dict[int, int]:
    """How many ``expired`` facts each notification has (only those with any)."""
    rows = (
        NotificationEvent.objects.filter(notification_id__in=ids, event="expired")
        .values("notification_id")
        .annotate(n=Count("pk"))
    )
    return {row["notification_id"]: row["n"] for row in rows}


def in_threads(*calls: Callable[[], Any], head_start: float = 0.0) -> list[Any]:
    """Run ``calls`` at the same instant (the first one ``head_start`` seconds ahead of the
    others, to vary which reaches the row first), each in a thread with its own connection;
    their results (or the exceptions they raised)."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Any]) -> Any:
        try:
            barrier.wait()
            if call is not calls[0] and head_start:
                time.sleep(head_start)  # an interleaving, not a deadline
            return call()
        except Exception as error:
            return error
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


@pytest.fixture
def sent(town_hall: Any, organ: Any) -> tuple[Notification, Any]:
    identification = consent_of(CITIZEN, now=FRIDAY - dt.timedelta(hours=1))
    return send(organ, CITIZEN, now=FRIDAY), identification


# --- The sweep ------------------------------------------------------------------------------------


def test_two_sweepers_at_once_and_the_sweep_run_again_expire_each_row_once(sent) -> None:
    template, _identification = sent
    ids = [template.pk, *copies(template, 599)]
    now = template.expires_at + dt.timedelta(hours=1)
    counts = in_threads(
        lambda: clock.expire_due(now=now, limit=50),
        lambda: clock.expire_due(now=now, limit=50),
        lambda: clock.expire_due(now=now, limit=70),
    )
    assert all(isinstance(count, int) for count in counts), counts
    assert sum(counts) == 600
    assert clock.expire_due(now=now) == 0  # run again: nothing left
    assert clock.expire_due(now=now + dt.timedelta(days=1)) == 0
    assert expired_events(ids) == dict.fromkeys(ids, 1)
    assert set(Notification.objects.filter(pk__in=ids).values_list("state", flat=True)) == {
        "expired"
    }


# --- Access and expiry racing at the cutoff -------------------------------------------------------


@pytest.mark.parametrize("after_cutoff", [False, True], ids=["at_the_cutoff", "just_after"])
def test_an_access_and_the_sweep_racing_at_the_cutoff_end_it_once_on_the_right_side(
    sent, after_cutoff: bool
) -> None:
    template, identification = sent
    ids = [template.pk, *copies(template, 7)]
    # One cutoff an hour apart each, so that each sweep has one row to race for.
    for index, pk in enumerate(ids):
        Notification.objects.filter(pk=pk).update(
            expires_at=template.expires_at + dt.timedelta(hours=index)
        )
    public_ids = dict(Notification.objects.filter(pk__in=ids).values_list("pk", "public_id"))
    # The access starts first by 0 to 0.35 s: the sweep comes before, during or after its lock.
    for index, pk in enumerate(ids):
        cutoff = template.expires_at + dt.timedelta(hours=index)
        instant = cutoff + (MICRO if after_cutoff else dt.timedelta(0))
        results = in_threads(
            partial(
                access.accept,
                identification=identification,
                public_id=public_ids[pk],
                now=instant,
            ),
            partial(clock.expire_due, now=instant),
            head_start=index * 0.05,
        )
        facts = list(
            NotificationEvent.objects.filter(
                notification_id=pk, event__in=["accessed", "expired"]
            ).values_list("event", flat=True)
        )
        state = Notification.objects.get(pk=pk).state
        if after_cutoff:
            # Past the cutoff: the period wins, whoever got there first.
            assert isinstance(results[0], access.NotificationExpired), results
            assert (state, facts) == ("expired", ["expired"])
        else:
            # At the cutoff itself the person is in time; the sweep finds nothing due.
            assert isinstance(results[0], Notification), results
            assert results[1] == 0
            assert (state, facts) == ("accessed", ["accessed"])


# --- The mail server down -------------------------------------------------------------------------


def test_with_the_mail_server_down_the_notice_waits_the_clock_runs_and_it_fails_at_last(
    sent, worker
) -> None:
    notification, _identification = sent
    reference = outbox.reference(notification)
    # The worker took the notice queued at the commit and found no server.
    assert wait_for(lambda: OutgoingEmail.objects.about([reference]).get().attempts == 1)
    notice = OutgoingEmail.objects.about([reference]).get()
    assert notice.state == OutgoingEmail.State.PENDING
    assert "Connection refused" in notice.last_error or "ConnectionRefused" in notice.last_error
    assert notice.retry_at is not None and notice.sent_at is None
    # The notice never conditions the notification: its ten days run from availability.
    notification.refresh_from_db()
    assert notification.state == Notification.State.AVAILABLE
    assert notification.expires_at == calendar.notification_expiry(FRIDAY)
    # The beat's sweep tries again as each wait ends (time is an input here), 4 times more.
    now = notice.retry_at
    for attempt in range(2, outbox.MAX_EMAIL_ATTEMPTS + 1):
        outbox.deliver_pending_emails(now=now - dt.timedelta(seconds=1))
        notice.refresh_from_db()
        assert notice.attempts == attempt - 1  # not before its time
        assert outbox.deliver_pending_emails(now=now) == 0
        notice.refresh_from_db()
        assert notice.attempts == attempt
        now = notice.retry_at or now
    assert notice.state == OutgoingEmail.State.FAILED
    assert notice.attempts == outbox.MAX_EMAIL_ATTEMPTS and notice.last_error
    # The notification's notice fact points at the failed e-mail: that is its evidence.
    fact = notification.events.get(event="notice")
    assert fact.details["outgoing_email"] == notice.pk
    assert OutgoingEmail.objects.get(pk=fact.details["outgoing_email"]).state == "failed"
    notification.refresh_from_db()
    assert notification.state == Notification.State.AVAILABLE
    assert notification.expires_at == calendar.notification_expiry(FRIDAY)
    assert clock.expire_due(now=notification.expires_at + MICRO) == 1


def test_a_notice_waiting_for_the_server_leaves_when_it_is_back(sent, worker) -> None:
    notification, _identification = sent
    reference = outbox.reference(notification)
    assert wait_for(lambda: OutgoingEmail.objects.about([reference]).get().attempts == 1)
    notice = OutgoingEmail.objects.about([reference]).get()
    with smtp_server(port=SMTP_PORT) as (catcher, _port):
        assert outbox.deliver_pending_emails(now=notice.retry_at) == 1
    notice.refresh_from_db()
    assert (notice.state, notice.attempts, notice.last_error) == ("sent", 2, "")
    (message,) = catcher.messages
    assert message["To"] == "avisos@exemple.cat"
    assert notification.subject not in message.as_string()


# --- A worker killed in the middle of a sweep (last: the module's worker does not survive it) ---


def test_a_worker_killed_in_the_middle_of_a_sweep_leaves_no_row_expired_twice(sent, worker) -> None:
    template, _identification = sent
    # Due at the worker's real clock; three batches of the sweep.
    past = timezone.now() - dt.timedelta(days=1)
    ids = copies(template, 3 * clock.EXPIRY_BATCH, expires_at=past)
    log_table = NotificationEvent._meta.db_table
    with connection.cursor() as cursor:
        # Each batch's statement lasts a second: time to kill the worker in the middle of one.
        cursor.execute(
            "CREATE FUNCTION clock_test_slow() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN PERFORM pg_sleep(1); RETURN NULL; END $$"
        )
        cursor.execute(
            f"CREATE TRIGGER clock_test_slow AFTER INSERT ON {log_table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION clock_test_slow()"
        )
    try:
        tasks.expire_due.delay()
        assert wait_for(lambda: len(expired_events(ids)) >= clock.EXPIRY_BATCH, timeout=30)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER clock_test_slow ON {log_table}")
            cursor.execute("DROP FUNCTION clock_test_slow()")
    # Each batch is one transaction: the one the kill interrupted left nothing behind.
    done_before = len(expired_events(ids))
    assert done_before in {clock.EXPIRY_BATCH, 2 * clock.EXPIRY_BATCH}
    assert Notification.objects.filter(pk__in=ids, state="expired").count() == done_before
    # The next beat (here, in this process) takes what is left once the dead worker's
    # transaction is rolled back and its locks released.
    assert wait_for(
        lambda: clock.expire_due() >= 0 and len(expired_events(ids)) == len(ids), timeout=30
    )
    assert expired_events(ids) == dict.fromkeys(ids, 1)
    assert not Notification.objects.filter(pk__in=ids, state="available").exists()
