"""Consent to electronic notification (issue 14 item 1; art. 32.1-32.4): an identified person
gives it with the address for the notices, changes the address, revokes it; each change is a new
row with its instant, the identification used and the text consented to, word for word; the page
shows the person's own history only, asks for the level personal data need, and refuses bad input
in the person's language keeping what was typed."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from notificacions import selectors, services
from notificacions.models import NotificationConsent
from seu.errors import InvalidInput
from seu.models import LoA, Person
from tests.actors import ANOTHER_CITIZEN, CITIZEN, identify
from tests.support.filing import page_text

pytestmark = pytest.mark.django_db

PREFERENCES = reverse("notificacions:preferences")
ADDRESS = reverse("notificacions:change_address")
REVOKE = reverse("notificacions:revoke")
GIVE = {"email": "maria@exemple.cat", "accept": "on"}


def _at(hour: int) -> dt.datetime:
    return dt.datetime(2026, 12, 4, hour, 0, tzinfo=dt.UTC)


def test_a_person_gives_changes_and_revokes_consent_and_every_step_is_kept(
    client: Client, town_hall
) -> None:
    identification = identify(client, CITIZEN, loa=LoA.SUBSTANTIAL)
    assert "No l'heu acceptada" in page_text(client.get(PREFERENCES))

    with time_machine.travel(_at(9), tick=False):
        response = client.post(PREFERENCES, GIVE)
    assert response.status_code == 302 and response["Location"] == PREFERENCES
    person = Person.objects.get(nif=CITIZEN.nif)
    current = selectors.current_consent(person)
    assert current is not None and current.covers("any-procedure")
    assert (current.email, current.scope, current.at) == ("maria@exemple.cat", "all", _at(9))
    assert current.identification == identification

    with time_machine.travel(_at(10), tick=False):
        client.post(ADDRESS, {"email": "feina@exemple.cat"})
    current = selectors.current_consent(person)
    assert current is not None and current.is_given and current.email == "feina@exemple.cat"

    assert "Voleu revocar el consentiment" in page_text(client.get(REVOKE))
    assert selectors.current_consent(person).is_given  # type: ignore[union-attr]  # asking is not revoking
    with time_machine.travel(_at(11), tick=False):
        response = client.post(REVOKE)
    assert response.status_code == 302
    current = selectors.current_consent(person)
    assert current is not None and not current.covers() and current.email == ""

    history = list(selectors.consent_history(person))
    assert [(row.change, row.state, row.email, row.at) for row in history] == [
        ("revoked", "revoked", "", _at(11)),
        ("address", "given", "feina@exemple.cat", _at(10)),
        ("given", "given", "maria@exemple.cat", _at(9)),
    ]
    text = page_text(client.get(PREFERENCES))
    for shown in ("Consentiment revocat", "Adreça dels avisos canviada", "Consentiment atorgat"):
        assert shown in text
    assert "Avisos a feina@exemple.cat" in text and "Avisos a maria@exemple.cat" in text


def test_the_text_consented_is_stored_word_for_word_in_catalan_and_as_shown(
    client: Client, town_hall
) -> None:
    identify(client, CITIZEN, loa=LoA.SUBSTANTIAL)
    page = page_text(client.get("/es" + PREFERENCES))
    client.post("/es" + PREFERENCES, GIVE)
    consent = NotificationConsent.objects.get()
    assert consent.language == "es"
    assert consent.text.startswith("La persona interessada accepta de manera expressa")
    assert "deu dies naturals" in consent.text
    assert consent.shown_text != consent.text
    assert consent.shown_text in page  # what the person read is what is kept


def test_the_address_offered_is_the_one_kept_in_my_data(client: Client, town_hall) -> None:
    identify(client, CITIZEN, loa=LoA.SUBSTANTIAL)
    client.post(
        reverse("identity:my_data"),
        {"email": "casa@exemple.cat", "phone": "", "postal_address": ""},
    )
    assert 'value="casa@exemple.cat"' in page_text(client.get(PREFERENCES))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "maria@@exemple", "accept": "on"}, "no és vàlida"),
        ({"email": "", "accept": "on"}, "Indicau l'adreça electrònica"),
        ({"email": "maria@exemple.cat"}, "cal que ho accepteu de manera expressa"),
    ],
)
def test_bad_input_is_refused_in_catalan_and_what_was_typed_stays(
    client: Client, town_hall, data: dict[str, str], message: str
) -> None:
    identify(client, CITIZEN, loa=LoA.SUBSTANTIAL)
    response = client.post(PREFERENCES, data)
    assert response.status_code == 400
    text = page_text(response)
    assert message in text
    assert f'value="{data["email"]}"' in text
    assert ("checked" in text) == ("accept" in data)
    assert not NotificationConsent.objects.exists()


def test_a_bad_address_is_refused_in_spanish_on_the_spanish_page(client: Client, town_hall) -> None:
    identify(client, CITIZEN, loa=LoA.SUBSTANTIAL)
    client.post(PREFERENCES, GIVE)
    response = client.post("/es" + ADDRESS, {"email": "feina@"})
    assert response.status_code == 400
    text = page_text(response)
    assert "La dirección electrónica «feina@» no es válida" in text
    assert 'value="feina@"' in text
    assert NotificationConsent.objects.count() == 1


def test_another_persons_history_is_never_shown_nor_changed(client: Client, town_hall) -> None:
    identify(client, CITIZEN, loa=LoA.SUBSTANTIAL)
    client.post(PREFERENCES, GIVE)
    other = Client()
    identify(other, ANOTHER_CITIZEN, loa=LoA.SUBSTANTIAL)
    text = page_text(other.get(PREFERENCES))
    assert "maria@exemple.cat" not in text and "No l'heu acceptada" in text
    other.post(REVOKE)
    other.post(ADDRESS, {"email": "joan@exemple.cat"})
    maria = selectors.current_consent(Person.objects.get(nif=CITIZEN.nif))
    assert maria is not None and maria.is_given and maria.email == "maria@exemple.cat"
    assert selectors.current_consent(Person.objects.get(nif=ANOTHER_CITIZEN.nif)) is None


def test_an_anonymous_visitor_is_sent_to_identify(client: Client, town_hall) -> None:
    for url in (PREFERENCES, REVOKE):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("identity:login"))
    assert client.post(PREFERENCES, GIVE).status_code == 302
    assert not NotificationConsent.objects.exists()


def test_a_low_level_is_asked_to_identify_again_at_the_level_personal_data_need(
    client: Client, town_hall
) -> None:
    identify(client, CITIZEN, loa=LoA.LOW)
    response = client.get(PREFERENCES)
    assert response.status_code == 403
    assert "nivell=substantial" in page_text(response)  # the way to step up
    assert client.post(PREFERENCES, GIVE).status_code == 403
    assert not NotificationConsent.objects.exists()


def test_giving_or_revoking_twice_records_once(town_hall) -> None:
    identification = identify(Client(), CITIZEN, loa=LoA.SUBSTANTIAL)
    for _ in range(2):
        services.give_consent(identification=identification, email="m@exemple.cat", accepted=True)
    services.change_notice_address(identification=identification, email="m@exemple.cat")
    for _ in range(2):
        services.revoke_consent(identification=identification)
    assert [row.change for row in selectors.consent_history(identification.person)] == [
        "revoked",
        "given",
    ]


def test_without_consent_the_address_cannot_change_nor_be_revoked(town_hall) -> None:
    identification = identify(Client(), CITIZEN, loa=LoA.SUBSTANTIAL)
    with pytest.raises(InvalidInput):
        services.change_notice_address(identification=identification, email="m@exemple.cat")
    with pytest.raises(InvalidInput):
        services.revoke_consent(identification=identification)
    assert not NotificationConsent.objects.exists()


def test_a_consent_for_chosen_procedures_covers_only_those(town_hall) -> None:
    identification = identify(Client(), CITIZEN, loa=LoA.SUBSTANTIAL)
    consent = services.give_consent(
        identification=identification,
        email="m@exemple.cat",
        accepted=True,
        procedure_codes=[" LLIC-OBRA ", "GUAL", "GUAL"],
        language="ca",
    )
    assert consent.scope == "procedures" and consent.procedure_codes == ["GUAL", "LLIC-OBRA"]
    assert consent.covers("GUAL") and not consent.covers("PADRO") and not consent.covers()
    assert "dels tràmits GUAL, LLIC-OBRA" in consent.text
    changed = services.change_notice_address(identification=identification, email="n@exemple.cat")
    assert changed.procedure_codes == ["GUAL", "LLIC-OBRA"]


def test_my_data_links_to_the_preferences(client: Client, town_hall) -> None:
    identify(client, CITIZEN, loa=LoA.SUBSTANTIAL)
    assert f'href="{PREFERENCES}"' in page_text(client.get(reverse("identity:my_data")))
