"""The shared core's guards that hold whatever model uses it (``seu.core``)."""

from __future__ import annotations

import pytest

from cites.models import Appointment, AppointmentTransition
from registre.models import RegistryCounter
from seu.core.numbering import take_number
from seu.core.sweeps import claim_due
from seu.core.workflow import Workflow


def test_a_workflow_that_reaches_an_undeclared_state_is_refused_at_import_time() -> None:
    with pytest.raises(ValueError, match="never declared"):
        Workflow(
            transitions={"": {"open"}, "open": {"closed"}},
            log_model=AppointmentTransition,
            subject_field="appointment",
            message="%(from)s -> %(to)s",
        )


@pytest.mark.django_db(transaction=True)
def test_a_number_taken_outside_a_transaction_is_refused() -> None:
    with pytest.raises(RuntimeError, match="outside a transaction"):
        take_number(RegistryCounter, direction="in", year=2026)


@pytest.mark.django_db(transaction=True)
def test_claiming_due_rows_outside_a_transaction_is_refused() -> None:
    with pytest.raises(RuntimeError, match="outside a transaction"):
        claim_due(Appointment.objects.all(), order_by=["pk"], limit=1)
