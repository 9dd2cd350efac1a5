"""Remedy requests (art. 24.3; Law 39/2015 art. 68, 22.1.a, 73.3), with time as an input: ten
working days from the day after the request was practised or deemed rejected, five more once,
the case withdrawn exactly once when they pass unanswered (two beats, two sweepers, the real
worker), the resolution deadline suspended meanwhile and moved by the days it was suspended."""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.db import connection

from expedients import services
from expedients.models import Expedient, RemedyRequest, Resolution, State
from notificacions import access, clock
from notificacions.models import Notification
from seu.errors import InvalidInput
from seu.models import Organ
from tests.actors import CITIZEN
from tests.conftest import wait_for
from tests.factories import OrganFactory, UserFactory
from tests.support.expedients import file_case, make_procedure
from tests.support.notifications import consent_of

pytestmark = pytest.mark.django_db

MADRID = ZoneInfo("Europe/Madrid")


def staff_user(**fields: Any) -> User:
    return cast(User, UserFactory.create(**fields))


def madrid(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=MADRID)


FILED = madrid(2026, 3, 3, 10)  # a Tuesday; three months: due Wednesday 3 June 2026
REQUESTED = madrid(2026, 4, 1, 10)  # Wednesday before the Balearic Easter
ACCESSED = madrid(2026, 4, 2, 10)  # Maundy Thursday (2, 3 and 6 April are holidays)
# The tenth working day after 2 April: 7-10, 13-17 and Monday 20; the period ends at 24:00.
REMEDY_END = madrid(2026, 4, 21, 0, 0)
REMEDY_TEXT = "Aportau el pressupost detallat de l'obra, signat pel contractista."


@dataclass
class World:
    identification: Any
    clerk: Any
    procedure: Any
    case: Expedient


def make_world(organ: Any, **procedure_fields: Any) -> World:
    identification = consent_of(CITIZEN, now=FILED - dt.timedelta(hours=1))
    clerk = staff_user(username="tramitadora", staff=True, clerk_of=organ)
    procedure = make_procedure(organ, **procedure_fields)
    case = file_case(identification, procedure, presented_at=FILED, now=FILED)
    return World(identification, clerk, procedure, case)


@pytest.fixture
def world(town_hall: Any, organ: Any) -> World:
    return make_world(organ)


def request(world: World, now: dt.datetime = REQUESTED) -> RemedyRequest:
    return services.request_remedy(
        case=world.case, text=REMEDY_TEXT, acting_user=world.clerk, now=now
    )


def notification_of(remedy: RemedyRequest) -> Notification:
    return Notification.objects.get(pk=remedy.notification_id)


def accessed(world: World, remedy: RemedyRequest, now: dt.datetime = ACCESSED) -> None:
    access.accept(
        identification=world.identification, public_id=notification_of(remedy).public_id, now=now
    )


def reload(case: Expedient) -> Expedient:
    return Expedient.objects.get(pk=case.pk)


def withdrawals(case: Expedient) -> tuple[int, int]:
    """How many moves to "withdrawn" the case's log has, and how many withdrawal resolutions."""
    moves = case.transitions.filter(to_state=State.WITHDRAWN).exclude(from_state=State.WITHDRAWN)
    resolutions = Resolution.objects.filter(expedient=case, kind=Resolution.Kind.WITHDRAWAL)
    return moves.count(), resolutions.count()


def answer(world: World, now: dt.datetime) -> Any:
    return services.answer_remedy(
        case=world.case,
        identification=world.identification,
        text="Adjunt el pressupost que em demanau.",
        attached=[],
        presented_at=now,
        language="ca",
        now=now,
    )


# --- The period -----------------------------------------------------------------------------------


def test_the_period_starts_when_the_request_is_accessed_and_the_deadline_is_suspended(
    world: World,
) -> None:
    remedy = request(world)
    assert remedy.state == RemedyRequest.State.NOTIFYING and remedy.due_at is None
    case = reload(world.case)
    assert case.state == State.REMEDY_REQUESTED
    assert case.suspended_since is None  # not before it is notified
    accessed(world, remedy)
    remedy.refresh_from_db()
    assert remedy.state == RemedyRequest.State.RUNNING
    assert remedy.notified_at == ACCESSED
    assert remedy.due_at == REMEDY_END
    case = reload(world.case)
    assert case.suspended_since == dt.date(2026, 4, 2)
    assert case.deadline == case.base_deadline == dt.date(2026, 6, 3)
    label, due = services.next_deadline(case)  # type: ignore[misc]
    assert (str(label), due) == ("Termini per esmenar", REMEDY_END)


def test_the_beat_withdraws_the_case_at_the_end_of_the_tenth_working_day_and_only_once(
    world: World,
) -> None:
    remedy = request(world)
    accessed(world, remedy)
    assert services.lapse_remedies(now=madrid(2026, 4, 20, 23, 59)) == 0
    assert services.lapse_remedies(now=REMEDY_END - dt.timedelta(microseconds=1)) == 0
    assert reload(world.case).state == State.REMEDY_REQUESTED
    assert services.lapse_remedies(now=REMEDY_END) == 1
    assert services.lapse_remedies(now=REMEDY_END) == 0
    assert services.lapse_remedies(now=REMEDY_END + dt.timedelta(days=3)) == 0
    case = reload(world.case)
    assert case.state == State.WITHDRAWN
    assert withdrawals(case) == (1, 1)
    draft = Resolution.objects.get(expedient=case)
    assert draft.state == Resolution.State.DRAFT and not draft.automated
    assert case.number in draft.text and "desistida" in draft.text
    remedy.refresh_from_db()
    assert remedy.state == RemedyRequest.State.LAPSED


def test_a_request_deemed_rejected_starts_the_period_from_the_day_after(world: World) -> None:
    remedy = request(world)
    notification = notification_of(remedy)
    # Available Wednesday 1 April: the ten natural days end at the end of Saturday 11 April.
    assert notification.expires_at is not None
    assert clock.expire_due(now=notification.expires_at) == 0
    assert clock.expire_due(now=notification.expires_at + dt.timedelta(microseconds=1)) == 1
    remedy.refresh_from_db()
    assert remedy.state == RemedyRequest.State.RUNNING
    # From Monday 13 April: 13-17, 20-24; the period ends at 24:00 of Friday 24 April.
    assert remedy.due_at == madrid(2026, 4, 25, 0, 0)
    assert reload(world.case).is_suspended


def test_the_person_may_extend_the_period_once_by_five_working_days(world: World) -> None:
    remedy = request(world)
    accessed(world, remedy)
    extended = services.extend_remedy(
        case=world.case, identification=world.identification, now=madrid(2026, 4, 15, 9)
    )
    # Five more working days after Monday 20 April: 21-24 and Monday 27.
    assert extended.due_at == madrid(2026, 4, 28, 0, 0)
    assert extended.period_days == 15
    with pytest.raises(InvalidInput):
        services.extend_remedy(
            case=world.case, identification=world.identification, now=madrid(2026, 4, 16, 9)
        )
    assert RemedyRequest.objects.get(pk=remedy.pk).due_at == madrid(2026, 4, 28, 0, 0)
    assert services.lapse_remedies(now=REMEDY_END) == 0
    assert services.lapse_remedies(now=madrid(2026, 4, 28, 0, 0)) == 1


def test_an_extension_asked_after_the_period_ended_is_refused(world: World) -> None:
    remedy = request(world)
    accessed(world, remedy)
    with pytest.raises(InvalidInput):
        services.extend_remedy(case=world.case, identification=world.identification, now=REMEDY_END)
    remedy.refresh_from_db()
    assert remedy.extended_at is None and remedy.due_at == REMEDY_END


# --- The resolution deadline ----------------------------------------------------------------------


def test_the_deadline_stays_put_while_suspended_and_moves_by_the_days_suspended(
    world: World,
) -> None:
    remedy = request(world)
    accessed(world, remedy)
    # Suspended: no silence even long after the original deadline (3 June).
    assert services.record_silences(now=madrid(2026, 6, 20, 9)) == 0
    assert reload(world.case).deadline == dt.date(2026, 6, 3)
    answer(world, madrid(2026, 4, 10, 11))  # a Friday: suspended from 2 to 10 April, 8 days
    case = reload(world.case)
    assert case.state == State.REMEDIED
    assert case.suspended_since is None and case.suspended_days == 8
    assert case.base_deadline == dt.date(2026, 6, 3)
    assert case.deadline == dt.date(2026, 6, 11)
    remedy.refresh_from_db()
    assert remedy.state == RemedyRequest.State.ANSWERED and remedy.answer_entry is not None
    assert case.entries.filter(entry=remedy.answer_entry, role="remedy").exists()
    assert services.lapse_remedies(now=REMEDY_END) == 0  # answered: nothing to lapse


def test_an_answer_after_the_period_but_before_the_withdrawal_is_notified_is_admitted(
    world: World,
) -> None:
    remedy = request(world)
    accessed(world, remedy)
    assert services.lapse_remedies(now=REMEDY_END) == 1
    assert services.answerable_remedy(reload(world.case)) is not None
    answer(world, madrid(2026, 4, 22, 9))  # Law 39/2015 art. 73.3
    case = reload(world.case)
    assert case.state == State.REMEDIED
    assert not Resolution.objects.filter(expedient=case).exists()  # the draft withdrawal is gone
    remedy.refresh_from_db()
    assert remedy.state == RemedyRequest.State.ANSWERED
    # Suspended from 2 to 22 April: 20 days after 3 June, Tuesday 23 June.
    assert (case.suspended_days, case.deadline) == (20, dt.date(2026, 6, 23))


def test_an_answer_without_a_pending_request_is_refused(world: World) -> None:
    with pytest.raises(InvalidInput):
        answer(world, madrid(2026, 4, 10, 11))
    remedy = request(world)  # notifying: its period has not started yet
    with pytest.raises(InvalidInput):
        answer(world, madrid(2026, 4, 1, 12))
    remedy.refresh_from_db()
    assert remedy.state == RemedyRequest.State.NOTIFYING


# --- Automated withdrawal (art. 23) ---------------------------------------------------------------


def test_an_automated_withdrawal_is_issued_and_notified_at_once_naming_its_organ(
    town_hall: Any, organ: Any, tmp_path: Path
) -> None:
    automated_organ = cast(
        Organ, OrganFactory.create(code="alcaldia", name="Alcaldia (actuacions automatitzades)")
    )
    world = make_world(organ, automated_withdrawal=True, automated_organ=automated_organ)
    remedy = request(world)
    accessed(world, remedy)
    assert services.lapse_remedies(now=REMEDY_END) == 1
    assert services.lapse_remedies(now=REMEDY_END) == 0
    case = reload(world.case)
    (resolution,) = Resolution.objects.filter(expedient=case)
    assert resolution.state == Resolution.State.ISSUED and resolution.automated
    assert resolution.resolver_name == automated_organ.name
    assert resolution.resolved_at == REMEDY_END and resolution.resolved_by is None
    assert resolution.notification_id is not None
    notification = Notification.objects.get(pk=resolution.notification_id)
    assert notification.case_reference == case.number
    assert notification.state == Notification.State.AVAILABLE
    assert resolution.document is not None
    path = tmp_path / "resolucio.pdf"
    path.write_bytes(resolution.document.current_version().blob.read())
    text = " ".join(
        subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert "Actuació administrativa automatitzada" in text
    assert automated_organ.name in text
    assert (case.state, withdrawals(case)) == (State.WITHDRAWN, (1, 1))


def _automated_world(organ: Any) -> tuple[World, RemedyRequest, Resolution, Notification]:
    automated_organ = cast(Organ, OrganFactory.create(code="alcaldia", name="Alcaldia"))
    world = make_world(organ, automated_withdrawal=True, automated_organ=automated_organ)
    remedy = request(world)
    accessed(world, remedy)
    assert services.lapse_remedies(now=REMEDY_END) == 1
    (withdrawal,) = Resolution.objects.filter(expedient=world.case)
    assert withdrawal.notification_id is not None
    notification = Notification.objects.get(pk=withdrawal.notification_id)
    assert notification.state == Notification.State.AVAILABLE
    return world, remedy, withdrawal, notification


def test_an_answer_before_an_automated_withdrawal_is_notified_leaves_it_without_effect(
    town_hall: Any, organ: Any
) -> None:
    """Law 39/2015 art. 73.3: the answer counts until the withdrawal is notified. The automated
    withdrawal was issued and sent at once; answered before it is opened, its notification is
    annulled, the withdrawal left without effect and the case remedied, all logged."""
    world, remedy, withdrawal, notification = _automated_world(organ)
    assert services.answerable_remedy(reload(world.case)) == remedy

    answer(world, madrid(2026, 4, 22, 9))

    case = reload(world.case)
    assert case.state == State.REMEDIED and case.resolved_at is None
    withdrawal.refresh_from_db()
    notification.refresh_from_db()
    assert withdrawal.state == Resolution.State.ANNULLED
    assert notification.state == Notification.State.ANNULLED
    remedy.refresh_from_db()
    assert remedy.state == RemedyRequest.State.ANSWERED
    steps = list(case.transitions.values_list("step", flat=True))
    assert steps[-2:] == [services.STEP_WITHDRAWAL_ANNULLED, services.STEP_REMEDY_ANSWERED]
    # The person cannot open the annulled withdrawal any more.
    with pytest.raises(InvalidInput):
        access.accept(identification=world.identification, public_id=notification.public_id)


def test_once_the_automated_withdrawal_is_opened_an_answer_is_refused(
    town_hall: Any, organ: Any
) -> None:
    world, _remedy, withdrawal, notification = _automated_world(organ)
    access.accept(
        identification=world.identification,
        public_id=notification.public_id,
        now=madrid(2026, 4, 21, 10),
    )
    assert services.answerable_remedy(reload(world.case)) is None
    with pytest.raises(InvalidInput):
        answer(world, madrid(2026, 4, 22, 9))
    withdrawal.refresh_from_db()
    assert withdrawal.state == Resolution.State.ISSUED
    assert reload(world.case).state in (State.WITHDRAWN, State.CLOSED)


# --- Two sweepers, and the real worker (PostgreSQL) -----------------------------------------------

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite has no row locks nor concurrent writers",
)


@on_postgresql
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_sweepers_at_once_withdraw_the_case_once(town_hall: Any, organ: Any) -> None:
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    worlds = [make_world(organ)]
    remedy = request(worlds[0])
    accessed(worlds[0], remedy)
    barrier = threading.Barrier(3)

    def sweep() -> Any:
        try:
            barrier.wait()
            return services.lapse_remedies(now=REMEDY_END)
        except Exception as error:
            return error
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda _: sweep(), range(3)))
    assert sorted(results) == [0, 0, 1], results
    assert services.lapse_remedies(now=REMEDY_END) == 0
    case = reload(worlds[0].case)
    assert case.state == State.WITHDRAWN
    assert withdrawals(case) == (1, 1)


@on_postgresql
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_worker_task_run_twice_withdraws_the_case_once(
    town_hall: Any, organ: Any, celery_worker_process: Any
) -> None:
    from expedients import tasks

    world = make_world(organ)
    case = world.case
    # The answers sealed by the worker first: once that is done the worker is idle.
    tasks.issue_answers_document.delay(case.pk)
    assert wait_for(lambda: reload(case).answers_document_id is not None, timeout=60)
    remedy = request(world)
    accessed(world, remedy)
    # The worker reads the real clock, long past April 2026.
    tasks.lapse_remedies.delay()
    tasks.lapse_remedies.delay()
    # A third task after them, whose effect shows that the worker (one process, in order) has
    # run both: the answers sealed again once their document is detached.
    Expedient.objects.filter(pk=case.pk).update(answers_document=None)
    tasks.issue_answers_document.delay(case.pk)
    assert wait_for(lambda: reload(case).answers_document_id is not None, timeout=60)
    case = reload(case)
    assert case.state == State.WITHDRAWN
    assert withdrawals(case) == (1, 1)
    assert RemedyRequest.objects.get(pk=remedy.pk).state == RemedyRequest.State.LAPSED


def test_a_late_sweep_does_not_delay_the_period_of_a_request_deemed_rejected(
    world: World,
) -> None:
    """The notification is deemed rejected at the end of its tenth day (art. 32.6), whenever
    the beat notices: a sweep two days late still starts the ten working days on Monday 13."""
    remedy = request(world)
    notification = notification_of(remedy)
    assert clock.expire_due(now=madrid(2026, 4, 14, 10, 0)) == 1
    remedy.refresh_from_db()
    assert remedy.notified_at == notification.expires_at
    assert remedy.due_at == madrid(2026, 4, 25, 0, 0)
    assert reload(world.case).suspended_since == dt.date(2026, 4, 11)
