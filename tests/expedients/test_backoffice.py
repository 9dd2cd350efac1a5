"""The staff back-office of case files (issue 15 items 4-8): the organ's queue in processing order
with its filters, a case's page and its actions, each calling one service, and "Obrir expedient"
on a registry entry. A clerk of another organ gets a 404 on every case URL."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import zoneinfo
from pathlib import Path
from typing import Any, cast

import pytest
import time_machine
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from expedients import services
from expedients.models import Expedient, ExpedientTransition, Procedure, Resolution, State
from notificacions.models import Notification
from seu.calendar import PeriodUnit
from seu.models import Organ, StaffMembership
from tests import actors
from tests.conftest import log_in_to_back_office
from tests.factories import RegistryEntryFactory, UserFactory
from tests.support.expedients import file_case, make_procedure
from tests.support.notifications import consent_of

another_organ = actors.another_organ
clerk = actors.clerk
clerk_of_another_organ = actors.clerk_of_another_organ

MADRID = zoneinfo.ZoneInfo("Europe/Madrid")


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=MADRID)


def filed(procedure: Procedure, at: dt.datetime, nif: str = "12345678Z") -> Expedient:
    """A case of ``procedure`` filed at ``at`` by the person of ``nif``."""
    from seu import identity

    with time_machine.travel(at, tick=False):
        identification = consent_of(identity.PersonData(nif=nif, given_name="Maria"))
        return file_case(identification, procedure)


def case_url(case: Expedient, action: str = "change") -> str:
    return reverse(f"admin:expedients_expedient_{action}", args=[case.pk])


def queue(client: Client, **params: Any) -> str:
    response = client.get(reverse("admin:expedients_expedient_changelist"), params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def procedure(organ: Organ) -> Procedure:
    return make_procedure(organ)


# --- The queue (art. 27.1) ------------------------------------------------------------------------


def test_the_queue_shows_only_the_organs_cases_in_the_order_they_came_in(
    procedure: Procedure, another_organ: Organ, clerk: actors.Actor
) -> None:
    later = filed(procedure, local(2026, 11, 10, 10, 0), nif="X1234567L")
    earlier = filed(procedure, local(2026, 11, 3, 10, 0))
    elsewhere = filed(make_procedure(another_organ, code="LLIC"), local(2026, 11, 2, 9, 0))

    page = queue(clerk.client)

    assert earlier.number in page and later.number in page
    assert page.index(earlier.number) < page.index(later.number)
    assert elsewhere.number not in page


def test_the_queue_reads_its_rows_in_a_constant_number_of_queries(
    procedure: Procedure, organ: Organ, clerk: actors.Actor
) -> None:
    filed(procedure, local(2026, 11, 3, 10, 0))
    # The session, the caches and the admin's sidebar settle before counting.
    clerk.client.get(reverse("admin:expedients_expedient_changelist"))
    queue(clerk.client, dies="365")
    with CaptureQueriesContext(connection) as one:
        queue(clerk.client, dies="365")
    filed(make_procedure(organ, code="QUEIXES"), local(2026, 11, 4, 10, 0), nif="X1234567L")
    filed(procedure, local(2026, 11, 5, 10, 0), nif="11111111H")
    with CaptureQueriesContext(connection) as three:
        page = queue(clerk.client, dies="365")

    assert page.count('<tr id="case-') == 3
    assert len(three) == len(one), (
        [q["sql"][:90] for q in one.captured_queries],
        [q["sql"][:90] for q in three.captured_queries],
    )
    assert not any("COUNT(" in query["sql"] for query in three.captured_queries)


def test_the_queue_filters_cases_due_within_some_days_and_overdue_ones(
    organ: Organ, clerk: actors.Actor
) -> None:
    ten_days = make_procedure(organ, period=10, unit=PeriodUnit.CALENDAR_DAYS)
    thirty_days = make_procedure(organ, code="QUEIXES", period=30, unit=PeriodUnit.CALENDAR_DAYS)
    overdue = filed(ten_days, local(2026, 11, 2, 10, 0))  # due about 12 November
    due_soon = filed(ten_days, local(2026, 11, 18, 10, 0), nif="X1234567L")  # about 28 Nov.
    not_yet = filed(thirty_days, local(2026, 11, 19, 10, 0), nif="11111111H")  # about 19 Dec.

    with time_machine.travel(local(2026, 11, 23, 10, 0), tick=False):
        within_ten = queue(clerk.client, dies="10")
        late = queue(clerk.client, vencuts="1")
        everything = queue(clerk.client)

    assert overdue.number in within_ten and due_soon.number in within_ten
    assert not_yet.number not in within_ten
    assert overdue.number in late
    assert due_soon.number not in late and not_yet.number not in late
    assert "vençut" in late
    assert all(case.number in everything for case in (overdue, due_soon, not_yet))


def test_a_wrong_number_of_days_is_refused_with_a_message_and_the_queue_still_shows(
    procedure: Procedure, clerk: actors.Actor
) -> None:
    case = filed(procedure, local(2026, 11, 3, 10, 0))

    page = queue(clerk.client, dies="molts")

    assert 'id="error-summary"' in page
    assert re.search(
        r'<input [^>]*aria-describedby="[^"]*id_dies_error[^"]*"[^>]*id="id_dies"', page
    )
    assert 'id="id_dies_error"' in page
    assert 'value="molts"' in page
    assert case.number in page


def test_closed_cases_are_reached_with_the_state_filter(
    procedure: Procedure, clerk: actors.Actor
) -> None:
    case = filed(procedure, local(2026, 11, 3, 10, 0))
    # How it got there is the services' tests' business: here, only what the queue lists.
    Expedient.objects.filter(pk=case.pk).update(state=State.CLOSED)

    assert case.number not in queue(clerk.client)
    assert case.number in queue(clerk.client, estat=State.CLOSED)
    assert case.number in queue(clerk.client, estat="tots")


def test_the_queue_finds_a_case_by_its_number_or_the_persons_nif(
    procedure: Procedure, clerk: actors.Actor
) -> None:
    maria = filed(procedure, local(2026, 11, 3, 10, 0))
    joan = filed(procedure, local(2026, 11, 4, 10, 0), nif="X1234567L")

    by_nif = queue(clerk.client, q="x-1234567-l")
    by_number = queue(clerk.client, q=maria.number)

    assert joan.number in by_nif and maria.number not in by_nif
    assert maria.number in by_number and joan.number not in by_number


# --- Another organ's case: a 404 everywhere ------------------------------------------------------


def test_a_clerk_of_another_organ_gets_a_404_on_the_case_its_actions_and_documents(
    procedure: Procedure, clerk_of_another_organ: actors.Actor
) -> None:
    case = filed(procedure, local(2026, 11, 3, 10, 0))
    services.issue_answers_document(case_id=case.pk)
    client = clerk_of_another_organ.client

    assert client.get(case_url(case)).status_code == 404
    assert client.post(case_url(case, "start"), {}).status_code == 404
    assert client.post(case_url(case, "remedy"), {"remedy-text": "Falta el pla"}).status_code == 404
    document = reverse("admin:expedients_expedient_document", args=[case.pk, 1])
    assert client.get(document).status_code == 404
    case.refresh_from_db()
    assert case.state == State.OPENED
    assert case.number not in queue(client)


# --- Actions --------------------------------------------------------------------------------------


def test_taking_a_case_out_of_order_asks_for_the_reason_and_logs_it(
    procedure: Procedure, clerk: actors.Actor
) -> None:
    filed(procedure, local(2026, 11, 3, 10, 0))
    later = filed(procedure, local(2026, 11, 4, 10, 0), nif="X1234567L")

    refused = clerk.client.post(case_url(later, "start"), {})
    page = refused.content.decode()
    done = clerk.client.post(
        case_url(later, "start"), {"start-reason": "Urgència sanitària acreditada"}
    )

    assert refused.status_code == 200
    assert "varen entrar abans i esperen" in page
    assert re.search(r'<textarea name="start-reason"[^>]* required', page)
    assert done.status_code == 302
    later.refresh_from_db()
    assert later.state == State.IN_PROCESS
    logged = ExpedientTransition.objects.get(expedient=later, step=services.STEP_OUT_OF_ORDER)
    assert logged.reason == "Urgència sanitària acreditada"
    assert logged.actor_id == cast(User, clerk.user).pk and not logged.public


def test_a_remedy_request_from_the_case_page_notifies_the_person(
    procedure: Procedure, clerk: actors.Actor
) -> None:
    case = filed(procedure, local(2026, 11, 3, 10, 0))

    response = clerk.client.post(
        case_url(case, "remedy"), {"remedy-text": "Aportau el pressupost detallat."}
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == State.REMEDY_REQUESTED
    notification = Notification.objects.get(case_reference=case.number)
    assert notification.holder.nif == "12345678Z"
    page = clerk.client.get(case_url(case)).content.decode()
    assert "Aportau el pressupost detallat." in page


def test_an_empty_remedy_request_is_refused_on_its_field(
    procedure: Procedure, clerk: actors.Actor
) -> None:
    case = filed(procedure, local(2026, 11, 3, 10, 0))

    response = clerk.client.post(case_url(case, "remedy"), {"remedy-text": "   "})

    assert response.status_code == 200
    assert 'id="id_remedy-text_error"' in response.content.decode()
    assert not Notification.objects.filter(case_reference=case.number).exists()


def pdftotext(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "resolucio.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    )
    return " ".join(result.stdout.split())


def head_of(organ: Organ) -> actors.Actor:
    """The head of ``organ``, with a post to sign with and the permissions of case files."""
    user = cast(
        User,
        UserFactory.create(
            username="cap", first_name="Joana", last_name="Mir Cladera", staff=True, head_of=organ
        ),
    )
    StaffMembership.objects.filter(user=user, organ=organ).update(post="Secretària municipal")
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label__in=("registre", "expedients"))
    )
    user = User.objects.get(pk=user.pk)
    client = Client()
    log_in_to_back_office(client, user)
    return actors.Actor(name="head", client=client, user=user, organ=organ)


def test_a_clerk_cannot_resolve_but_the_head_of_the_organ_can(
    procedure: Procedure, clerk: actors.Actor, organ: Organ, tmp_path: Path
) -> None:
    case = filed(procedure, local(2026, 11, 3, 10, 0))
    head = head_of(organ)
    drafted = clerk.client.post(
        case_url(case, "draft"),
        {"draft-kind": Resolution.Kind.GRANTED, "draft-text": "RESOLC estimar la sol·licitud."},
    )
    clerk_page = clerk.client.get(case_url(case)).content.decode()

    refused = clerk.client.post(case_url(case, "resolve"), {})
    head_page = head.client.get(case_url(case)).content.decode()
    resolved = head.client.post(case_url(case, "resolve"), {})

    assert drafted.status_code == 302
    assert 'id="action-resolve"' not in clerk_page
    assert refused.status_code == 404
    assert 'id="action-resolve"' in head_page
    assert resolved.status_code == 302
    resolution = Resolution.objects.get(expedient=case, state=Resolution.State.ISSUED)
    assert resolution.resolved_by_id == cast(User, head.user).pk
    case.refresh_from_db()
    assert case.state == State.RESOLVED
    position = case.documents.get(document=resolution.document).position
    download = head.client.get(
        reverse("admin:expedients_expedient_document", args=[case.pk, position])
    )
    text = pdftotext(download.content, tmp_path)
    assert "Joana Mir Cladera" in text and "Secretària municipal" in text
    assert "RESOLC estimar la sol·licitud." in text


def test_the_draft_starts_from_the_model_text_of_the_sense_chosen(
    procedure: Procedure, clerk: actors.Actor
) -> None:
    case = filed(procedure, local(2026, 11, 3, 10, 0))

    page = clerk.client.get(case_url(case, "draft"), {"sentit": Resolution.Kind.DENIED})

    text = page.content.decode()
    assert "RESOLC desestimar-la" in text
    assert case.number in text and str(case.opening_entry.number) in text


# --- Opening a case file from a registry entry (art. 22.1) ----------------------------------------


def test_a_clerk_opens_a_case_from_an_entry_and_the_entry_then_leads_to_it(
    procedure: Procedure, organ: Organ, clerk: actors.Actor
) -> None:
    entry = RegistryEntryFactory.create(organ=organ, subject="Sol·licitud en paper")
    entry_page = reverse("admin:registre_registryentry_change", args=[entry.pk])
    open_url = f"{reverse('admin:expedients_expedient_open')}?entry={entry.pk}"

    offered = clerk.client.get(entry_page).content.decode()
    response = clerk.client.post(open_url, {"procedure": procedure.pk})

    assert "Obrir expedient" in offered
    assert response.status_code == 302
    case = Expedient.objects.get(opening_entry=entry)
    assert response["Location"] == case_url(case)
    assert case.procedure == procedure and case.state == State.OPENED
    # The entry now records its procedure and case file (what a power for them reaches).
    entry.refresh_from_db()
    assert (entry.procedure_code, entry.case_reference) == (procedure.code, case.number)
    after = clerk.client.get(entry_page).content.decode()
    assert "Veure l&#x27;expedient" in after and case_url(case) in after
    assert "Obrir expedient" not in after


def test_a_clerk_of_another_organ_cannot_open_a_case_from_the_entry(
    procedure: Procedure, organ: Organ, clerk_of_another_organ: actors.Actor
) -> None:
    entry = RegistryEntryFactory.create(organ=organ)
    open_url = f"{reverse('admin:expedients_expedient_open')}?entry={entry.pk}"

    response = clerk_of_another_organ.client.post(open_url, {"procedure": procedure.pk})

    assert response.status_code == 404
    assert not Expedient.objects.filter(opening_entry=entry).exists()


def test_a_file_the_person_brought_is_served_to_staff_only_while_its_bytes_are_unchanged(
    organ: Organ, clerk: actors.Actor
) -> None:
    """The same check as La meva carpeta and the API (``services.document_bytes``): staff never
    get bytes that are not the ones the receipt's SHA-256 names."""
    from seu import identity
    from tests.support.files import make_pdf

    procedure = make_procedure(organ)
    identification = consent_of(identity.PersonData(nif="12345678Z", given_name="Maria"))
    answers = {"pressupost": "10", "tipus": "interior", "compliment": True}
    answers.update(titular_nif="12345678Z", adreca_obra="Carrer Major, 1")
    case = file_case(
        identification,
        procedure,
        answers=answers,
        files={"pressupost_doc": ("pressupost.pdf", make_pdf("Pressupost"))},
    )
    item = case.documents.get(blob__isnull=False)
    address = reverse("admin:expedients_expedient_document", args=[case.pk, item.position])

    served = clerk.client.get(address)
    assert served.status_code == 200 and served.content == item.blob.read()  # type: ignore[union-attr]
    assert served["Content-Disposition"].startswith("attachment")

    Path(item.blob.file.path).write_bytes(b"%PDF-1.7 altered")  # type: ignore[union-attr]
    tampered = clerk.client.get(address)
    assert tampered.status_code == 409 and b"altered" not in tampered.content
