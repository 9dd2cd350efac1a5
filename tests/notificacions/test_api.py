"""The notifications API (issue 14 item 9): other systems of the town hall send notifications from
the organs their account works for, with uploaded PDFs sealed as acts or documents the seu already
issued, and read the state of their organs' notifications; every error names its field and leaves
nothing behind; another organ's notification is a 404."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, cast

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from documents import services as documents
from documents.models import Document
from notificacions import sending
from notificacions.models import Notification
from registre.models import RegistryEntry
from seu.models import Person
from tests import actors
from tests.actors import ANOTHER_CITIZEN, CITIZEN, ENTITY, REPRESENTATIVE
from tests.conftest import log_in_to_back_office
from tests.factories import RegistryEntryFactory, UserFactory
from tests.support.api import token_client
from tests.support.files import encrypted_pdf, make_pdf
from tests.support.notifications import consent_of, sealed_document, send

pytestmark = pytest.mark.django_db

another_organ = actors.another_organ

NOTIFICATIONS = "/api/v1/notificacions/"
# A Friday in Madrid: a working day, so the exit entry is registered at once.
FRIDAY = dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def on_a_working_day():
    with time_machine.travel(FRIDAY, tick=False):
        yield


def grant(user: Any, *codenames: str) -> None:
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="notificacions", codename__in=codenames)
    )


def account(username: str, *, organ: Any = None, perms: tuple[str, ...] = (), **traits: Any):
    user = UserFactory(username=username, clerk_of=organ, **traits)
    grant(user, *perms)
    return user


@pytest.fixture
def service_account(town_hall, organ):
    """The case-file system of organ A (Secretaria), allowed to send and to read."""
    return account(
        "gestor-expedients", organ=organ, perms=("add_notification", "view_notification")
    )


@pytest.fixture
def service(service_account) -> APIClient:
    return token_client(service_account)


def holder_fields(person: Any = CITIZEN, prefix: str = "holder") -> dict[str, str]:
    return {
        f"{prefix}.nif": person.nif,
        f"{prefix}.given_name": person.given_name,
        f"{prefix}.surnames": person.surnames,
        f"{prefix}.legal_name": person.legal_name,
    }


def pdf_upload(title: str = "Resolució 12/2026", name: str = "resolucio.pdf") -> Any:
    return SimpleUploadedFile(name, make_pdf(title), "application/pdf")


def nothing_written() -> tuple[int, ...]:
    return (
        Notification.objects.count(),
        RegistryEntry.objects.filter(direction="out").count(),
        Document.objects.count(),
    )


def current_sha256(document: Document) -> str:
    return document.current_version().blob.sha256


# --- Sending --------------------------------------------------------------------------------------


def test_it_sends_an_uploaded_pdf_sealed_as_an_act_and_answers_with_the_notification(
    service, service_account, organ
) -> None:
    consent_of(CITIZEN, email="maria@exemple.cat", now=FRIDAY - dt.timedelta(days=1))
    upload = make_pdf("Resolució d'alcaldia 12/2026")
    response = service.post(
        NOTIFICATIONS,
        {
            "organ": organ.code,
            **holder_fields(),
            "subject": "Resolució de la vostra sol·licitud de gual",
            "case_reference": "EXP-2026/0042",
            "documents[0].file": SimpleUploadedFile("resolucio.pdf", upload, "application/pdf"),
            "documents[0].title": "Resolució d'alcaldia 12/2026",
        },
        format="multipart",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    notification = Notification.objects.get()
    assert body["id"] == str(notification.public_id)
    assert (
        response["Location"]
        == body["url"]
        == (f"http://testserver{NOTIFICATIONS}{notification.public_id}/")
    )
    assert (body["state"], body["channel"], body["kind"]) == (
        "available",
        "electronic",
        "notification",
    )
    assert notification.created_by == service_account
    assert notification.case_reference == "EXP-2026/0042"
    assert body["holder"] == {"nif": "12345678Z", "kind": "natural", "name": "Maria Garcia Ferrer"}
    assert body["organ"] == organ.code and body["representative"] is None
    exit_entry = notification.exit_entry
    assert exit_entry.number is not None and exit_entry.number.startswith("S/2026/")
    assert body["exit_entry"]["number"] == exit_entry.number
    assert dt.datetime.fromisoformat(body["exit_entry"]["registered_at"]) == FRIDAY
    assert dt.datetime.fromisoformat(body["expires_at"]) == notification.expires_at
    assert notification.evidence is not None
    assert body["evidence_csv"] == notification.evidence.csv_display
    assert body["certificate_csv"] is None
    # The act is a new document of the organ, sealed, with the bytes that came kept in it.
    act = notification.documents.get()
    assert (act.kind, act.organ, act.title) == ("act", organ, "Resolució d'alcaldia 12/2026")
    assert documents.checked_bytes(document=act).startswith(upload)
    assert body["documents"] == [
        {
            "title": "Resolució d'alcaldia 12/2026",
            "csv": act.csv_display,
            "sha256": current_sha256(act),
            "verification_url": documents.verification_url(act.csv),
        }
    ]
    assert [event["event"] for event in body["events"]] == ["created", "available", "notice"]
    assert body["events"][2]["role"] == "holder"
    assert all("ip" not in key for event in body["events"] for key in event)


def test_it_sends_documents_issued_before_by_their_csv_as_json(
    service, organ, file_entry_for_organ
) -> None:
    resolution = sealed_document(organ, title="Resolució 7/2026")
    annex = sealed_document(organ, title="Annex")
    entry = file_entry_for_organ
    response = service.post(
        NOTIFICATIONS,
        {
            "organ": organ.code,
            "holder": {"nif": ENTITY.nif, "legal_name": ENTITY.legal_name},
            "representative": {
                "nif": REPRESENTATIVE.nif.lower(),
                "given_name": REPRESENTATIVE.given_name,
                "surnames": REPRESENTATIVE.surnames,
            },
            "kind": "communication",
            "subject": "  Comunicació   de l'inici del procediment ",
            "required_level": "high",
            "related_entry": entry.number.replace("/", "-"),
            "procedure_code": "GUAL",
            "language": "es",
            # The CSV as printed (groups of four) and as typed without dashes, in this order.
            "documents": [{"csv": annex.csv_display}, {"csv": resolution.csv.lower()}],
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    notification = Notification.objects.get()
    assert notification.kind == "communication" and notification.channel == "electronic"
    assert notification.holder.nif == ENTITY.nif
    assert notification.representative is not None
    assert notification.representative.nif == REPRESENTATIVE.nif
    assert notification.subject == "Comunicació de l'inici del procediment"
    assert notification.required_loa == "high" and notification.language == "es"
    assert notification.related_entry == entry and notification.procedure_code == "GUAL"
    notified = notification.notification_documents.order_by("position")
    assert [item.document for item in notified] == [annex, resolution]
    body = response.json()
    assert [item["csv"] for item in body["documents"]] == [
        annex.csv_display,
        resolution.csv_display,
    ]
    assert body["related_entry"] == entry.number
    assert body["required_level"] == "high" and body["language"] == "es"
    assert body["representative"]["name"] == "Aina Roig Sureda"
    assert Document.objects.filter(kind="act").count() == 0  # nothing new was sealed


def test_a_multipart_request_mixes_csvs_and_uploads_in_their_order(service, organ) -> None:
    issued = sealed_document(organ, title="Informe tècnic")
    response = service.post(
        NOTIFICATIONS,
        {
            "organ": organ.code,
            **holder_fields(),
            "subject": "Resolució",
            "documents[0]csv": issued.csv,  # DRF's own spelling of documents[0].csv
            "documents[1].file": pdf_upload(name="decret.pdf"),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    titles = [item["title"] for item in response.json()["documents"]]
    assert titles == ["Informe tècnic", "decret"]  # an upload without a title: its file name
    assert Notification.objects.get().state == "to_post"  # no consent: on paper


# --- Bad input: a 400 naming the field, and nothing half-made -------------------------------------


@pytest.fixture
def file_entry_for_organ(organ) -> RegistryEntry:
    return cast(RegistryEntry, RegistryEntryFactory(organ=organ, presented_at=FRIDAY))


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"documents": []}, "documents", "document"),
        ({"holder": {"given_name": "Maria", "surnames": "Garcia"}}, "holder", "nif"),
        ({"holder": {"nif": "12345678A", "given_name": "M", "surnames": "G"}}, "holder", "NIF"),
        ({"holder": {"nif": "12345678Z"}}, "holder", "given_name"),
        ({"holder": {"nif": ENTITY.nif}}, "holder", "legal_name"),
        ({"representative": {"nif": "00000000A", "given_name": "A"}}, "representative", "NIF"),
        ({"subject": "x" * 301}, "subject", "300"),
        ({"subject": "   "}, "subject", ""),
        ({"case_reference": "x" * 81}, "case_reference", "80"),
        ({"kind": "edict"}, "kind", "edict"),
        ({"required_level": "maximum"}, "required_level", "maximum"),
        ({"language": "fr"}, "language", "fr"),
        ({"organ": "no-such-organ"}, "organ", "no-such-organ"),
        ({"documents": [{"csv": "ABCD"}]}, "documents", "CSV"),
        ({"documents": [{}]}, "documents", "CSV"),
        ({"documents": [{"csv": "unknown"}]}, "documents", "CSV"),
        ({"documents": [{"csv": "another-organ"}]}, "documents", "CSV"),
        ({"related_entry": "E/2026/999999"}, "related_entry", "assentament"),
        ({"related_entry": "another-organ"}, "related_entry", "assentament"),
        ({"documents": [{"csv": "ours"}, {"csv": "ours"}]}, "documents", "repetit"),
        ({"documents": [{"csv": "ours"}] * 21}, "documents", "20"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_nothing_is_written(
    service, organ, another_organ, change, field, message
) -> None:
    ours = sealed_document(organ)
    theirs = sealed_document(another_organ)
    their_entry = cast(
        RegistryEntry, RegistryEntryFactory(organ=another_organ, presented_at=FRIDAY)
    )
    unknown = documents.verification_code.new_code()
    stand_ins = {"ours": ours.csv, "unknown": unknown, "another-organ": theirs.csv}
    data: dict[str, Any] = {
        "organ": organ.code,
        "holder": {"nif": CITIZEN.nif, "given_name": "Maria", "surnames": "Garcia Ferrer"},
        "subject": "Resolució",
        "documents": [{"csv": ours.csv}],
        **change,
    }
    data["documents"] = [
        {key: stand_ins.get(value, value) for key, value in item.items()}
        for item in data["documents"]
    ]
    if data.get("related_entry") == "another-organ":
        data["related_entry"] = their_entry.number
    before = (*nothing_written(), Person.objects.count())

    response = service.post(NOTIFICATIONS, data, format="json")

    assert response.status_code == 400, response.content
    errors = response.json()
    assert field in errors, errors
    assert message.lower() in str(errors[field]).lower(), errors
    assert (*nothing_written(), Person.objects.count()) == before


def test_a_forged_upload_is_refused_with_its_message_and_nothing_is_sealed(service, organ) -> None:
    before = nothing_written()
    for forged in (b"<html><body>no</body></html>", encrypted_pdf(make_pdf(), password="x")):
        response = service.post(
            NOTIFICATIONS,
            {
                "organ": organ.code,
                **holder_fields(),
                "subject": "Resolució",
                # A good act first: it is sealed, then undone with the rest.
                "documents[0].file": pdf_upload(),
                "documents[1].file": SimpleUploadedFile("acte.pdf", forged, "application/pdf"),
            },
            format="multipart",
        )
        assert response.status_code == 400, response.content
        refusal = response.json()["documents"]["1"]["file"][0]
        assert "acte.pdf" in refusal
        assert nothing_written() == before


def test_a_refusal_of_the_service_after_sealing_undoes_the_sealed_acts(service, organ) -> None:
    """The all-or-nothing transaction: the upload is sealed before ``notify`` refuses the
    repeated document, and the sealed act goes with the refusal."""
    issued = sealed_document(organ)
    before = nothing_written()
    response = service.post(
        NOTIFICATIONS,
        {
            "organ": organ.code,
            **holder_fields(),
            "subject": "Resolució",
            "documents[0].file": pdf_upload(),
            "documents[1].csv": issued.csv,
            "documents[2].csv": issued.csv_display,
        },
        format="multipart",
    )
    assert response.status_code == 400, response.content
    assert "repetit" in response.json()["documents"][0]
    assert nothing_written() == before


def test_an_upload_and_a_csv_in_one_item_is_refused(service, organ) -> None:
    issued = sealed_document(organ)
    response = service.post(
        NOTIFICATIONS,
        {
            "organ": organ.code,
            **holder_fields(),
            "subject": "Resolució",
            "documents[0].file": pdf_upload(),
            "documents[0].csv": issued.csv,
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert "0" in response.json()["documents"]
    assert not Notification.objects.exists()


def test_errors_come_in_the_callers_language(service, organ) -> None:
    response = service.get(f"{NOTIFICATIONS}{uuid.uuid4()}/", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 404
    assert response.json()["detail"] == "No hay ninguna notificación con este identificador."
    response = service.get(NOTIFICATIONS, {"state": "lost"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "is not a valid choice" in response.json()["state"][0]


# --- Who may send ---------------------------------------------------------------------------------


def test_an_organ_the_account_does_not_work_for_is_a_404_and_nothing_is_written(
    service, organ, another_organ
) -> None:
    issued = sealed_document(another_organ)
    before = nothing_written()
    response = service.post(
        NOTIFICATIONS,
        {
            "organ": another_organ.code,
            "holder": {"nif": CITIZEN.nif, "given_name": "Maria", "surnames": "Garcia"},
            "subject": "Resolució",
            "documents": [{"csv": issued.csv}],
        },
        format="json",
    )
    assert response.status_code == 404
    assert response.json()["code"] == "organ_not_yours"
    assert nothing_written() == before


def test_without_credentials_401_without_the_permission_403(town_hall, organ) -> None:
    issued = sealed_document(organ)
    data = {
        "organ": organ.code,
        "holder": {"nif": CITIZEN.nif, "given_name": "Maria", "surnames": "Garcia"},
        "subject": "Resolució",
        "documents": [{"csv": issued.csv}],
    }
    anonymous = APIClient()
    assert anonymous.post(NOTIFICATIONS, data, format="json").status_code == 401
    assert anonymous.get(NOTIFICATIONS).status_code == 401
    assert anonymous.get(f"{NOTIFICATIONS}{uuid.uuid4()}/").status_code == 401
    forged = APIClient()
    forged.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    assert forged.post(NOTIFICATIONS, data, format="json").status_code == 401

    nothing = token_client(account("tauler", organ=organ))
    assert nothing.post(NOTIFICATIONS, data, format="json").status_code == 403
    assert nothing.get(NOTIFICATIONS).status_code == 403
    reader = token_client(account("estadistica", organ=organ, perms=("view_notification",)))
    response = reader.post(NOTIFICATIONS, data, format="json")
    assert response.status_code == 403
    assert "enviar notificacions" in response.json()["detail"]
    sender = token_client(account("enviador", organ=organ, perms=("add_notification",)))
    assert sender.get(NOTIFICATIONS).status_code == 403
    assert not Notification.objects.exists()


def test_staff_use_it_only_with_a_session_that_passed_the_second_factor(organ) -> None:
    clerk = account("oac", organ=organ, perms=("view_notification",), staff=True)
    half_logged_in = APIClient()
    half_logged_in.force_login(clerk)  # password only, no TOTP
    assert half_logged_in.get(NOTIFICATIONS).status_code in (401, 403)
    verified = APIClient()
    log_in_to_back_office(verified, clerk)
    assert verified.get(NOTIFICATIONS).status_code == 200


# --- Reading --------------------------------------------------------------------------------------


@pytest.fixture
def sent(town_hall, organ, another_organ) -> dict[str, Notification]:
    consent_of(CITIZEN, now=FRIDAY - dt.timedelta(days=1))
    return {
        "gual": send(organ, CITIZEN, case_reference="EXP-1"),
        "paper": send(organ, ANOTHER_CITIZEN, case_reference="EXP-2"),
        "entity": send(organ, ENTITY, case_reference="EXP-1"),
        "urbanisme": send(another_organ, CITIZEN, case_reference="EXP-1"),
    }


def ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


def test_the_list_has_only_the_organs_notifications_newest_first_and_filters(service, sent) -> None:
    mine = [sent[name] for name in ("entity", "paper", "gual")]  # newest first
    assert ids(service.get(NOTIFICATIONS)) == [str(n.public_id) for n in mine]
    assert ids(service.get(NOTIFICATIONS, {"state": "to_post"})) == [str(sent["paper"].public_id)]
    assert ids(service.get(NOTIFICATIONS, {"case_reference": "EXP-1"})) == [
        str(sent["entity"].public_id),
        str(sent["gual"].public_id),
    ]
    assert ids(service.get(NOTIFICATIONS, {"holder_nif": "12345678-z"})) == [
        str(sent["gual"].public_id)
    ]
    page = service.get(NOTIFICATIONS, {"page_size": 2}).json()
    assert page["count"] == 3 and len(page["results"]) == 2 and page["next"]
    assert ids(service.get(page["next"])) == [str(sent["gual"].public_id)]
    item = service.get(NOTIFICATIONS, {"state": "to_post"}).json()["results"][0]
    assert item["channel"] == "paper" and item["holder"]["nif"] == ANOTHER_CITIZEN.nif
    assert item["exit_entry"]["number"] == sent["paper"].exit_entry.number
    for bad in ({"state": "lost"}, {"holder_nif": "12345678A"}):
        response = service.get(NOTIFICATIONS, bad)
        assert response.status_code == 400 and set(response.json()) == set(bad)


def test_a_supervisor_reads_every_organ_and_an_account_without_organ_nothing(sent) -> None:
    supervisor = token_client(account("intervencio", perms=("view_notification",), supervisor=True))
    assert len(ids(supervisor.get(NOTIFICATIONS))) == 4
    detached = token_client(account("sense-organ", perms=("view_notification",)))
    assert ids(detached.get(NOTIFICATIONS)) == []
    response = detached.get(f"{NOTIFICATIONS}{sent['gual'].public_id}/")
    assert response.status_code == 404


def test_the_detail_gives_state_exit_entry_documents_evidence_and_log(service, sent) -> None:
    notification = sent["gual"]
    response = service.get(f"{NOTIFICATIONS}{notification.public_id}/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "available" and body["channel"] == "electronic"
    assert body["exit_entry"]["number"] == notification.exit_entry.number
    assert body["evidence_csv"] == notification.evidence.csv_display
    document = notification.documents.get()
    assert body["documents"][0]["csv"] == document.csv_display
    assert body["documents"][0]["sha256"] == current_sha256(document)
    assert [event["event"] for event in body["events"]] == ["created", "available", "notice"]
    assert set(body["events"][0]) == {"event", "at", "role", "timestamped_at"}
    assert body["outcome_at"] is None and body["outcome_role"] == ""


def test_an_annulled_notification_shows_its_outcome_and_certificate(
    service, service_account, sent
) -> None:
    from notificacions import certificates

    notification = sending.annul(
        notification=sent["gual"], reason="Enviada per error", acting_user=service_account
    )
    assert (
        service.get(f"{NOTIFICATIONS}{notification.public_id}/").json()["certificate_csv"] is None
    )
    assert certificates.issue_certificate(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.certificate is not None
    body = service.get(f"{NOTIFICATIONS}{notification.public_id}/").json()
    assert body["state"] == "annulled"
    assert dt.datetime.fromisoformat(body["outcome_at"]) == FRIDAY
    assert [event["event"] for event in body["events"]][-1] == "annulled"
    assert body["certificate_csv"] == notification.certificate.csv_display


def test_another_organs_notification_is_a_404_like_one_that_does_not_exist(
    service, sent, another_organ
) -> None:
    theirs = service.get(f"{NOTIFICATIONS}{sent['urbanisme'].public_id}/")
    assert theirs.status_code == 404
    assert theirs.json()["code"] == "not_found"
    nowhere = service.get(f"{NOTIFICATIONS}{uuid.uuid4()}/")
    assert (nowhere.status_code, nowhere.json()) == (404, theirs.json())
    # The other organ's own account reads it, and not ours.
    urbanisme = token_client(
        account("urbanisme-api", organ=another_organ, perms=("view_notification",))
    )
    assert urbanisme.get(f"{NOTIFICATIONS}{sent['urbanisme'].public_id}/").status_code == 200
    assert urbanisme.get(f"{NOTIFICATIONS}{sent['gual'].public_id}/").status_code == 404
    assert ids(urbanisme.get(NOTIFICATIONS)) == [str(sent["urbanisme"].public_id)]


# --- Schema ---------------------------------------------------------------------------------------


def test_the_schema_documents_the_endpoints() -> None:
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    collection = schema["paths"]["/api/v1/notificacions/"]
    create = collection["post"]
    assert {"application/json", "multipart/form-data"} <= set(create["requestBody"]["content"])
    assert create["requestBody"]["content"]["application/json"]["schema"]["$ref"] == (
        "#/components/schemas/NotificationInput"
    )
    assert set(create["responses"]) >= {"201", "400", "401", "403", "404"}
    assert {"tokenAuth": []} in create["security"]
    listing = collection["get"]
    assert {"state", "case_reference", "holder_nif", "page"} <= {
        parameter["name"] for parameter in listing["parameters"]
    }
    detail = schema["paths"]["/api/v1/notificacions/{public_id}/"]["get"]
    assert detail["responses"]["200"]["content"]["application/json"]["schema"]["$ref"] == (
        "#/components/schemas/Notification"
    )
    components = schema["components"]["schemas"]
    assert {"organ", "holder", "subject"} <= set(components["NotificationInput"]["required"])
    assert {"events", "documents", "evidence_csv", "certificate_csv"} <= set(
        components["Notification"]["properties"]
    )
    assert "NotificationStateEnum" in components
