"""The case files API (issue 15 item 11): other systems of the town hall read the case files of
the organs their account works for, with their log, entries and documents, download the documents
checked against what was sealed or registered, and add documents (uploaded PDFs sealed as acts of
the organ, or documents already issued, by CSV); another organ's case file is a 404."""

from __future__ import annotations

import datetime as dt
import uuid
from io import BytesIO
from pathlib import Path
from typing import Any, cast

import pytest
import time_machine
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from rest_framework.test import APIClient

from documents import services as documents
from documents.models import Document
from expedients import services
from expedients.models import Expedient, ExpedientDocument, ExpedientTransition, State
from seu import identity
from seu.models import Identification, LoA
from tests import actors
from tests.actors import ANOTHER_CITIZEN, CITIZEN
from tests.factories import UserFactory
from tests.support.api import token_client
from tests.support.expedients import ANSWERS, file_case, make_procedure
from tests.support.files import encrypted_pdf, make_pdf, make_png
from tests.support.notifications import sealed_document
from tests.support.pki import independent_context

pytestmark = pytest.mark.django_db

another_organ = actors.another_organ

CASES = "/api/v1/expedients/"
# A Friday in Madrid, a working day: the entries count at once, in the order they are filed.
FRIDAY = dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def on_a_working_day():
    with time_machine.travel(FRIDAY, tick=False):
        yield


def account(username: str, *, organ: Any = None, perms: tuple[str, ...] = (), **traits: Any):
    user = cast(User, UserFactory(username=username, clerk_of=organ, **traits))
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="expedients", codename__in=perms)
    )
    return user


@pytest.fixture
def service_account(town_hall, organ):
    """The document management system of organ A (Secretaria): reads and adds documents."""
    return account(
        "gestor-documental", organ=organ, perms=("view_expedient", "add_expedientdocument")
    )


@pytest.fixture
def service(service_account) -> APIClient:
    return token_client(service_account)


def identified(person: identity.PersonData) -> Identification:
    return identity.record_identification(
        person=person,
        method=Identification.Method.CLAVE,
        loa=LoA.SUBSTANTIAL,
        evidence=identity.Evidence(provider="Cl@ve", saml_assertion_id=f"_{person.nif}"),
    )


def file_at(identification: Identification, procedure: Any, minutes: int, **kw: Any) -> Expedient:
    at = FRIDAY + dt.timedelta(minutes=minutes)
    return file_case(identification, procedure, presented_at=at, now=at, **kw)


def address(case: Expedient) -> str:
    return f"{CASES}{case.number}/"


def numbers(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["number"] for item in response.json()["results"]]


@pytest.fixture
def case(town_hall, organ) -> Expedient:
    """Maria's minor works case of organ A, with the budget attached (a PDF she brought)."""
    procedure = make_procedure(organ)
    answers = {key: value for key, value in ANSWERS.items() if key != "pressupost_doc"}
    budget = make_pdf(f"Pressupost {uuid.uuid4().hex}")
    return file_at(
        identified(CITIZEN),
        procedure,
        0,
        answers=answers,
        files={"pressupost_doc": ("pressupost.pdf", budget)},
    )


def nothing_written(case: Expedient) -> tuple[int, ...]:
    return (
        case.documents.count(),
        case.transitions.count(),
        Document.objects.count(),
    )


# --- Reading --------------------------------------------------------------------------------------


def test_the_list_has_only_the_organs_case_files_in_processing_order_and_filters(
    service, town_hall, organ, another_organ
) -> None:
    works = make_procedure(organ)
    census = make_procedure(organ, code="PADRO", name="Certificat d'empadronament")
    theirs = make_procedure(another_organ, code="GUAL", name="Gual")
    maria, joan = identified(CITIZEN), identified(ANOTHER_CITIZEN)
    # Filed in this order: the later filing of another organ is never listed.
    first = file_at(joan, census, 0)
    second = file_at(maria, works, 5)
    file_at(maria, theirs, 10)
    third = file_at(maria, census, 15)
    today = FRIDAY.date()
    Expedient.objects.filter(pk=first.pk).update(deadline=today - dt.timedelta(days=1))
    Expedient.objects.filter(pk=second.pk).update(deadline=today + dt.timedelta(days=10))
    Expedient.objects.filter(pk=third.pk).update(state=State.CLOSED, deadline=today)

    assert numbers(service.get(CASES)) == [first.number, second.number, third.number]
    assert numbers(service.get(CASES, {"procedure": "PADRO"})) == [first.number, third.number]
    assert numbers(service.get(CASES, {"state": "closed"})) == [third.number]
    assert numbers(service.get(CASES, {"overdue": "true"})) == [first.number]
    assert numbers(service.get(CASES, {"due_within": 9})) == [first.number]  # open ones only
    assert numbers(service.get(CASES, {"due_within": 10})) == [first.number, second.number]
    page = service.get(CASES, {"page_size": 2}).json()
    assert page["count"] == 3 and page["next"]
    item = page["results"][0]
    assert item["url"] == f"http://testserver{address(first)}"
    assert (item["procedure"], item["organ"], item["state"]) == ("PADRO", organ.code, "opened")
    assert item["interested"] == {
        "nif": ANOTHER_CITIZEN.nif,
        "kind": "natural",
        "name": "Joan Pons Marti",
    }
    assert item["deadline"] == (today - dt.timedelta(days=1)).isoformat()
    for bad in ({"state": "lost"}, {"due_within": "-1"}, {"overdue": "maybe"}):
        response = service.get(CASES, bad, HTTP_ACCEPT_LANGUAGE="ca")
        assert response.status_code == 400 and set(response.json()) == set(bad)


def test_the_detail_gives_the_case_its_log_its_entries_and_its_documents_with_eni_metadata(
    service, case, organ
) -> None:
    assert services.issue_answers_document(case_id=case.pk)
    case.refresh_from_db()
    response = service.get(address(case))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["number"] == case.number and body["number"].startswith("OBRA/2026/")
    assert body["eni_identifier"] == case.eni_identifier and body["eni_identifier"].startswith(
        "ES_"
    )
    assert body["procedure"] == {
        "code": "OBRA",
        "sia_code": "",
        "name": "Comunicació prèvia d'obres menors",
        "version": 1,
    }
    assert (body["organ"], body["state"], body["suspended"]) == (organ.code, "opened", False)
    assert body["interested"] == {
        "nif": CITIZEN.nif,
        "kind": "natural",
        "name": "Maria Garcia Ferrer",
    }
    assert body["representative"] is None
    assert dt.datetime.fromisoformat(body["effective_at"]) == FRIDAY
    assert body["deadline"] == case.deadline.isoformat() == "2027-03-04"
    assert body["silence"] is None and body["suspended_since"] is None
    assert [step["step"] for step in body["log"]] == ["opened"]
    assert body["log"][0]["to_state"] == "opened" and body["log"][0]["public"] is True
    assert body["log"][0]["organ"] == organ.code
    assert body["entries"] == [
        {
            "number": case.opening_entry.number,
            "role": "opening",
            "added_at": body["entries"][0]["added_at"],
        }
    ]
    brought, answers = body["documents"]
    blob = case.documents.get(position=1).blob
    assert brought == {
        "position": 1,
        "title": "pressupost.pdf",
        "origin": 0,
        "elaboration": "EE01",
        "document_type": "TD99",
        "captured_at": brought["captured_at"],
        "csv": None,
        "sha256": blob.sha256,
        "content_type": "application/pdf",
        "public": True,
        "url": f"http://testserver{address(case)}documents/1/",
    }
    sealed = case.answers_document
    assert (answers["position"], answers["document_type"], answers["origin"]) == (2, "TD14", 0)
    assert answers["csv"] == sealed.csv_display
    assert answers["sha256"] == sealed.current_version().blob_id


def test_documents_download_checked_and_tampered_bytes_are_a_409(service, case, organ) -> None:
    assert services.issue_answers_document(case_id=case.pk)
    case.refresh_from_db()
    brought = service.get(f"{address(case)}documents/1/")
    assert brought.status_code == 200
    blob = case.documents.get(position=1).blob
    assert brought.content == blob.read() and brought["Content-Type"] == "application/pdf"
    assert brought["Cache-Control"] == "private, no-store"
    sealed = service.get(f"{address(case)}documents/2/", HTTP_ACCEPT="application/json")
    assert sealed.status_code == 200
    assert sealed.content == case.answers_document.current_version().blob.read()
    assert sealed["Content-Disposition"] == (
        f'attachment; filename="{case.number.replace("/", "-")}-2.pdf"'
    )
    assert service.get(f"{address(case)}documents/3/").status_code == 404

    Path(blob.file.path).write_bytes(make_pdf("Un altre pressupost"))
    stored = Path(case.answers_document.current_version().blob.file.path)
    stored.write_bytes(sealed_document(organ).current_version().blob.read())
    for position in (1, 2):
        response = service.get(f"{address(case)}documents/{position}/", HTTP_ACCEPT_LANGUAGE="es")
        assert response.status_code == 409
        assert response.json()["code"] == "integrity_failure"
        assert "no coincide" in response.json()["detail"]


# --- Adding documents -----------------------------------------------------------------------------


def test_adding_a_pdf_seals_it_as_an_act_of_the_organ_and_logs_the_step(
    service, service_account, case, dev_pki
) -> None:
    upload = make_pdf("Informe tècnic favorable")
    response = service.post(
        f"{address(case)}documents/",
        {
            "file": SimpleUploadedFile("informe.pdf", upload, "application/pdf"),
            "title": "Informe tècnic",
            "document_type": "TD13",
        },
        format="multipart",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    item = case.documents.get(position=body["position"])
    assert item.position == 2 and response["Location"] == body["url"]
    assert (item.title, item.document_type, item.elaboration) == ("Informe tècnic", "TD13", "EE01")
    assert item.origin == ExpedientDocument.Origin.ADMINISTRATION and item.public is False
    assert item.added_by == service_account
    act = item.document
    assert (act.kind, act.organ) == ("act", case.organ)
    assert body["csv"] == act.csv_display and body["sha256"] == act.current_version().blob_id
    sealed = documents.checked_bytes(document=act)
    assert sealed.startswith(upload)  # the bytes that came, the seal as an incremental update
    (signature,) = PdfFileReader(BytesIO(sealed)).embedded_signatures
    status = validate_pdf_signature(
        signature, signer_validation_context=independent_context(dev_pki)
    )
    assert status.intact and status.valid and status.trusted
    step = ExpedientTransition.objects.filter(expedient=case).latest("pk")
    assert (step.step, step.reason, step.actor, step.public) == (
        services.STEP_DOCUMENT_ADDED,
        "Informe tècnic",
        service_account,
        False,
    )
    assert service.get(body["url"]).content == sealed


def test_a_document_issued_for_the_organ_is_added_by_its_csv(
    service, case, organ, another_organ
) -> None:
    issued = sealed_document(organ, title="Decret d'alcaldia 12/2026")
    before = Document.objects.count()
    response = service.post(
        f"{address(case)}documents/",
        {"csv": issued.csv.lower(), "document_type": "TD01", "origin": 1, "public": True},
        format="json",
    )
    assert response.status_code == 201, response.content
    item = case.documents.get(document=issued)
    assert (item.title, item.public, item.document_type) == (
        "Decret d'alcaldia 12/2026",
        True,
        "TD01",
    )
    assert Document.objects.count() == before  # nothing new was sealed
    assert case.transitions.filter(step="document_added", public=True).count() == 1

    theirs = sealed_document(another_organ)
    for csv in (issued.csv_display, theirs.csv, documents.verification_code.new_code()):
        refused = service.post(
            f"{address(case)}documents/", {"csv": csv, "document_type": "TD01"}, format="json"
        )
        assert refused.status_code == 400 and "csv" in refused.json(), refused.content


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("fotografia.png", make_png(), "fotografia.png"),
        ("informe.pdf", b"<html><body>no</body></html>", "informe.pdf"),
        ("xifrat.pdf", encrypted_pdf(make_pdf(), password="x"), "xifrat.pdf"),
    ],
)
def test_a_non_pdf_or_forged_file_is_a_400_with_its_message_and_nothing_is_written(
    service, case, name, content, message
) -> None:
    before = nothing_written(case)
    response = service.post(
        f"{address(case)}documents/",
        {"file": SimpleUploadedFile(name, content), "document_type": "TD13"},
        format="multipart",
    )
    assert response.status_code == 400, response.content
    assert message in response.json()["file"][0]
    assert nothing_written(case) == before


def test_bad_metadata_is_a_400_per_field_in_the_callers_language(service, case) -> None:
    before = nothing_written(case)
    response = service.post(
        f"{address(case)}documents/",
        {"file": SimpleUploadedFile("a.pdf", make_pdf()), "document_type": "TD00", "origin": 7},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"document_type", "origin"}
    assert "is not a valid choice" in response.json()["document_type"][0]
    neither = service.post(f"{address(case)}documents/", {"document_type": "TD13"}, format="json")
    assert neither.status_code == 400
    assert "CSV" in neither.json()["non_field_errors"][0]
    assert nothing_written(case) == before


def test_a_closed_case_file_takes_no_documents(service, case, organ) -> None:
    Expedient.objects.filter(pk=case.pk).update(state=State.CLOSED)
    before = nothing_written(case)
    response = service.post(
        f"{address(case)}documents/",
        {"csv": sealed_document(organ).csv, "document_type": "TD13"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "case_closed"
    assert "tancat" in response.json()["detail"]
    assert nothing_written(case)[:2] == before[:2]


# --- Who may call ---------------------------------------------------------------------------------


def test_another_organs_case_file_is_a_404_like_one_that_does_not_exist(
    service, case, another_organ, organ
) -> None:
    urbanisme = token_client(
        account(
            "urbanisme-api",
            organ=another_organ,
            perms=("view_expedient", "add_expedientdocument"),
        )
    )
    nowhere = service.get(f"{CASES}OBRA/2026/999/")
    assert nowhere.status_code == 404 and nowhere.json()["code"] == "not_found"
    before = nothing_written(case)
    for response in (
        urbanisme.get(address(case)),
        urbanisme.get(f"{address(case)}documents/1/"),
        urbanisme.post(
            f"{address(case)}documents/",
            {"csv": sealed_document(another_organ).csv, "document_type": "TD13"},
            format="json",
        ),
    ):
        assert (response.status_code, response.json()) == (404, nowhere.json())
    assert numbers(urbanisme.get(CASES)) == []
    assert nothing_written(case)[:2] == before[:2]
    supervisor = token_client(account("intervencio", perms=("view_expedient",), supervisor=True))
    assert supervisor.get(address(case)).status_code == 200


def test_without_credentials_401_without_the_permission_403(case) -> None:
    anonymous = APIClient()
    assert anonymous.get(CASES).status_code == 401
    assert anonymous.get(address(case)).status_code == 401
    assert anonymous.get(f"{address(case)}documents/1/").status_code == 401
    assert anonymous.post(f"{address(case)}documents/", {}, format="json").status_code == 401
    nothing = token_client(account("tauler", organ=case.organ))
    assert nothing.get(CASES).status_code == 403
    assert nothing.get(f"{address(case)}documents/1/").status_code == 403
    reader = token_client(account("lector", organ=case.organ, perms=("view_expedient",)))
    assert reader.get(address(case)).status_code == 200
    refused = reader.post(f"{address(case)}documents/", {"document_type": "TD13"}, format="json")
    assert refused.status_code == 403
    assert "afegir documents" in refused.json()["detail"]


# --- Schema ---------------------------------------------------------------------------------------


def test_the_schema_lists_the_four_operations() -> None:
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    case = "/api/v1/expedients/{code}/{year}/{sequence}/"
    operations = {
        paths["/api/v1/expedients/"]["get"]["operationId"],
        paths[case]["get"]["operationId"],
        paths[f"{case}documents/"]["post"]["operationId"],
        paths[f"{case}documents/{{position}}/"]["get"]["operationId"],
    }
    assert operations == {
        "expedients_list",
        "expedients_retrieve",
        "expedients_documents_create",
        "expedients_documents_retrieve",
    }
    create = paths[f"{case}documents/"]["post"]
    assert create["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"] == (
        "#/components/schemas/ExpedientDocumentInput"
    )
    assert set(create["responses"]) >= {"201", "400", "401", "403", "404"}
    assert {"tokenAuth": []} in create["security"]
    listing = paths["/api/v1/expedients/"]["get"]
    assert {"state", "procedure", "due_within", "overdue", "page"} <= {
        parameter["name"] for parameter in listing["parameters"]
    }
    download = paths[f"{case}documents/{{position}}/"]["get"]
    assert set(download["responses"]) >= {"200", "404", "409"}
    detail = paths[case]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert detail["$ref"] == "#/components/schemas/Expedient"
