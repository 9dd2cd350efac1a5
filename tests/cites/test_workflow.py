"""The appointment's lifecycle on the shared workflow (``seu.core.workflow``): the allowed moves in
one place, the log written in the same transaction, and a state changed behind a process's back
never overwritten."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from cites import services
from cites.models import Appointment, AppointmentTransition, Service
from seu.core.workflow import InvalidTransition, StaleState
from tests.cites.conftest import book, local

pytestmark = pytest.mark.django_db

NOW = local(2026, 12, 3, 10, 0)
MONDAY = local(2026, 12, 7, 9, 0)


def test_every_move_is_logged_with_its_actor_and_reason(fnmt: Service, office_clerk) -> None:
    appointment = book(fnmt, MONDAY, now=NOW)
    services.cancel_appointment(
        appointment=appointment, acting_user=office_clerk, reason="la persona ho ha demanat"
    )
    log = list(AppointmentTransition.objects.filter(appointment=appointment))
    assert [(row.from_state, row.to_state) for row in log] == [
        ("", Appointment.State.PENDING),
        (Appointment.State.PENDING, Appointment.State.CANCELLED),
    ]
    assert log[1].actor == office_clerk
    assert log[1].reason == "la persona ho ha demanat"


def test_a_move_the_workflow_does_not_allow_is_refused_and_nothing_is_logged(
    fnmt: Service, office_clerk
) -> None:
    appointment = book(fnmt, MONDAY, now=NOW)
    services.cancel_appointment(appointment=appointment, acting_user=office_clerk)
    with pytest.raises(InvalidTransition) as refused:
        services.WORKFLOW.move(
            Appointment.objects.get(pk=appointment.pk), Appointment.State.CONFIRMED, at=NOW
        )
    assert "no pot passar" in str(refused.value.message)
    assert AppointmentTransition.objects.filter(appointment=appointment).count() == 2


def test_a_state_changed_by_another_process_is_not_overwritten(fnmt: Service) -> None:
    appointment = book(fnmt, MONDAY, now=NOW)
    read_earlier = Appointment.objects.get(pk=appointment.pk)
    # Another process confirms it meanwhile.
    services.confirm_appointment(appointment=appointment, now=NOW)
    with pytest.raises(StaleState):
        services.WORKFLOW.move(read_earlier, Appointment.State.EXPIRED, at=NOW)
    assert Appointment.objects.get(pk=appointment.pk).state == Appointment.State.CONFIRMED
    assert not AppointmentTransition.objects.filter(
        appointment=appointment, to_state=Appointment.State.EXPIRED
    ).exists()


def test_the_log_row_and_the_change_commit_or_roll_back_together(fnmt: Service) -> None:
    appointment = book(fnmt, MONDAY, now=NOW)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.WORKFLOW.move(appointment, Appointment.State.CONFIRMED, at=NOW)
        raise RuntimeError("the caller fails after the move")
    assert Appointment.objects.get(pk=appointment.pk).state == Appointment.State.PENDING
    assert AppointmentTransition.objects.filter(appointment=appointment).count() == 1


def test_the_release_sweep_run_twice_expires_each_appointment_once(fnmt: Service) -> None:
    appointment = book(fnmt, MONDAY, now=NOW)
    later = NOW + dt.timedelta(days=1)
    assert services.release_unconfirmed(now=later) == 1
    assert services.release_unconfirmed(now=later) == 0
    assert (
        AppointmentTransition.objects.filter(
            appointment=appointment, to_state=Appointment.State.EXPIRED
        ).count()
        == 1
    )
