"""The registry's API (issue 4): other systems file entries with a token and read their status and
receipt; citizens read only their own; every error says what went wrong and registers nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from rest_framework.exceptions import ValidationError
from rest_framework.test import APIClient

from documents import services as documents
from registre import api, services
from registre.models import RegistryCounter, RegistryEntry
from seu import calendar, identity, staff
from seu.models import Interruption, StaffRole
from tests.actors import ANOTHER_CITIZEN, CITIZEN
from tests.conftest import log_in_to_back_office
from tests.factories import UserFactory
from tests.support.api import citizen_client, grant, token_client
from tests.support.files import make_pdf

pytestmark = pytest.mark.django_db

ENTRIES = "/api/v1/registre/entrades/"
# A working day, so that an entry's effective instant is its presentation instant.
MONDAY = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)


def reference(number: str) -> str:
    return number.replace("/", "-")


@pytest.fixture
def service_account(db: None):
    """Another system of the town hall, allowed to file entries."""
    user = UserFactory(username="gestor-expedients")
    grant(user, "add_registryentry")
    return user


@pytest.fixture
def service(service_account) -> APIClient:
    return token_client(service_account)


@pytest.fixture
def form(town_hall, organ) -> dict[str, Any]:
    return {
        "organ": organ.code,
        "subject": "Sol·licitud de llicència de gual",
        "exposition": "Que visc al carrer Major, 1.",
        "request": "Que se'm concedeixi la llicència.",
        "interested_nif": "12345678z",
        "interested_given_name": "Maria",
        "interested_surnames": "Garcia Ferrer",
        "language": "es",
    }


@pytest.fixture
def file_entry(town_hall, organ):
    def _file(person: identity.PersonData = CITIZEN, **overrides: Any) -> RegistryEntry:
        arguments: dict[str, Any] = {
            "organ": organ,
            "subject": "Instància genèrica",
            "interested": person,
            "presented_at": MONDAY,
            "now": MONDAY,
        }
        arguments.update(overrides)
        return services.register_entry(**arguments)

    return _file


# --- Filing ---------------------------------------------------------------------------------------


def test_a_service_account_files_an_entry_and_gets_a_sealed_receipt(
    service, service_account, form
) -> None:
    pdfs = [make_pdf("Plànol"), make_pdf("Fotografia")]
    before = calendar.now()
    response = service.post(
        ENTRIES,
        {
            **form,
            "files": [
                SimpleUploadedFile("planol.pdf", pdfs[0], "application/pdf"),
                SimpleUploadedFile("foto.pdf", pdfs[1], "application/octet-stream"),
            ],
        },
        format="multipart",
    )
    after = calendar.now()

    assert response.status_code == 201, response.content
    body = response.json()
    entry = RegistryEntry.objects.get()
    assert entry.effective_at is not None
    year = calendar.to_local(entry.effective_at).year
    assert body["number"] == entry.number == f"E/{year}/000001"
    assert body["reference"] == f"E-{year}-000001"
    assert body["state"] == "registered" and body["channel"] == "api"
    assert before <= entry.presented_at <= after
    assert dt.datetime.fromisoformat(body["presented_at"]) == entry.presented_at
    assert dt.datetime.fromisoformat(body["effective_at"]) == (
        calendar.WorkingCalendar().effective_instant(entry.presented_at)
    )
    assert entry.channel == RegistryEntry.Channel.API
    assert entry.created_by == service_account
    assert entry.interested is not None and entry.interested.nif == "12345678Z"
    assert entry.language == "es"
    assert [(a["name"], a["sha256"]) for a in body["attachments"]] == [
        ("planol.pdf", hashlib.sha256(pdfs[0]).hexdigest()),
        ("foto.pdf", hashlib.sha256(pdfs[1]).hexdigest()),
    ]
    assert entry.receipt is not None
    assert body["receipt_csv"] == entry.receipt.csv_display
    assert body["receipt_url"] == f"http://testserver{ENTRIES}E-{year}-000001/rebut.pdf"
    assert body["verification_url"].endswith(f"/verificar/{entry.receipt.csv}/")
    assert response["Location"] == body["url"] == f"http://testserver{ENTRIES}E-{year}-000001/"
    assert documents.verification_report(entry.receipt).unchanged_since_sealing


@override_settings(TRUSTED_PROXIES=["127.0.0.1"])
def test_the_instant_of_presentation_is_when_the_proxy_began_receiving(service, form) -> None:
    started = calendar.now() - dt.timedelta(seconds=7)
    response = service.post(
        ENTRIES,
        form,
        format="multipart",
        HTTP_X_REQUEST_START=f"t={started.timestamp():.3f}",
        REMOTE_ADDR="127.0.0.1",
    )
    assert response.status_code == 201, response.content
    entry = RegistryEntry.objects.get()
    assert abs(entry.presented_at - started) < dt.timedelta(milliseconds=2)


def test_an_interrupted_registry_answers_503_with_its_code_and_registers_nothing(
    service, form
) -> None:
    now = calendar.now()
    Interruption.objects.create(
        scope=Interruption.Scope.REGISTRY,
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=1),
        reason="Actualització",
        alternatives="Oficina d'Atenció a la Ciutadania",
    )
    response = service.post(ENTRIES, form, format="multipart")
    assert response.status_code == 503
    assert response.json()["code"] == "registry_interrupted"
    assert "Oficina d'Atenció" in response.json()["detail"]
    assert not RegistryEntry.objects.exists()


def test_a_receipt_that_cannot_be_issued_registers_nothing(service, form, monkeypatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise services.documents.rendering.RenderError("boom")

    monkeypatch.setattr(services.documents, "seal_rendered", broken)  # the number is taken
    response = service.post(ENTRIES, form, format="multipart")
    assert response.status_code == 503
    assert response.json()["code"] == "render_failed"
    assert not RegistryEntry.objects.exists()
    assert not RegistryCounter.objects.filter(last_number__gt=0).exists()


# --- Who may file -------------------------------------------------------------------------------


def test_an_unauthenticated_caller_gets_401_and_nothing_is_registered(form) -> None:
    anonymous = APIClient()
    assert anonymous.post(ENTRIES, form, format="multipart").status_code == 401
    forged = APIClient()
    forged.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    assert forged.post(ENTRIES, form, format="multipart").status_code == 401
    assert anonymous.get(f"{ENTRIES}E-2026-000001/").status_code == 401
    assert anonymous.get(f"{ENTRIES}E-2026-000001/rebut.pdf").status_code == 401
    assert not RegistryEntry.objects.exists()


def test_an_account_without_the_permission_gets_403(form) -> None:
    response = token_client(UserFactory(username="tauler")).post(ENTRIES, form, format="multipart")
    assert response.status_code == 403
    assert not RegistryEntry.objects.exists()


def test_a_view_only_account_cannot_file(form) -> None:
    reader = UserFactory(username="estadistica")
    grant(reader, "view_registryentry")
    assert token_client(reader).post(ENTRIES, form, format="multipart").status_code == 403
    assert not RegistryEntry.objects.exists()


def test_a_citizen_session_cannot_file_through_the_api(form) -> None:
    response = citizen_client(CITIZEN).post(ENTRIES, form, format="multipart")
    assert response.status_code in (401, 403)
    assert not RegistryEntry.objects.exists()


def test_staff_file_only_with_a_session_that_passed_the_second_factor(form) -> None:
    clerk: Any = UserFactory(username="registre-oac", staff=True)
    grant(clerk, "add_registryentry")
    half_logged_in = APIClient()
    half_logged_in.force_login(clerk)  # password only, no TOTP
    assert half_logged_in.post(ENTRIES, form, format="multipart").status_code in (401, 403)
    assert not RegistryEntry.objects.exists()
    verified = APIClient()
    log_in_to_back_office(verified, clerk)
    response = verified.post(ENTRIES, form, format="multipart")
    assert response.status_code == 201, response.content
    assert RegistryEntry.objects.get().created_by == clerk


# --- Bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"organ": "no-such-organ"}, "organ", "no-such-organ"),
        ({"interested_nif": "12345678A"}, "interested_nif", "no és vàlid"),
        ({"subject": ""}, "subject", ""),
        ({"subject": None}, "subject", ""),
        ({"interested_given_name": ""}, "interested_given_name", "nom"),
        ({"representative_nif": "00000000A"}, "representative_nif", "no és vàlid"),
        ({"language": "fr"}, "language", "fr"),
        (
            {"files": [SimpleUploadedFile("carta.pdf", b"PK\x03\x04 not a pdf")]},
            "files",
            "carta.pdf",
        ),
        (
            {"files": [SimpleUploadedFile("buit.pdf", b"")]},
            "files",
            "",
        ),
    ],
)
def test_bad_input_is_a_400_with_the_field_and_registers_nothing(
    service, form, change, field, message
) -> None:
    data = {**form, **change}
    data = {key: value for key, value in data.items() if value is not None}
    response = service.post(ENTRIES, data, format="multipart")
    assert response.status_code == 400, response.content
    errors = response.json()
    assert field in errors, errors
    assert message in " ".join(str(m) for m in errors[field]), errors
    assert not RegistryEntry.objects.exists()
    assert not RegistryCounter.objects.filter(last_number__gt=0).exists()


def test_a_file_name_that_tries_a_path_never_reaches_the_registry(service, form) -> None:
    upload = SimpleUploadedFile("..\\..\\windows\\x.pdf", make_pdf(), "application/pdf")
    response = service.post(ENTRIES, {**form, "files": [upload]}, format="multipart")
    assert response.status_code == 201, response.content
    assert RegistryEntry.objects.get().attachments.get().name == "x.pdf"


@pytest.mark.parametrize("name", ["..\\x.pdf", "a/b.pdf", "C:\\x.pdf"])
def test_the_attachment_check_refuses_a_name_with_a_path(name) -> None:
    # Django's upload parser already keeps only the base name; this is the check behind it.
    upload = SimpleUploadedFile("x.pdf", make_pdf(), "application/pdf")
    upload._name = name  # type: ignore[attr-defined]  # bypass Django's own clean-up
    with pytest.raises(ValidationError) as refused:
        api.accept_attachments([upload])
    assert "no és vàlid" in str(refused.value.detail)


@override_settings(REGISTRY_MAX_FILE_BYTES=1024)
def test_a_file_over_the_limit_is_a_400_and_registers_nothing(service, form) -> None:
    big = SimpleUploadedFile("gran.pdf", make_pdf("x" * 2000), "application/pdf")
    response = service.post(ENTRIES, {**form, "files": [big]}, format="multipart")
    assert response.status_code == 400
    assert "gran.pdf" in response.json()["files"][0] and "límit" in response.json()["files"][0]
    assert not RegistryEntry.objects.exists()


# --- Reading status and receipts ----------------------------------------------------------------


def test_the_status_says_state_instants_and_why_it_was_not_admitted(
    service, service_account, file_entry, administrator
) -> None:
    entry = file_entry(acting_user=service_account, channel=RegistryEntry.Channel.API)
    services.mark_not_admitted(
        entry=entry,
        reason="No és competència municipal.",
        alternatives="Registre del Govern de les Illes Balears.",
        acting_user=administrator,
    )
    response = service.get(f"{ENTRIES}{reference(entry.number)}/")
    assert response.status_code == 200
    body = response.json()
    assert body["number"] == "E/2026/000001"
    assert body["state"] == "not_admitted"
    assert body["not_admitted_reason"] == "No és competència municipal."
    assert body["alternative_registries"] == "Registre del Govern de les Illes Balears."
    assert dt.datetime.fromisoformat(body["presented_at"]) == MONDAY
    assert dt.datetime.fromisoformat(body["effective_at"]) == MONDAY


def test_a_sunday_entry_shows_both_instants(service, service_account, file_entry) -> None:
    sunday = dt.datetime(2026, 11, 22, 17, 30, 5, tzinfo=dt.UTC)
    entry = file_entry(acting_user=service_account, presented_at=sunday, now=sunday)
    body = service.get(f"{ENTRIES}{reference(entry.number)}/").json()
    assert dt.datetime.fromisoformat(body["presented_at"]) == sunday
    assert calendar.to_local(dt.datetime.fromisoformat(body["effective_at"])).isoformat() == (
        "2026-11-23T00:00:01+01:00"
    )


def test_the_receipt_downloads_as_the_sealed_pdf(service, service_account, file_entry) -> None:
    entry = file_entry(acting_user=service_account)
    response = service.get(
        f"{ENTRIES}{reference(entry.number)}/rebut.pdf", HTTP_ACCEPT="application/pdf"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="rebut-E-2026-000001.pdf"' in response["Content-Disposition"]
    assert response.content == entry.receipt.current_version().blob.read()
    assert response.content.startswith(b"%PDF-")


def test_a_citizen_reads_their_own_entry_and_receipt(file_entry) -> None:
    own = file_entry(CITIZEN)
    as_representative = file_entry(ANOTHER_CITIZEN, representative=CITIZEN)
    client = citizen_client(CITIZEN)
    for entry in (own, as_representative):
        response = client.get(f"{ENTRIES}{reference(entry.number)}/")
        assert response.status_code == 200
        assert response.json()["number"] == entry.number
        receipt = client.get(f"{ENTRIES}{reference(entry.number)}/rebut.pdf")
        assert receipt.status_code == 200
        assert receipt.content == entry.receipt.current_version().blob.read()


def test_another_citizens_entry_is_a_404_like_a_number_that_does_not_exist(file_entry) -> None:
    others = file_entry(ANOTHER_CITIZEN)
    client = citizen_client(CITIZEN)
    found = client.get(f"{ENTRIES}{reference(others.number)}/")
    missing = client.get(f"{ENTRIES}E-2026-000999/")
    assert found.status_code == missing.status_code == 404
    assert found.json() == missing.json()
    assert found.json()["code"] == "not_found"
    assert client.get(f"{ENTRIES}{reference(others.number)}/rebut.pdf").status_code == 404
    # Guessing numbers one after the other finds nothing either.
    for sequence in range(1, 6):
        assert client.get(f"{ENTRIES}E-2026-{sequence:06d}/").status_code == 404


def test_a_service_account_reads_what_it_filed_and_with_view_permission_its_organs_entries(
    service, service_account, file_entry, organ
) -> None:
    filed_by_it = file_entry(acting_user=service_account)
    filed_elsewhere = file_entry(ANOTHER_CITIZEN)
    assert service.get(f"{ENTRIES}{reference(filed_by_it.number)}/").status_code == 200
    assert service.get(f"{ENTRIES}{reference(filed_elsewhere.number)}/").status_code == 404
    grant(service_account, "view_registryentry")
    # The permission alone is not every organ's book: the token's user must work for the organ.
    assert service.get(f"{ENTRIES}{reference(filed_elsewhere.number)}/").status_code == 404
    staff.grant_membership(
        user=service_account, organ=organ, role=StaffRole.CLERK, acting_user=None
    )
    assert service.get(f"{ENTRIES}{reference(filed_elsewhere.number)}/").status_code == 200


def test_an_account_with_no_registry_permission_reads_nothing(file_entry) -> None:
    entry = file_entry()
    response = token_client(UserFactory(username="tauler")).get(
        f"{ENTRIES}{reference(entry.number)}/"
    )
    assert response.status_code == 403


def test_numbers_in_addresses_are_written_with_hyphens(service) -> None:
    assert service.get(f"{ENTRIES}E/2026/000001/").status_code == 404
    assert service.get(f"{ENTRIES}S-2026-000001/").status_code == 404
    assert service.get(f"{ENTRIES}E-2026-000001/").json()["code"] == "not_found"


# --- Schema -------------------------------------------------------------------------------------


def test_the_schema_documents_the_endpoints_and_their_components() -> None:
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    create = paths["/api/v1/registre/entrades/"]["post"]
    assert "multipart/form-data" in create["requestBody"]["content"]
    assert create["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"] == (
        "#/components/schemas/EntryInput"
    )
    assert set(create["responses"]) >= {"201", "400", "401", "403", "503"}
    assert {"tokenAuth": []} in create["security"]
    assert {"citizenSession": []} not in create["security"]
    status = paths["/api/v1/registre/entrades/{number}/"]["get"]
    assert status["responses"]["200"]["content"]["application/json"]["schema"]["$ref"] == (
        "#/components/schemas/EntryStatus"
    )
    assert {"citizenSession": []} in status["security"]
    receipt = paths["/api/v1/registre/entrades/{number}/rebut.pdf"]["get"]
    assert "application/pdf" in receipt["responses"]["200"]["content"]
    components = schema["components"]
    assert {"EntryInput", "EntryStatus", "Error", "Attachment"} <= set(components["schemas"])
    entry_input = components["schemas"]["EntryInput"]
    assert {"organ", "subject", "interested_nif"} <= set(entry_input["required"])
    assert "files" in entry_input["properties"]
    assert {"tokenAuth", "staffSession", "citizenSession"} <= set(components["securitySchemes"])
