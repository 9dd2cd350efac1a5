"""Filing a procedure is one transaction (art. 33.f): the registry entry, its sealed receipt and
the case file, or nothing, even when it fails after the registry number was taken (an error, or
the database connection killed); the numbers stay gapless. A second confirmation returns the
first case. Forms are versioned: what was filed keeps checking against its own version."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections

from documents.models import Document
from expedients import formdef, services
from expedients.models import Expedient, ExpedientCounter, ProcedureDraft
from registre import services as registry
from registre.models import RegistryCounter, RegistryEntry
from seu import people
from tests.actors import CITIZEN
from tests.support.expedients import ANSWERS, FORM, file_case, make_procedure
from tests.support.notifications import consent_of

pytestmark = pytest.mark.django_db

MADRID = ZoneInfo("Europe/Madrid")
FILED = dt.datetime(2026, 11, 23, 10, tzinfo=MADRID)  # a Monday


@pytest.fixture
def identification(town_hall: Any, organ: Any) -> Any:
    return consent_of(CITIZEN, now=FILED - dt.timedelta(hours=1))


def draft_for(identification: Any, procedure: Any) -> ProcedureDraft:
    """A complete draft, saved (in its own transaction) as the form page saves it."""
    result = services.save_procedure_draft(
        identification=identification,
        procedure=procedure,
        draft=None,
        data={**{k: v for k, v in ANSWERS.items() if isinstance(v, str)}, **DECLARED},
        files={},
        contact=people.ContactDetails(email="maria@exemple.cat"),
        language="ca",
        now=FILED,
    )
    assert result.is_valid, result.form.errors
    return result.draft


DECLARED = {"pressupost_doc__declared": "on", "compliment": "on"}


def confirm(identification: Any, draft: ProcedureDraft) -> Expedient:
    return services.file_procedure(
        identification=identification,
        public_id=draft.public_id,
        presented_at=FILED,
        language="ca",
        now=FILED,
    )


def assert_nothing_filed() -> None:
    assert not RegistryEntry.objects.exists()
    assert not Expedient.objects.exists()
    assert not Document.objects.filter(kind=Document.Kind.RECEIPT).exists()
    assert not RegistryCounter.objects.filter(last_number__gt=0).exists()
    assert not ExpedientCounter.objects.filter(last_number__gt=0).exists()
    assert not ProcedureDraft.objects.filter(entry__isnull=False).exists()


def assert_first_numbers(case: Expedient) -> None:
    assert case.number == "OBRA/2026/1"
    assert case.opening_entry.number == "E/2026/000001"
    assert case.opening_entry.receipt is not None
    assert RegistryEntry.objects.count() == 1 and Expedient.objects.count() == 1


def test_a_filing_that_fails_after_the_number_was_taken_leaves_nothing_and_no_gap(
    identification: Any, organ: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    procedure = make_procedure(organ)
    draft = draft_for(identification, procedure)
    taken: list[str] = []
    assign = registry._assign_number

    def assign_and_note(entry: RegistryEntry, **kwargs: Any) -> None:
        assign(entry, **kwargs)
        taken.append(entry.number or "")

    def broken_open(**kwargs: Any) -> Expedient:
        raise RuntimeError("the case file could not be written")

    monkeypatch.setattr(registry, "_assign_number", assign_and_note)
    monkeypatch.setattr(services, "_open", broken_open)
    with pytest.raises(RuntimeError):
        confirm(identification, draft)
    assert taken == ["E/2026/000001"]  # it failed after the number and the sealed receipt
    assert_nothing_filed()
    monkeypatch.undo()
    case = confirm(identification, draft)
    assert_first_numbers(case)


def test_a_second_confirmation_of_the_same_draft_returns_the_same_case(
    identification: Any, organ: Any
) -> None:
    procedure = make_procedure(organ)
    draft = draft_for(identification, procedure)
    first = confirm(identification, draft)
    second = confirm(identification, draft)
    assert second.pk == first.pk
    assert_first_numbers(second)
    assert Document.objects.filter(kind=Document.Kind.RECEIPT).count() == 1
    assert ExpedientCounter.objects.get().last_number == 1


# --- Versions (art. 24.1) -------------------------------------------------------------------------


def test_a_case_keeps_validating_against_its_own_version_after_the_form_changes(
    identification: Any, organ: Any
) -> None:
    procedure = make_procedure(organ)
    case = file_case(identification, procedure, presented_at=FILED, now=FILED)
    old_version = case.version
    new_form = {
        "fields": [
            *[f for f in FORM["fields"] if f["key"] != "tipus"],
            {
                "key": "tipus",
                "type": "choice",
                "label": {"ca": "Tipus d'obra"},
                "required": True,
                "choices": [{"value": "coberta", "label": {"ca": "Coberta"}}],
            },
            {
                "key": "superficie",
                "type": "number",
                "label": {"ca": "Superfície (m²)"},
                "required": True,
            },
        ]
    }
    new_version = services.publish_version(
        procedure=procedure, form=new_form, acting_user=None, now=FILED + dt.timedelta(days=1)
    )
    assert new_version.number == old_version.number + 1
    case = Expedient.objects.get(pk=case.pk)
    assert case.version_id == old_version.pk
    assert case.version.form == FORM
    assert formdef.check_answers(case.version.form, case.answers) == {}
    assert set(formdef.check_answers(new_version.form, case.answers)) == {"tipus", "superficie"}
    shown = {
        item["label"]: item["value"]
        for item in formdef.display_answers(case.version.form, case.answers, language="ca")
    }
    assert shown["Tipus d'obra"] == "Reforma interior"
    # New drafts are made on the new version.
    result = services.save_procedure_draft(
        identification=identification,
        procedure=procedure,
        draft=None,
        data={"tipus": "coberta"},
        files={},
        language="ca",
        now=FILED + dt.timedelta(days=2),
    )
    assert result.draft.version_id == new_version.pk
    assert not result.is_valid and "superficie" in result.form.errors


# --- A connection killed in the middle of the filing (PostgreSQL) ---------------------------------


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: it terminates a backend in the middle of its transaction",
)
def test_a_filing_whose_connection_is_killed_after_the_number_leaves_nothing(
    identification: Any, organ: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    procedure = make_procedure(organ)
    draft = draft_for(identification, procedure)
    reached, terminated = threading.Event(), threading.Event()
    backend: dict[str, Any] = {}
    open_case = services._open

    def open_then_pause(**kwargs: Any) -> Expedient:
        # The entry has its number and its sealed receipt; the case is about to be written.
        backend["number"] = kwargs["entry"].number
        backend["pid"] = connection.connection.info.backend_pid
        reached.set()
        assert terminated.wait(timeout=30), "the backend was never terminated"
        return open_case(**kwargs)

    monkeypatch.setattr(services, "_open", open_then_pause)
    outcome: dict[str, Any] = {}

    def filing() -> None:
        try:
            outcome["result"] = confirm(identification, draft)
        except BaseException as error:
            outcome["result"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=filing)
    thread.start()
    assert reached.wait(timeout=60), "the filing never reached the case file"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [backend["pid"]])
        assert cursor.fetchone() == (True,)
    terminated.set()
    thread.join(timeout=60)
    assert backend["number"] == "E/2026/000001"
    assert isinstance(outcome["result"], Exception), outcome["result"]
    assert_nothing_filed()
    monkeypatch.undo()
    case = confirm(identification, draft)  # the same draft, filed again: the same numbers
    assert_first_numbers(case)
