"""The outbox when the mail server fails (``seu.core.outbox``): a transient failure is recorded and
tried again by the sweep after a growing wait (1, 2, 4, 8 minutes), never earlier; after the last
attempt, or at once for a permanent refusal, the e-mail is failed; a server back up gets it."""

from __future__ import annotations

import datetime as dt

import pytest

from seu.core import outbox
from seu.models import OutgoingEmail
from tests.support.smtp import free_port, smtp_server

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def smtp(settings) -> object:
    """E-mail through SMTP to 127.0.0.1 at a port where, for now, nothing listens."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.EMAIL_TIMEOUT = 5
    return settings


def queue(to: str = "persona@example.org", **fields: object) -> OutgoingEmail:
    email = outbox.queue_email(
        kind="test.notice", to=to, subject="Avís", text_body="Text de l'avís", now=NOW
    )
    if fields:
        OutgoingEmail.objects.filter(pk=email.pk).update(**fields)
        email.refresh_from_db()
    return email


def retry_at(email: OutgoingEmail) -> dt.datetime:
    assert email.retry_at is not None
    return email.retry_at


def state(email: OutgoingEmail) -> OutgoingEmail:
    email.refresh_from_db()
    return email


def test_a_server_that_is_down_is_tried_after_1_2_4_8_minutes_then_the_email_fails(smtp) -> None:
    email = queue()
    now = NOW
    waits = []
    for attempt in range(1, outbox.MAX_EMAIL_ATTEMPTS):
        assert outbox.deliver_pending_emails(now=now) == 0
        email = state(email)
        assert email.attempts == attempt and email.state == OutgoingEmail.State.PENDING
        assert "ConnectionRefusedError" in email.last_error
        assert email.sent_at is None
        waits.append(retry_at(email) - now)
        # Not a second earlier: the sweep leaves it alone.
        assert outbox.deliver_pending_emails(now=retry_at(email) - dt.timedelta(seconds=1)) == 0
        assert state(email).attempts == attempt
        now = retry_at(email)
    assert waits == [MINUTE, 2 * MINUTE, 4 * MINUTE, 8 * MINUTE]
    assert outbox.deliver_pending_emails(now=now) == 0
    email = state(email)
    assert email.state == OutgoingEmail.State.FAILED
    assert email.attempts == outbox.MAX_EMAIL_ATTEMPTS == 5
    assert email.retry_at is None and email.last_error
    assert outbox.deliver_pending_emails(now=now + dt.timedelta(days=1)) == 0
    assert state(email).attempts == 5


def test_the_wait_doubles_up_to_an_hour() -> None:
    assert [outbox.retry_delay(n) for n in (1, 2, 3, 4, 7, 8, 20)] == [
        MINUTE,
        2 * MINUTE,
        4 * MINUTE,
        8 * MINUTE,
        60 * MINUTE,
        60 * MINUTE,
        60 * MINUTE,
    ]


def test_a_server_back_up_gets_the_waiting_email_and_the_error_is_cleared(smtp) -> None:
    email = queue()
    assert outbox.deliver_pending_emails(now=NOW) == 0
    again = retry_at(state(email))
    with smtp_server(port=smtp.EMAIL_PORT) as (catcher, _port):
        assert outbox.deliver_pending_emails(now=again) == 1
    email = state(email)
    assert email.state == OutgoingEmail.State.SENT
    assert (email.attempts, email.last_error, email.retry_at) == (2, "", None)
    assert email.sent_at == again
    (message,) = catcher.messages
    assert message["To"] == "persona@example.org"


def test_a_refused_address_or_a_5xx_answer_fails_at_once_and_a_4xx_is_tried_again(smtp) -> None:
    with smtp_server(port=smtp.EMAIL_PORT) as (catcher, _port):
        catcher.refused.add("ningu@example.org")
        refused = queue(to="ningu@example.org")
        assert outbox.deliver_email(email_id=refused.pk, now=NOW) == "failed"
        assert "550" in state(refused).last_error

        catcher.data_reply = "554 5.7.1 Message rejected"
        rejected = queue()
        assert outbox.deliver_email(email_id=rejected.pk, now=NOW) == "failed"
        assert state(rejected).retry_at is None

        catcher.data_reply = "451 4.3.0 Try again later"
        deferred = queue()
        assert outbox.deliver_email(email_id=deferred.pk, now=NOW) == "pending"
        assert state(deferred).retry_at == NOW + MINUTE
        assert "451" in deferred.last_error

        catcher.data_reply = ""
        assert outbox.deliver_pending_emails(now=NOW + MINUTE) == 1
    assert state(deferred).state == OutgoingEmail.State.SENT


def test_the_sweep_takes_new_emails_and_those_whose_time_came_oldest_first(mailoutbox) -> None:
    waiting = queue(attempts=1, retry_at=NOW + 3 * MINUTE)
    due = queue(attempts=2, retry_at=NOW + MINUTE)
    new = queue()
    assert outbox.deliver_pending_emails(now=NOW + MINUTE) == 2
    assert state(due).state == state(new).state == OutgoingEmail.State.SENT
    assert state(waiting).state == OutgoingEmail.State.PENDING
    assert outbox.deliver_pending_emails(now=NOW + 3 * MINUTE) == 1
    assert state(waiting).state == OutgoingEmail.State.SENT
    assert len(mailoutbox) == 3


def test_an_email_that_cannot_be_built_is_recorded_and_does_not_stop_the_others(
    mailoutbox,
) -> None:
    broken = queue(attachments=[{"filename": "x.txt"}])  # no content: a bug, not the server
    fine = queue()
    assert outbox.deliver_pending_emails(now=NOW) == 1
    assert state(fine).state == OutgoingEmail.State.SENT
    broken = state(broken)
    assert broken.state == OutgoingEmail.State.PENDING and "KeyError" in broken.last_error
    assert broken.retry_at == NOW + MINUTE
