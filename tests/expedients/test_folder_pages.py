"""La meva carpeta > Expedients (art. 27.3-4): the person's case files, one case's page, its
documents, answering a remedy request (art. 24.3), the extension (Law 39/2015 art. 68.2) and
the certificate of silence (Law 39/2015 art. 24.4), through the pages a citizen uses."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature

from expedients import services
from expedients.models import Expedient, ExpedientEntry, Procedure, RemedyRequest, State
from notificacions import access
from notificacions.models import Notification
from seu import calendar
from seu.models import LoA
from tests import actors
from tests.actors import CITIZEN, identify
from tests.factories import UserFactory
from tests.support.expedients import FORM, file_case, make_procedure
from tests.support.files import make_pdf
from tests.support.filing import page_text
from tests.support.notifications import consent_of, sealed_document
from tests.support.pki import independent_context

pytestmark = pytest.mark.django_db

citizen = actors.citizen
another_citizen = actors.another_citizen
anonymous = actors.anonymous
clerk = actors.clerk


@pytest.fixture(autouse=True)
def working_day(db: None) -> Iterator[dt.datetime]:
    """10:00 of the next working day, frozen: exit entries register at once, and the seal's
    development certificate (made when the test run began) is already valid."""
    day = calendar.WorkingCalendar().next_working_day(calendar.to_local(calendar.now()).date())
    at = dt.datetime.combine(day, dt.time(10), calendar.SEU_TZ)
    with time_machine.travel(at, tick=False):
        yield at


@pytest.fixture
def procedure(organ) -> Procedure:
    return make_procedure(organ)


@pytest.fixture
def case(citizen: actors.Actor, procedure: Procedure) -> Expedient:
    assert citizen.identification is not None
    return file_case(citizen.identification, procedure)


def _url(name: str, case: Expedient, **kwargs: object) -> str:
    return reverse(f"expedients:{name}", kwargs={"pk": case.pk, **kwargs})


def _remedy(
    case: Expedient, clerk: actors.Actor, text: str = "Aportau el pressupost."
) -> Notification:
    """A remedy request sent to Maria, who consents to electronic notification."""
    consent_of(CITIZEN)
    assert clerk.user is not None
    remedy = services.request_remedy(case=case, text=text, acting_user=clerk.user)
    return Notification.objects.get(pk=remedy.notification_id)


def _running_remedy(case: Expedient, clerk: actors.Actor) -> RemedyRequest:
    """A remedy request Maria opened in her inbox: its ten working days run."""
    notification = _remedy(case, clerk)
    access.accept(identification=consent_of(CITIZEN), public_id=notification.public_id)
    remedy = RemedyRequest.objects.get(notification_id=notification.pk)
    assert remedy.state == RemedyRequest.State.RUNNING
    return remedy


def _silence(case: Expedient) -> time_machine.travel:
    """The resolution deadline passes unresolved; the beat records the silence. Returns the
    time travel to an hour after it, for what the person does then."""
    after = calendar.end_of_day(case.deadline) + dt.timedelta(hours=10)
    assert services.record_silences(now=after) == 1
    case.refresh_from_db()
    return time_machine.travel(after, tick=False)


def _tamper(document) -> None:
    """Replace the stored bytes of ``document`` by another sealed document's."""
    stored = Path(document.current_version().blob.file.path)
    stored.write_bytes(sealed_document(title="Un altre document").current_version().blob.read())


# --- The list -------------------------------------------------------------------------------------


def test_the_list_shows_the_persons_own_cases_with_their_next_deadline_and_not_others(
    citizen: actors.Actor, another_citizen: actors.Actor, case: Expedient, procedure: Procedure
) -> None:
    assert another_citizen.identification is not None
    others = file_case(another_citizen.identification, procedure)
    text = page_text(citizen.client.get(reverse("expedients:cases")))
    assert case.number in text and procedure.name in text
    assert "Termini màxim de resolució" in text and calendar.format_date(case.deadline) in text
    assert others.number not in text
    assert others.number in page_text(another_citizen.client.get(reverse("expedients:cases")))


def test_the_list_reads_the_remedies_of_a_page_at_once_and_shows_each_ones_deadline(
    citizen: actors.Actor, clerk: actors.Actor, case: Expedient, procedure: Procedure
) -> None:
    """One query for the running remedies of the whole page, not one a row: the page asks the
    database as many times for four case files as for two, and each row keeps its own deadline."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert citizen.identification is not None
    second = file_case(citizen.identification, procedure)
    remedy = _running_remedy(second, clerk)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert citizen.client.get(reverse("expedients:cases")).status_code == 200
        return len(captured)

    queries()  # the session's and the caches' first reads
    two = queries()
    for _ in range(2):
        file_case(citizen.identification, procedure)
    assert queries() == two
    text = page_text(citizen.client.get(reverse("expedients:cases")))
    assert "Termini per esmenar" in text and "Termini màxim de resolució" in text
    assert remedy.due_at is not None


def test_the_carpeta_of_the_registry_links_to_the_cases(citizen: actors.Actor) -> None:
    text = page_text(citizen.client.get(reverse("registre:folder")))
    assert f'href="{reverse("expedients:cases")}"' in text


def test_below_the_personal_data_level_a_case_of_another_session_is_not_shown(
    case: Expedient,
) -> None:
    client = Client()
    identify(client, CITIZEN, loa=LoA.LOW)
    listing = page_text(client.get(reverse("expedients:cases")))
    assert case.number not in listing and "Identificar-me de nou" in listing
    assert client.get(_url("case", case)).status_code == 403


ROUTES = [
    ("get", "cases", {}),
    ("get", "case", {}),
    ("get", "case_document", {"position": 1}),
    ("get", "answer_remedy", {}),
    ("get", "extend_remedy", {}),
    ("post", "extend_remedy", {}),
    ("post", "answer_remedy", {}),
    ("post", "silence", {}),
]


@pytest.mark.parametrize(("method", "name", "kwargs"), ROUTES)
def test_another_citizen_gets_a_404_and_an_anonymous_visitor_the_login_on_every_route(
    another_citizen: actors.Actor,
    anonymous: actors.Actor,
    case: Expedient,
    method: str,
    name: str,
    kwargs: dict[str, object],
) -> None:
    url = reverse("expedients:cases") if name == "cases" else _url(name, case, **kwargs)
    response = getattr(anonymous.client, method)(url)
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("identity:login")
    )
    if name == "cases":
        assert case.number not in page_text(another_citizen.client.get(url))
    else:
        assert getattr(another_citizen.client, method)(url).status_code == 404


# --- One case -------------------------------------------------------------------------------------


def test_the_case_shows_its_answers_with_the_labels_of_the_version_it_was_filed_with(
    citizen: actors.Actor, case: Expedient, procedure: Procedure
) -> None:
    changed = copy.deepcopy(FORM)
    changed["fields"][0]["label"]["ca"] = "NIF de la persona que fa l'obra"
    services.publish_version(procedure=procedure, form=changed, acting_user=None)
    text = page_text(citizen.client.get(_url("case", case)))
    assert "NIF del titular" in text and "12345678Z" in text
    assert "NIF de la persona que fa l'obra" not in text
    assert "Reforma interior" in text and "Iniciat" in text
    assert "Sol·licitud presentada i expedient iniciat" in text


def test_right_after_filing_it_gives_the_receipt_and_the_information_of_article_21_4(
    citizen: actors.Actor, case: Expedient
) -> None:
    text = page_text(citizen.client.get(_url("case", case) + "?presentat=1"))
    entry = case.opening_entry
    assert "Sol·licitud presentada" in text and str(entry.number) in text
    assert reverse("registre:receipt", args=[entry.pk]) in text
    assert "Termini màxim per resoldre i notificar" in text
    assert calendar.format_date(case.deadline) in text
    assert "Efecte del silenci administratiu" in text and "estimatori" in text


def test_a_remedy_being_notified_points_to_the_inbox_and_shows_nothing_of_it(
    citizen: actors.Actor, case: Expedient, clerk: actors.Actor
) -> None:
    notification = _remedy(case, clerk, text="Aportau el pressupost signat.")
    remedy_document = case.documents.get(document_id=RemedyRequest.objects.get().document_id)
    text = page_text(citizen.client.get(_url("case", case)))
    assert "Requeriment d'esmena" in text
    assert reverse("notificacions:detail", args=[notification.public_id]) in text
    assert "Aportau el pressupost signat." not in text
    assert _url("answer_remedy", case) not in text
    assert _url("case_document", case, position=remedy_document.position) not in text
    download = citizen.client.get(_url("case_document", case, position=remedy_document.position))
    assert download.status_code == 404


def test_answering_a_running_remedy_registers_an_entry_of_the_case_and_remedies_it(
    citizen: actors.Actor, case: Expedient, clerk: actors.Actor
) -> None:
    _running_remedy(case, clerk)
    page = page_text(citizen.client.get(_url("case", case)))
    assert "Aportau el pressupost." in page and _url("answer_remedy", case) in page
    assert _url("extend_remedy", case) in page
    assert citizen.client.get(_url("answer_remedy", case)).status_code == 200

    pdf = make_pdf("Pressupost detallat")
    response = citizen.client.post(
        _url("answer_remedy", case),
        {
            "text": "Adjunt el pressupost.",
            "attachments": SimpleUploadedFile("pressupost.pdf", pdf, "application/pdf"),
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == State.REMEDIED and not case.is_suspended
    link = ExpedientEntry.objects.get(expedient=case, role=ExpedientEntry.Role.REMEDY)
    assert link.entry.exposition == "Adjunt el pressupost."
    assert response["Location"] == f"{_url('case', case)}?esmena={link.entry.pk}"

    text = page_text(citizen.client.get(response["Location"]))
    assert "Resposta presentada" in text and str(link.entry.number) in text
    assert reverse("registre:receipt", args=[link.entry.pk]) in text
    attachment = case.documents.get(entry=link.entry)
    download = citizen.client.get(_url("case_document", case, position=attachment.position))
    assert download.status_code == 200 and download.content == pdf
    assert "pressupost.pdf" in download["Content-Disposition"]

    Path(attachment.blob.file.path).write_bytes(b"%PDF-1.7 altered")  # type: ignore[union-attr]
    tampered = citizen.client.get(_url("case_document", case, position=attachment.position))
    assert tampered.status_code == 409 and b"%PDF" not in tampered.content


def test_an_empty_answer_registers_nothing_and_a_long_one_is_kept_with_its_message(
    citizen: actors.Actor, case: Expedient, clerk: actors.Actor
) -> None:
    _running_remedy(case, clerk)
    empty = citizen.client.post(_url("answer_remedy", case), {"text": "  "})
    assert empty.status_code == 400
    assert "Escriviu la resposta o adjuntau-hi almenys un document." in page_text(empty)
    long_text = "Resposta " * 1200
    too_long = citizen.client.post(_url("answer_remedy", case), {"text": long_text})
    assert too_long.status_code == 400
    text = page_text(too_long)
    assert "La resposta pot tenir com a màxim 10000 caràcters." in text
    assert long_text.strip() in text and 'aria-describedby="text-hint text-error-1"' in text
    assert not ExpedientEntry.objects.filter(role=ExpedientEntry.Role.REMEDY).exists()
    case.refresh_from_db()
    assert case.state == State.REMEDY_REQUESTED


def test_the_extension_is_granted_once_and_refused_the_second_time(
    citizen: actors.Actor, case: Expedient, clerk: actors.Actor
) -> None:
    remedy = _running_remedy(case, clerk)
    first_due = remedy.due_at
    confirmation = page_text(citizen.client.get(_url("extend_remedy", case)))
    assert "Sí, ampliar el termini" in confirmation
    granted = citizen.client.post(_url("extend_remedy", case), follow=True)
    assert "S'ha ampliat el termini per esmenar." in page_text(granted)
    remedy.refresh_from_db()
    assert remedy.extended_at is not None and first_due is not None
    assert remedy.due_at is not None and remedy.due_at > first_due

    refused = citizen.client.post(_url("extend_remedy", case))
    assert refused.status_code == 400
    assert "El termini d'esmena ja s'ha ampliat una vegada." in page_text(refused)
    assert remedy.due_at == RemedyRequest.objects.get(pk=remedy.pk).due_at
    assert _url("extend_remedy", case) not in page_text(citizen.client.get(_url("case", case)))


def test_the_resolution_shows_once_its_notification_is_opened_with_the_outcome(
    citizen: actors.Actor, case: Expedient, organ
) -> None:
    consent_of(CITIZEN)
    head = UserFactory.create(username="batle", head_of=organ)
    resolution = services.resolve(
        case=case, acting_user=head, kind="granted", text="Es concedeix la llicència."
    )
    assert resolution.notification_id is not None and resolution.document is not None
    notification = Notification.objects.get(pk=resolution.notification_id)
    item = case.documents.get(document=resolution.document)
    waiting = page_text(citizen.client.get(_url("case", case)))
    assert reverse("notificacions:detail", args=[notification.public_id]) in waiting
    assert _url("case_document", case, position=item.position) not in waiting
    assert (
        citizen.client.get(_url("case_document", case, position=item.position)).status_code == 404
    )

    access.accept(identification=consent_of(CITIZEN), public_id=notification.public_id)
    text = page_text(citizen.client.get(_url("case", case)))
    assert _url("case_document", case, position=item.position) in text
    assert "oberta (practicada)" in text and "Tancat" in text
    download = citizen.client.get(_url("case_document", case, position=item.position))
    assert download.status_code == 200
    assert download.content == resolution.document.current_version().blob.read()


# --- Silence and documents ------------------------------------------------------------------------


def test_the_silence_certificate_downloads_a_pdf_whose_seal_is_valid(
    case: Expedient, dev_pki
) -> None:
    with _silence(case):
        client = Client()  # months later: a new session
        identify(client, CITIZEN)
        page = page_text(client.get(_url("case", case)))
        assert "Obtenir certificat de silenci" in page and "estimatori (positiu)" in page
        response = client.post(_url("silence", case))
        again = client.post(_url("silence", case))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    case.refresh_from_db()
    assert case.silence_certificate is not None
    assert response.content == case.silence_certificate.current_version().blob.read()
    assert again.content == response.content
    seal = PdfFileReader(BytesIO(response.content)).embedded_signatures[0]
    status = validate_pdf_signature(seal, signer_validation_context=independent_context(dev_pki))
    assert status.intact and status.valid and status.trusted


def test_the_silence_certificate_is_refused_where_no_silence_happened(
    citizen: actors.Actor, case: Expedient
) -> None:
    assert "Obtenir certificat de silenci" not in page_text(citizen.client.get(_url("case", case)))
    response = citizen.client.post(_url("silence", case), follow=True)
    assert "En aquest expedient no s'ha produït cap silenci administratiu." in page_text(response)
    case.refresh_from_db()
    assert case.silence_certificate is None


def test_a_tampered_sealed_document_gives_the_integrity_page(
    citizen: actors.Actor, case: Expedient
) -> None:
    with _silence(case):
        document = services.silence_certificate(case=case)
    item = case.documents.get(document=document)
    page = page_text(citizen.client.get(_url("case", case)))
    assert _url("case_document", case, position=item.position) in page
    assert (
        citizen.client.get(_url("case_document", case, position=item.position)).status_code == 200
    )
    _tamper(document)
    response = citizen.client.get(_url("case_document", case, position=item.position))
    assert response.status_code == 409
    assert response["Content-Type"].startswith("text/html")
