"""Filing a request asks for the consent to electronic notification when the person has none
(issue 14 item 1; art. 32.2: "haurà de manifestar de forma expressa la seva acceptació"). The
registry asks through ``registre.hooks``; notifications answer and record it with
``services.give_consent``, in the filing's transaction: both or neither."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from notificacions import services
from notificacions.models import NotificationConsent
from registre import services as registre
from registre.models import FilingDraft, RegistryEntry
from seu.models import Identification, LoA, Person
from tests.actors import CITIZEN, ENTITY, REPRESENTATIVE
from tests.support.filing import (
    CONFIRM_URL,
    FILE_URL,
    REVIEW_URL,
    draft_of,
    fill,
    log_in,
    page_text,
)
from tests.support.notifications import consent_of

pytestmark = pytest.mark.django_db

QUESTION = "Com voleu rebre les notificacions d'aquesta sol·licitud?"
PREFERENCES_URL = reverse("notificacions:preferences")
SUBJECT = "Llicència de gual al carrer Major"


@pytest.fixture
def citizen(client: Client, town_hall: Any, organ: Any) -> tuple[Client, Identification]:
    """Maria, identified at the substantial level, with a request ready to confirm."""
    identification = log_in(client)
    response = client.post(FILE_URL, fill(organ, contact_email="maria@exemple.cat"))
    assert response.status_code == 302 and response["Location"] == REVIEW_URL
    return client, identification


def answer(client: Client, prefix: str = "", **fields: str) -> Any:
    """Confirm the review with the question answered as ``fields``."""
    data = {"draft": str(draft_of(client).public_id), "notification_question": "consent"}
    data.update(fields)
    return client.post(prefix + CONFIRM_URL, data)


def consents() -> list[NotificationConsent]:
    return list(NotificationConsent.objects.order_by("pk"))


def test_a_person_without_a_consent_decision_is_asked_with_the_contact_e_mail_offered(
    citizen: tuple[Client, Identification],
) -> None:
    client, _identification = citizen
    page = client.get(REVIEW_URL)
    text = page_text(page)
    assert page.status_code == 200
    assert QUESTION in text
    assert 'name="notification_channel" type="radio" value="electronic"' in text
    assert 'name="notification_channel" type="radio" value="paper"' in text
    assert "checked" not in text  # an express choice: nothing chosen for the person
    assert 'id="notification_email"' in text and 'value="maria@exemple.cat"' in text
    # The declaration the person accepts is on the page, word for word.
    assert services.declaration(services.Change.GIVEN, while_filing=True) in text


@pytest.mark.parametrize("decision", ["given", "revoked"])
def test_a_person_who_decided_already_is_not_asked_and_is_told_how_they_will_be_notified(
    client: Client, town_hall: Any, organ: Any, decision: str
) -> None:
    given = consent_of(CITIZEN, email="avisos@maria.cat")
    if decision == "revoked":
        services.revoke_consent(identification=given)
    log_in(client)
    client.post(FILE_URL, fill(organ))

    text = page_text(client.get(REVIEW_URL))

    assert QUESTION not in text and "notification_channel" not in text
    assert f'href="{PREFERENCES_URL}"' in text
    if decision == "given":
        assert (
            "per mitjans electrònics, a la seu electrònica, amb un avís a avisos@maria.cat" in text
        )
    else:
        assert "us arribaran en paper, perquè heu revocat la notificació electrònica" in text
    before = consents()
    response = client.post(CONFIRM_URL, {"draft": str(draft_of(client).public_id)})
    assert response.status_code == 302 and RegistryEntry.objects.count() == 1
    assert consents() == before


def test_choosing_electronic_files_and_records_the_consent_given_while_filing(
    citizen: tuple[Client, Identification],
) -> None:
    client, identification = citizen

    response = answer(client, notification_channel="electronic", notification_email="m@maria.cat")

    assert response.status_code == 302, page_text(response)
    entry = RegistryEntry.objects.get()
    consent = NotificationConsent.objects.get()
    assert consent.person == Person.objects.get(nif=CITIZEN.nif)
    assert consent.identification == identification == entry.identification
    assert (consent.change, consent.state, consent.scope) == ("given", "given", "all")
    assert consent.email == "m@maria.cat"
    assert consent.at == entry.registered_at
    assert consent.text == services.declaration(services.Change.GIVEN, while_filing=True)
    assert "en presentar una sol·licitud al registre electrònic" in consent.text
    assert consent.shown_text == consent.text and consent.language == "ca"
    # From now on it is electronic, and the next request does not ask again.
    assert consent.covers(None)
    history = page_text(client.get(PREFERENCES_URL))
    assert "Consentiment atorgat" in history and "Avisos a m@maria.cat" in history


def test_a_bad_e_mail_files_nothing_and_keeps_the_request_and_what_was_typed(
    citizen: tuple[Client, Identification],
) -> None:
    client, _identification = citizen

    response = answer(client, notification_channel="electronic", notification_email="maria@")

    assert response.status_code == 400
    text = page_text(response)
    assert "Error: Revisau la sol·licitud" in text
    assert "L'adreça electrònica «maria@» no és vàlida: revisau-la." in text
    assert 'href="#notification_email"' in text  # the summary leads to the field
    assert 'value="maria@"' in text  # as typed
    assert 'value="electronic" aria-describedby="notification_channel-electronic-hint" checked' in (
        text
    )
    assert SUBJECT in text  # the request, kept in its draft
    assert not RegistryEntry.objects.exists() and not consents()
    assert FilingDraft.objects.get().entry is None

    fixed = answer(
        client, notification_channel="electronic", notification_email="maria@exemple.cat"
    )
    assert fixed.status_code == 302
    assert str(RegistryEntry.objects.get().number).endswith("/000001")  # no number was lost
    assert [consent.email for consent in consents()] == ["maria@exemple.cat"]


def test_no_choice_files_nothing_and_says_to_choose(
    citizen: tuple[Client, Identification],
) -> None:
    client, _identification = citizen

    response = answer(client, notification_email="maria@exemple.cat")

    assert response.status_code == 400
    text = page_text(response)
    assert "Triau com voleu rebre les notificacions." in text
    assert 'href="#notification_channel-electronic"' in text
    assert not RegistryEntry.objects.exists() and not consents()


def test_the_message_is_in_the_persons_language(
    citizen: tuple[Client, Identification],
) -> None:
    client, _identification = citizen

    response = answer(client, "/es", notification_channel="electronic", notification_email="x@")

    assert response.status_code == 400
    text = page_text(response)
    assert "¿Cómo quiere recibir las notificaciones de esta solicitud?" in text
    assert "no es válida" in text and "no és vàlida" not in text


def test_choosing_paper_records_nothing_files_and_asks_again_next_time(
    citizen: tuple[Client, Identification], organ: Any
) -> None:
    client, _identification = citizen

    response = answer(client, notification_channel="paper", notification_email="maria@exemple.cat")

    assert response.status_code == 302 and RegistryEntry.objects.count() == 1
    assert not consents()
    client.post(FILE_URL, fill(organ))
    assert QUESTION in page_text(client.get(REVIEW_URL))


def test_a_confirmation_page_without_the_question_files_on_paper_recording_nothing(
    citizen: tuple[Client, Identification],
) -> None:
    client, _identification = citizen
    response = client.post(
        CONFIRM_URL,
        {
            "draft": str(draft_of(client).public_id),
            "notification_channel": "electronic",
            "notification_email": "maria@exemple.cat",
        },
    )
    assert response.status_code == 302 and RegistryEntry.objects.count() == 1
    assert not consents()


def test_if_the_filing_fails_the_consent_given_with_it_is_not_recorded(
    citizen: tuple[Client, Identification], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, _identification = citizen

    def broken(*args: object, **kwargs: object) -> None:
        raise registre.documents.rendering.RenderError("the seal is unavailable")

    monkeypatch.setattr(registre.documents, "seal_rendered", broken)
    response = answer(client, notification_channel="electronic", notification_email="m@maria.cat")

    assert response.status_code == 503
    text = page_text(response)
    assert "NO s'ha registrat res" in text
    assert 'value="m@maria.cat"' in text  # the answer, as typed, for another try
    assert not RegistryEntry.objects.exists() and not consents()


def test_someone_acting_for_an_entity_is_not_asked(
    client: Client, town_hall: Any, organ: Any
) -> None:
    log_in(client, REPRESENTATIVE, represented_entity=ENTITY)
    client.post(FILE_URL, fill(organ))
    text = page_text(client.get(REVIEW_URL))
    assert QUESTION not in text
    assert "una persona jurídica està obligada a relacionar-se electrònicament" in text

    response = answer(client, notification_channel="electronic", notification_email="a@b.cat")
    assert response.status_code == 302 and not consents()


def test_below_the_personal_data_level_the_person_is_not_asked_nor_can_consent(
    client: Client, town_hall: Any, organ: Any
) -> None:
    log_in(client, loa=LoA.LOW)
    client.post(FILE_URL, fill(organ))
    text = page_text(client.get(REVIEW_URL))
    assert QUESTION not in text
    assert "cal identificar-vos amb un nivell substancial o alt" in text

    response = answer(client, notification_channel="electronic", notification_email="a@b.cat")
    assert response.status_code == 302 and not consents()
