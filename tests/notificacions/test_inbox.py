"""«Les meves notificacions» (issue 14 item 3; art. 32.5, 32.6): the person's list, pending first
with the instant each will be deemed rejected; a notification's page that changes nothing until
the person accepts (POST) or rejects it (after a confirmation); its documents only after the
outcome, its evidence at any time, its certificate once issued; and nothing at all, not even that
it exists, for anyone who is neither its holder nor its representative."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from documents.models import IntegrityIncident
from notificacions import clock, sending
from notificacions.models import Notification, NotificationEvent
from seu import calendar
from seu.models import LoA
from tests import actors
from tests.actors import ANOTHER_CITIZEN, CITIZEN, ENTITY, REPRESENTATIVE, identify
from tests.factories import UserFactory
from tests.support.filing import page_text
from tests.support.notifications import consent_of, sealed_document, send

pytestmark = pytest.mark.django_db

another_organ = actors.another_organ

# A Friday in Madrid (UTC+1 in December): a working day, so the exit entry is registered at once.
FRIDAY = dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC)
SATURDAY = dt.datetime(2026, 12, 5, 10, 0, tzinfo=dt.UTC)
LATER = FRIDAY + dt.timedelta(days=2)
LIST = reverse("notificacions:list")


def _url(name: str, notification: Notification, **kwargs: object) -> str:
    return reverse(f"notificacions:{name}", kwargs={"public_id": notification.public_id, **kwargs})


def _client(person, *, loa: LoA = LoA.SUBSTANTIAL, represented=None) -> Client:
    client = Client()
    identify(client, person, loa=loa, represented_entity=represented)
    return client


def _state(notification: Notification) -> str:
    notification.refresh_from_db()
    return notification.state


@pytest.fixture
def consenting(town_hall, organ) -> None:
    for person in (CITIZEN, ANOTHER_CITIZEN, REPRESENTATIVE):
        consent_of(person, email=f"{person.given_name.lower()}@exemple.cat", now=FRIDAY)


@pytest.fixture
def available(consenting, organ) -> Notification:
    """A notification to Maria, available since Friday, waiting to be opened."""
    return send(organ, CITIZEN, now=FRIDAY, subject="Resolució de la llicència de gual")


# --- The list ------------------------------------------------------------------------------------


def test_the_list_shows_pending_first_with_the_expiry_and_the_role_and_never_anothers(
    consenting, organ, another_organ
) -> None:
    own = send(organ, CITIZEN, now=FRIDAY, subject="Resolució de la llicència de gual")
    as_representative = send(
        another_organ,
        ANOTHER_CITIZEN,
        representative=CITIZEN,
        now=FRIDAY,
        subject="Requeriment d'esmena de la sol·licitud d'en Joan",
    )
    communication = send(
        organ,
        CITIZEN,
        kind=Notification.Kind.COMMUNICATION,
        now=FRIDAY,
        subject="Comunicació de no admissió",
    )
    send(organ, ANOTHER_CITIZEN, now=FRIDAY, subject="Assumpte privat d'en Joan")
    with time_machine.travel(SATURDAY, tick=False):
        waiting = send(organ, CITIZEN, subject="Encara sense registre de sortida")
    assert waiting.state == Notification.State.PENDING

    with time_machine.travel(LATER, tick=False):
        response = _client(CITIZEN).get(LIST)
    assert response.status_code == 200
    text = page_text(response)
    pending, rest = text.split('id="altres-titol"', 1)
    assert "Resolució de la llicència de gual" in pending
    assert "Requeriment d'esmena de la sol·licitud d'en Joan" in pending
    assert "Comunicació de no admissió" in pending and "Comunicació</strong>" in pending
    # The instant it will be deemed rejected: the end of 14 December, Madrid time.
    assert own.expires_at == as_representative.expires_at
    assert "Es considerarà rebutjada si no l'obriu abans del" in pending
    assert calendar.format_instant(own.expires_at) in pending
    assert "14 de desembre de 2026, 23:59:59 (UTC+01:00)" in pending
    assert "Com a persona interessada" in pending
    assert "Com a representant de Joan Pons Marti" in pending
    assert pending.count("Es considerarà rebutjada") == 2  # not for the communication
    assert "Secretaria" in pending and "Urbanisme" in pending
    assert communication.expires_at is None
    # Another person's notification, and one still waiting for its exit entry: never listed.
    assert "Assumpte privat d'en Joan" not in text
    assert "Encara sense registre de sortida" not in text
    assert reverse("notificacions:preferences") in text
    assert "No teniu cap notificació pendent" not in text and "sense-altres" in rest


def test_the_rest_say_their_state_in_words(consenting, organ) -> None:
    accessed = send(organ, CITIZEN, now=FRIDAY, subject="Notificació oberta")
    rejected = send(organ, CITIZEN, now=FRIDAY, subject="Notificació rebutjada")
    expired = send(organ, CITIZEN, now=FRIDAY, subject="Notificació vençuda")
    annulled = send(organ, CITIZEN, now=FRIDAY, subject="Notificació anul·lada")
    maria = _client(CITIZEN)
    with time_machine.travel(LATER, tick=False):
        maria.post(_url("accept", accessed))
        maria.post(_url("reject", rejected))
    assert expired.expires_at is not None
    with time_machine.travel(expired.expires_at + dt.timedelta(seconds=1), tick=False):
        maria.post(_url("accept", expired))
    sending.annul(
        notification=annulled,
        reason="Enviada per error",
        acting_user=UserFactory.create(staff=True),
        now=LATER,
    )

    text = page_text(maria.get(LIST))
    assert "No teniu cap notificació pendent d'obrir" in text
    rows = {
        subject: text.split(subject, 1)[1].split("</tr>", 1)[0]
        for subject in (
            "Notificació oberta",
            "Notificació rebutjada",
            "Notificació vençuda",
            "Notificació anul·lada",
        )
    }
    assert "Oberta (practicada)" in rows["Notificació oberta"]
    assert calendar.format_instant(LATER) in rows["Notificació oberta"]
    assert "Rebutjada per la persona" in rows["Notificació rebutjada"]
    assert "Rebutjada per haver passat el termini" in rows["Notificació vençuda"]
    assert calendar.format_instant(expired.expires_at) in rows["Notificació vençuda"]
    assert "Anul·lada" in rows["Notificació anul·lada"]


def test_a_notification_on_paper_is_listed_with_its_state_in_words(town_hall, organ) -> None:
    on_paper = send(organ, CITIZEN, now=FRIDAY, subject="Resolució enviada en paper")
    assert on_paper.state == Notification.State.TO_POST
    maria = _client(CITIZEN)
    text = page_text(maria.get(LIST))
    assert "Resolució enviada en paper" in text and "Per enviar en paper" in text
    detail = page_text(maria.get(_url("detail", on_paper)))
    assert "s'envia en paper" in detail and "Acceptar i obrir" not in detail
    assert maria.get(_url("evidence", on_paper)).status_code == 200
    assert maria.get(_url("document", on_paper, position=0)).status_code == 404


def test_an_empty_list_says_so_and_how_notifications_arrive(town_hall) -> None:
    text = page_text(_client(CITIZEN).get(LIST))
    assert "Encara no teniu cap notificació" in text
    assert "us avisarem per correu electrònic" in text and "en paper" in text


def test_the_home_page_my_data_and_the_carpeta_lead_to_the_list(town_hall) -> None:
    home = Client().get("/").content.decode()
    working = home.split('id="properament"', 1)[0]
    assert f'href="{LIST}"' in working
    maria = _client(CITIZEN)
    assert f'href="{LIST}"' in maria.get(reverse("identity:my_data")).content.decode()
    assert f'href="{LIST}"' in maria.get(reverse("registre:folder")).content.decode()


# --- Who may see it --------------------------------------------------------------------------


ROUTES = [
    ("get", "detail", {}),
    ("get", "accept", {}),
    ("post", "accept", {}),
    ("get", "reject", {}),
    ("post", "reject", {}),
    ("get", "document", {"position": 0}),
    ("get", "evidence", {}),
    ("get", "certificate", {}),
]


@pytest.mark.parametrize(("method", "name", "kwargs"), ROUTES)
def test_another_person_gets_a_404_with_none_of_the_holders_data_and_nothing_changes(
    available: Notification, method: str, name: str, kwargs: dict[str, object]
) -> None:
    joan = _client(ANOTHER_CITIZEN)
    with time_machine.travel(LATER, tick=False):
        response = getattr(joan, method)(_url(name, available, **kwargs))
    assert response.status_code == 404
    text = page_text(response)
    for personal in (CITIZEN.nif, "Maria", "Garcia", available.subject, "gual"):
        assert personal not in text
    assert _state(available) == Notification.State.AVAILABLE
    # The same answer as for a notification that does not exist.
    missing = Notification(public_id=uuid.uuid4())
    assert getattr(joan, method)(_url(name, missing, **kwargs)).status_code == 404


@pytest.mark.parametrize(("method", "name", "kwargs"), ROUTES)
def test_anonymous_is_sent_to_identify_with_nothing_shown(
    available: Notification, method: str, name: str, kwargs: dict[str, object]
) -> None:
    url = _url(name, available, **kwargs)
    response = getattr(Client(), method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("identity:login"))
    assert available.subject not in page_text(response)
    assert _state(available) == Notification.State.AVAILABLE


def test_a_representative_certificate_receives_the_entitys_notifications(consenting, organ) -> None:
    """Aina, identified with a representative's certificate of SERVEIS DEL LLEVANT SL, acts for
    the entity (art. 26.2.b, #16 item 2): its notifications are listed and open to her, as its
    representative; with her own certificate alone, they are not hers (404)."""
    to_entity = send(organ, ENTITY, now=FRIDAY, subject="Notificació a l'entitat")
    aina = _client(REPRESENTATIVE, represented=ENTITY)
    assert "Notificació a l'entitat" in page_text(aina.get(LIST))
    assert aina.get(_url("detail", to_entity)).status_code == 200
    alone = _client(REPRESENTATIVE)
    assert "Notificació a l'entitat" not in page_text(alone.get(LIST))
    assert alone.get(_url("detail", to_entity)).status_code == 404


def test_a_malformed_identifier_is_a_404(available: Notification) -> None:
    maria = _client(CITIZEN)
    assert maria.get(f"{LIST}no-es-un-uuid/").status_code == 404
    assert maria.get(f"{LIST}{available.public_id}/documents/x/").status_code == 404
    assert maria.get(_url("document", available, position=7)).status_code == 302  # not open yet


def test_the_list_asks_for_the_level_personal_data_need(available: Notification) -> None:
    response = _client(CITIZEN, loa=LoA.LOW).get(LIST)
    assert response.status_code == 403
    text = page_text(response)
    assert "Cal un nivell d'identificació més alt" in text
    assert available.subject not in text


def test_below_the_notifications_level_the_level_page_answers_and_nothing_changes(
    consenting, organ
) -> None:
    high = send(organ, CITIZEN, now=FRIDAY, required_loa=LoA.HIGH, subject="Exigeix nivell alt")
    maria = _client(CITIZEN)  # substantial
    with time_machine.travel(LATER, tick=False):
        for response in (
            maria.get(_url("detail", high)),
            maria.post(_url("accept", high)),
            maria.get(_url("reject", high)),
            maria.post(_url("reject", high)),
            maria.get(_url("evidence", high)),
        ):
            assert response.status_code == 403
            text = page_text(response)
            assert "Cal un nivell d'identificació més alt" in text
            assert "nivell=high" in text  # the identification it offers is at that level
    assert _state(high) == Notification.State.AVAILABLE
    assert not high.events.filter(event__in=["accessed", "rejected"]).exists()


# --- Opening, rejecting ------------------------------------------------------------------------


def test_reading_the_pages_never_changes_the_state(available: Notification) -> None:
    maria = _client(CITIZEN)
    with time_machine.travel(LATER, tick=False):
        detail = maria.get(_url("detail", available))
        assert detail.status_code == 200
        text = page_text(detail)
        assert "Si l'obriu ara, la notificació es considerarà practicada" in text
        assert "Acceptar i obrir" in text and "Rebutjar" in text
        assert available.exit_entry.number and available.exit_entry.number in text
        assert "Documents notificats" not in text  # the content only after the outcome
        assert maria.get(_url("accept", available))["Location"] == _url("detail", available)
        assert maria.get(_url("reject", available)).status_code == 200
        assert maria.get(_url("document", available, position=0)).status_code == 302
        assert maria.get(_url("evidence", available)).status_code == 200
        assert maria.get(_url("certificate", available)).status_code == 404
        assert maria.get(LIST).status_code == 200
    assert _state(available) == Notification.State.AVAILABLE
    assert list(available.events.values_list("event", flat=True)) == [
        "created",
        "available",
        "notice",
    ]


def test_accepting_practises_it_and_then_the_documents_download_as_sealed(
    available: Notification,
) -> None:
    maria = _client(CITIZEN)
    with time_machine.travel(LATER, tick=False):
        response = maria.post(_url("accept", available), REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 302 and response["Location"] == _url("detail", available)
    available.refresh_from_db()
    assert available.state == Notification.State.ACCESSED
    assert (available.outcome_at, available.outcome_role) == (LATER, "holder")
    event = available.events.get(event="accessed")
    assert event.ip_address == "203.0.113.7"

    text = page_text(maria.get(_url("detail", available)))
    assert "Heu obert la notificació" in text
    assert "Documents notificats" in text and "Acceptar i obrir" not in text
    assert "Oberta (practicada) per Maria Garcia Ferrer, com a persona interessada" in text
    assert "Identificació: Cl@ve, nivell substancial" in text
    assert "s'està preparant" in text  # the certificate, until the sweep issues it

    download = maria.get(_url("document", available, position=0))
    assert download.status_code == 200
    document = available.notification_documents.get().document
    assert download.content == document.current_version().blob.read()
    assert download["Content-Type"] == "application/pdf"
    number = (available.exit_entry.number or "").replace("/", "-")
    assert download["Content-Disposition"] == f'attachment; filename="{number}-1.pdf"'
    assert "private" in download["Cache-Control"] and "no-store" in download["Cache-Control"]

    evidence = maria.get(_url("evidence", available))
    assert evidence.status_code == 200 and available.evidence is not None
    assert evidence.content == available.evidence.current_version().blob.read()
    assert evidence["Content-Disposition"].startswith("attachment")

    # A second acceptance changes nothing and says why.
    with time_machine.travel(LATER + dt.timedelta(hours=1), tick=False):
        again = maria.post(_url("accept", available), follow=True)
    assert "ja no està pendent" in page_text(again)
    available.refresh_from_db()
    assert available.outcome_at == LATER


def test_the_certificate_downloads_once_issued(available: Notification, organ) -> None:
    maria = _client(CITIZEN)
    with time_machine.travel(LATER, tick=False):
        maria.post(_url("accept", available))
    assert maria.get(_url("certificate", available)).status_code == 404
    certificate = sealed_document(organ, title="Certificat de la notificació")
    Notification.objects.filter(pk=available.pk).update(certificate=certificate)
    text = page_text(maria.get(_url("detail", available)))
    assert _url("certificate", available) in text and certificate.csv_display in text
    download = maria.get(_url("certificate", available))
    assert download.status_code == 200
    assert download.content == certificate.current_version().blob.read()
    assert download["Content-Disposition"].startswith('attachment; filename="certificat-')


def test_a_replaced_document_is_refused_not_served(available: Notification, organ) -> None:
    maria = _client(CITIZEN)
    with time_machine.travel(LATER, tick=False):
        maria.post(_url("accept", available))
    document = available.notification_documents.get().document
    stored = Path(document.current_version().blob.file.path)
    stored.write_bytes(sealed_document(organ).current_version().blob.read())
    response = maria.get(_url("document", available, position=0))
    assert response.status_code == 409
    assert response["Content-Type"].startswith("text/html")
    assert IntegrityIncident.objects.filter(version__document=document).count() == 1


def test_rejecting_asks_first_then_is_recorded_and_the_content_stays_available(
    available: Notification,
) -> None:
    maria = _client(CITIZEN)
    with time_machine.travel(LATER, tick=False):
        confirmation = page_text(maria.get(_url("reject", available)))
        assert "Voleu rebutjar aquesta notificació?" in confirmation
        assert "art. 41.5 de la Llei 39/2015" in confirmation
        assert "efectes d'una notificació practicada" in confirmation
        assert _state(available) == Notification.State.AVAILABLE
        response = maria.post(_url("reject", available), follow=True)
    assert _state(available) == Notification.State.REJECTED
    text = page_text(response)
    assert "Heu rebutjat la notificació" in text
    assert "Rebutjada per Maria Garcia Ferrer, com a persona interessada" in text
    assert "Documents notificats" in text
    assert maria.get(_url("document", available, position=0)).status_code == 200


def test_accepting_after_the_expiry_shows_it_expired(available: Notification) -> None:
    assert available.expires_at is not None
    maria = _client(CITIZEN)
    with time_machine.travel(available.expires_at + dt.timedelta(seconds=1), tick=False):
        response = maria.post(_url("accept", available), follow=True)
    assert response.status_code == 200
    assert _state(available) == Notification.State.EXPIRED
    text = page_text(response)
    assert "El termini per obrir aquesta notificació ha vençut" in text
    assert "Rebutjada per haver passat el termini" in text
    assert "no s'ha obert en el termini de deu dies naturals" in text
    assert "Acceptar i obrir" not in text
    assert maria.get(_url("document", available, position=0)).status_code == 200


def test_a_representative_opens_it_and_the_holder_sees_who_and_how(consenting, organ) -> None:
    notification = send(
        organ, ANOTHER_CITIZEN, representative=CITIZEN, now=FRIDAY, subject="Per al representant"
    )
    maria = _client(CITIZEN)
    text = page_text(maria.get(_url("detail", notification)))
    assert "Com a representant de Joan Pons Marti" in text
    # The notice to Maria shows her address; Joan's only his name, never his address.
    assert "a la vostra adreça, maria@exemple.cat" in text
    assert "Avís enviat per correu electrònic a Joan Pons Marti" in text
    assert "joan@exemple.cat" not in text
    with time_machine.travel(LATER, tick=False):
        maria.post(_url("accept", notification))
    notification.refresh_from_db()
    assert (notification.state, notification.outcome_role) == ("accessed", "representative")
    holder_view = page_text(_client(ANOTHER_CITIZEN).get(_url("detail", notification)))
    assert (
        "Oberta (practicada) per Maria Garcia Ferrer (12345678Z) en representació de "
        "Joan Pons Marti (X1234567L)"
    ) in holder_view
    assert "maria@exemple.cat" not in holder_view


def test_a_communication_is_only_opened_never_rejected(consenting, organ) -> None:
    communication = send(
        organ, CITIZEN, kind=Notification.Kind.COMMUNICATION, now=FRIDAY, subject="Comunicació"
    )
    maria = _client(CITIZEN)
    text = page_text(maria.get(_url("detail", communication)))
    assert "quedarà constància que l'heu llegida" in text
    assert "Rebutjar" not in text and "considerarà practicada" not in text
    assert maria.get(_url("reject", communication))["Location"] == _url("detail", communication)
    refused = page_text(maria.post(_url("reject", communication), follow=True))
    assert "Una comunicació no es pot rebutjar" in refused
    assert _state(communication) == Notification.State.AVAILABLE
    with time_machine.travel(LATER, tick=False):
        opened = page_text(maria.post(_url("accept", communication), follow=True))
    assert _state(communication) == Notification.State.ACCESSED
    assert "Heu obert la comunicació" in opened


def test_the_history_tells_an_extension_in_words(available: Notification) -> None:
    clock.declare_impossibility(
        notification=available,
        reason="Caiguda del servei de notificacions",
        at_request_of_person=True,
        acting_user=UserFactory.create(staff=True),
        now=LATER,
    )
    available.refresh_from_db()
    text = page_text(_client(CITIZEN).get(_url("detail", available)))
    assert "Impossibilitat d'accés declarada. Nou venciment: " in text
    assert calendar.format_instant(available.expires_at) in text
    assert "Motiu: Caiguda del servei de notificacions" in text
    assert NotificationEvent.objects.filter(notification=available).count() >= 4


def test_the_pages_speak_spanish_and_english(available: Notification) -> None:
    maria = _client(CITIZEN)
    detail = _url("detail", available)  # before a request under /es/ makes Spanish active
    spanish = page_text(maria.get("/es" + LIST))
    assert "Mis notificaciones" in spanish
    assert "Se considerará rechazada si no la abre antes del" in spanish
    english = page_text(maria.get("/en" + detail))
    assert "Accept and open" in english and "Waiting to be opened" in english
