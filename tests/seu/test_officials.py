"""Identification by an authorised official (art. 14): an official in the register identifies a
citizen who has no means of their own, records their express consent and acts on their behalf;
the register itself is kept in the back-office (art. 14.3)."""

from __future__ import annotations

import datetime as dt
from typing import cast

import pytest
from django.contrib.auth.models import User
from django.test import Client

from seu import identity
from seu.identity.officials import (
    NotAnAuthorisedOfficial,
    consent_text,
    identify_on_behalf,
    local_today,
)
from seu.models import AuthorisedOfficial, Identification, LoA, Person
from tests.conftest import log_in_to_back_office
from tests.factories import AuthorisedOfficialFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGE = "/gestio/identificar-persona/"
CITIZEN = {
    "nif": "12345678z",
    "given_name": "Margalida",
    "surnames": "Sureda Nicolau",
    "email": "margalida@example.org",
    "consent": "on",
}


@pytest.fixture
def official(clerk: User) -> AuthorisedOfficial:
    return cast(AuthorisedOfficial, AuthorisedOfficialFactory.create(user=clerk))


@pytest.fixture
def official_client(client: Client, official: AuthorisedOfficial) -> Client:
    log_in_to_back_office(client, official.user)
    return client


def nothing_recorded() -> bool:
    return not Identification.objects.exists() and not Person.objects.exists()


# --- The flow ----------------------------------------------------------------------------------


def test_an_official_identifies_a_citizen_and_the_consent_is_recorded(
    official_client: Client, official: AuthorisedOfficial
) -> None:
    page = official_client.get(PAGE)
    assert page.status_code == 200
    shown_consent = consent_text(official)
    assert shown_consent in page.content.decode().replace("&#x27;", "'")
    assert "Aina Mascaró Riera" in shown_consent and "article 14" in shown_consent

    response = official_client.post(PAGE, CITIZEN)

    assert response.status_code == 302
    assert response["Location"] == "/"
    identification = Identification.objects.get()
    assert identification.method == Identification.Method.AUTHORISED_OFFICIAL
    assert identification.loa == LoA.SUBSTANTIAL
    assert identification.official == official
    assert identification.provider == "Aina Mascaró Riera"
    assert identification.consent_text == shown_consent
    assert identification.ip_address == "127.0.0.1"
    assert local_today(identification.at) == local_today()
    person = identification.person
    assert (person.nif, person.given_name, person.surnames, person.email) == (
        "12345678Z",
        "Margalida",
        "Sureda Nicolau",
        "margalida@example.org",
    )
    # The official now acts on the citizen's behalf in the portal ...
    assert official_client.session[identity.SESSION_KEY] == identification.pk


def test_the_portal_shows_that_the_session_is_assisted_and_by_whom(
    official_client: Client,
) -> None:
    official_client.post(PAGE, CITIZEN)

    home = official_client.get("/")

    assert home.status_code == 200
    text = home.text
    assert 'class="seu-assisted"' in text
    assert (
        "Aina Mascaró Riera, personal funcionari habilitat, actua en nom de "
        "Margalida Sureda Nicolau" in text
    )
    assert "Sessió assistida iniciada" in text  # the message after the redirect
    assert 'action="/identificacio/sortir/"' in text


def test_the_citizen_sees_the_identification_and_the_official_in_their_list(
    official_client: Client,
) -> None:
    official_client.post(PAGE, CITIZEN)

    mine = official_client.get("/identificacio/les-meves/")

    assert mine.status_code == 200
    assert "Funcionari habilitat" in mine.text or "funcionari habilitat" in mine.text
    assert "identificació feta pel funcionari habilitat Aina Mascaró Riera" in mine.text


def test_ending_the_assisted_session_keeps_the_official_in_the_back_office(
    official_client: Client,
) -> None:
    official_client.post(PAGE, CITIZEN)

    official_client.post("/identificacio/sortir/")

    assert identity.SESSION_KEY not in official_client.session
    assert 'class="seu-assisted"' not in official_client.get("/").text
    assert official_client.get("/gestio/").status_code == 200
    assert Identification.objects.count() == 1  # the record stays (art. 14.2)


def test_a_person_already_known_is_brought_up_to_date_not_duplicated(
    official_client: Client,
) -> None:
    Person.objects.create(nif="12345678Z", kind="natural", given_name="Margalida")

    official_client.post(PAGE, CITIZEN)

    assert Person.objects.get().surnames == "Sureda Nicolau"


def test_the_back_office_home_offers_the_page_to_enabled_officials_only(
    official_client: Client, administrator: User
) -> None:
    assert PAGE in official_client.get("/gestio/").text

    other = Client()
    log_in_to_back_office(other, administrator)
    assert PAGE not in other.get("/gestio/").text


# --- Who may not -------------------------------------------------------------------------------


def test_a_clerk_not_in_the_register_cannot_identify_anyone(client: Client, clerk: User) -> None:
    log_in_to_back_office(client, clerk)

    page = client.get(PAGE)
    response = client.post(PAGE, CITIZEN)

    for refused in (page, response):
        assert refused.status_code == 403
        assert "registre de funcionariat habilitat" in refused.text
        assert "No s'ha registrat cap identificació" in refused.text
    assert nothing_recorded()
    assert identity.SESSION_KEY not in client.session


@pytest.mark.parametrize(
    ("enabled_from", "enabled_until"),
    [(-365, -1), (1, None)],
    ids=["enablement-expired", "enablement-not-yet-started"],
)
def test_an_official_outside_their_enablement_cannot_identify_anyone(
    client: Client, clerk: User, enabled_from: int, enabled_until: int | None
) -> None:
    today = local_today()
    AuthorisedOfficialFactory.create(
        user=clerk,
        enabled_from=today + dt.timedelta(days=enabled_from),
        enabled_until=today + dt.timedelta(days=enabled_until) if enabled_until else None,
    )
    log_in_to_back_office(client, clerk)

    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, CITIZEN).status_code == 403
    assert nothing_recorded()


def test_the_last_day_of_an_enablement_still_counts(client: Client, clerk: User) -> None:
    AuthorisedOfficialFactory.create(user=clerk, enabled_until=local_today())
    log_in_to_back_office(client, clerk)

    assert client.post(PAGE, CITIZEN).status_code == 302
    assert Identification.objects.count() == 1


def test_the_service_itself_refuses_someone_not_in_the_register(clerk: User) -> None:
    with pytest.raises(NotAnAuthorisedOfficial):
        identify_on_behalf(acting_user=clerk, person=identity.PersonData(nif="12345678Z"))
    assert nothing_recorded()


def test_an_anonymous_visitor_or_a_password_only_session_is_sent_to_log_in(
    client: Client, official: AuthorisedOfficial
) -> None:
    assert client.get(PAGE)["Location"] == f"/gestio/login/?next={PAGE}"

    client.force_login(official.user)  # password, but no second factor
    response = client.post(PAGE, CITIZEN)

    assert response.status_code == 302
    assert response["Location"].startswith("/gestio/login/")
    assert nothing_recorded()


# --- Form errors -------------------------------------------------------------------------------


def test_without_the_express_consent_nothing_is_recorded(official_client: Client) -> None:
    response = official_client.post(PAGE, {**CITIZEN, "consent": ""})

    assert response.status_code == 200
    assert "Sense el consentiment exprés" in str(response.context["form"].errors["consent"])
    assert nothing_recorded()
    assert identity.SESSION_KEY not in official_client.session


def test_an_invalid_nif_is_a_form_error_and_nothing_is_recorded(
    official_client: Client,
) -> None:
    response = official_client.post(PAGE, {**CITIZEN, "nif": "12345678A"})

    assert response.status_code == 200
    assert "no és vàlid" in str(response.context["form"].errors["nif"])
    assert nothing_recorded()


def test_a_natural_person_needs_a_name_and_surnames(official_client: Client) -> None:
    response = official_client.post(PAGE, {**CITIZEN, "given_name": "", "surnames": ""})

    errors = response.context["form"].errors
    assert set(errors) == {"given_name", "surnames"}
    assert nothing_recorded()


def test_an_entity_is_not_identified_by_its_tax_number_alone(official_client: Client) -> None:
    # #16 item 6: the official identifies the natural person; the entity goes apart, with a power
    # (tests/seu/test_assisted_entity.py).
    response = official_client.post(
        PAGE, {"nif": "B12345674", "legal_name": "Forn Cardassar SL", "consent": "on"}
    )

    assert "Identificau la persona física que actua" in " ".join(
        response.context["form"].errors["nif"]
    )
    assert nothing_recorded()


# --- The register (art. 14.3) ------------------------------------------------------------------

REGISTER = "/gestio/seu/authorisedofficial/"


def register_entry(user: User, **overrides: str) -> dict[str, object]:
    return {
        "user": user.pk,
        "nif": "00000000t",
        "full_name": "Aina Mascaró Riera",
        "position": "Auxiliar administrativa",
        "enabled_from": "2026-01-01",
        "enabled_until": "",
        "resolution": "Decret de Batlia 2026/123",
        **overrides,
    }


def test_the_register_records_who_enabled_the_official(
    client: Client, administrator: User, clerk: User
) -> None:
    log_in_to_back_office(client, administrator)

    response = client.post(f"{REGISTER}add/", register_entry(clerk))

    assert response.status_code == 302
    entry = AuthorisedOfficial.objects.get()
    assert entry.enabled_by == administrator
    assert (entry.user, entry.nif, entry.enabled_from, entry.enabled_until) == (
        clerk,
        "00000000T",
        dt.date(2026, 1, 1),
        None,
    )
    listing = client.get(REGISTER)
    assert "Decret de Batlia 2026/123" in listing.text


def test_editing_an_entry_keeps_who_enabled_it(
    client: Client, administrator: User, official: AuthorisedOfficial
) -> None:
    first_admin = cast(User, UserFactory.create(username="secretaria", superuser=True))
    official.enabled_by = first_admin
    official.save()
    log_in_to_back_office(client, administrator)

    response = client.post(
        f"{REGISTER}{official.pk}/change/",
        register_entry(official.user, enabled_until="2026-12-31"),
    )

    assert response.status_code == 302
    official.refresh_from_db()
    assert official.enabled_until == dt.date(2026, 12, 31)
    assert official.enabled_by == first_admin


def test_an_enablement_cannot_end_before_it_starts(
    client: Client, administrator: User, clerk: User
) -> None:
    log_in_to_back_office(client, administrator)

    response = client.post(f"{REGISTER}add/", register_entry(clerk, enabled_until="2025-12-31"))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["enabled_until"]
    assert not AuthorisedOfficial.objects.exists()


def test_only_staff_can_be_entered_in_the_register(client: Client, administrator: User) -> None:
    citizen = cast(User, UserFactory.create(username="ciutadana"))
    log_in_to_back_office(client, administrator)

    response = client.post(f"{REGISTER}add/", register_entry(citizen))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["user"]
    assert not AuthorisedOfficial.objects.exists()


def test_entries_of_the_register_are_never_deleted(
    client: Client, administrator: User, official: AuthorisedOfficial
) -> None:
    log_in_to_back_office(client, administrator)

    response = client.post(f"{REGISTER}{official.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert AuthorisedOfficial.objects.filter(pk=official.pk).exists()


def test_a_clerk_cannot_enter_themselves_in_the_register(client: Client, clerk: User) -> None:
    log_in_to_back_office(client, clerk)

    response = client.post(f"{REGISTER}add/", register_entry(clerk))

    assert response.status_code == 403
    assert not AuthorisedOfficial.objects.exists()


def test_the_back_office_shows_the_identification_with_its_official_and_consent(
    official_client: Client, administrator: User
) -> None:
    official_client.post(PAGE, CITIZEN)
    identification = Identification.objects.get()
    admin_client = Client()
    log_in_to_back_office(admin_client, administrator)

    page = admin_client.get(f"/gestio/seu/identification/{identification.pk}/change/")

    assert page.status_code == 200
    text = page.content.decode().replace("&#x27;", "'")
    assert "Aina Mascaró Riera" in text
    assert identification.consent_text in text
    assert (
        admin_client.post(
            f"/gestio/seu/identification/{identification.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )


def test_a_name_that_starts_with_a_vowel_is_elided_in_the_assisted_session_banner(
    official_client: Client,
) -> None:
    official_client.post(PAGE, CITIZEN | {"given_name": "Antònia", "surnames": "Estelrich Oliver"})

    text = official_client.get("/").text

    assert "actua en nom d&#x27;Antònia Estelrich Oliver" in text or (
        "actua en nom d'Antònia Estelrich Oliver" in text
    )
    assert "en nom de Antònia" not in text
