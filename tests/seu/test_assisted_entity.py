"""Assisted identification of an entity names the person (#16 item 6; art. 14 and 26): the
authorised official identifies the natural person who is present, and the session acts for the
entity only by a power in force that the entity granted to that person."""

from __future__ import annotations

import datetime as dt
from typing import cast

import pytest
from django.contrib.auth.models import User
from django.test import Client

from registre.models import RegistryEntry
from seu import calendar, identity
from seu.identity import representation
from seu.identity.officials import EntityAsPerson, NoRepresentation, identify_on_behalf
from seu.models import AuthorisedOfficial, Identification, LoA, Person, Power
from tests.conftest import log_in_to_back_office
from tests.factories import AuthorisedOfficialFactory, RegistryEntryFactory

pytestmark = pytest.mark.django_db

PAGE = "/gestio/identificar-persona/"
PERSON = identity.PersonData(nif="12345678Z", given_name="Margalida", surnames="Sureda Nicolau")
ENTITY = identity.PersonData(nif="B12345674", legal_name="Forn Cardassar SL")
FORM = {
    "nif": PERSON.nif,
    "given_name": PERSON.given_name,
    "surnames": PERSON.surnames,
    "entity_nif": ENTITY.nif,
    "entity_name": ENTITY.legal_name,
    "consent": "on",
}


@pytest.fixture
def official(clerk: User) -> AuthorisedOfficial:
    return cast(AuthorisedOfficial, AuthorisedOfficialFactory.create(user=clerk))


@pytest.fixture
def official_client(client: Client, official: AuthorisedOfficial) -> Client:
    log_in_to_back_office(client, official.user)
    return client


def identified(data: identity.PersonData) -> Identification:
    return identity.record_identification(
        person=data,
        method=Identification.Method.CLAVE,
        loa=LoA.SUBSTANTIAL,
        evidence=identity.Evidence(provider="Cl@ve"),
    )


def power(
    *,
    accept: bool = True,
    revoke: bool = False,
    scope: str = Power.Scope.GENERAL,
    granted_at: dt.datetime | None = None,
    days: int = 365,
) -> Power:
    """A power the entity grants the person at the seu, accepted (or not), revoked (or not)."""
    granted_at = granted_at or calendar.now() - dt.timedelta(hours=1)
    entity = identified(ENTITY)
    wanted = representation.PowerInput(
        representative_nif=PERSON.nif,
        scope=scope,
        procedure_codes=["LLIC-GUAL"] if scope == Power.Scope.PROCEDURES else [],
        ends_on=calendar.to_local(granted_at).date() + dt.timedelta(days=days),
    )
    granted = representation.grant_power(identification=entity, wanted=wanted, now=granted_at)
    if accept:
        representation.decide_power(
            identification=identified(PERSON),
            public_id=granted.public_id,
            accept=True,
            now=granted_at + dt.timedelta(minutes=1),
        )
    if revoke:
        representation.revoke_power(
            identification=entity,
            public_id=granted.public_id,
            now=granted_at + dt.timedelta(minutes=2),
        )
    granted.refresh_from_db()
    return granted


def entity_entry() -> RegistryEntry:
    return cast(RegistryEntry, RegistryEntryFactory.create(interested=ENTITY))


def no_assisted_identification() -> bool:
    return not Identification.objects.filter(
        method=Identification.Method.AUTHORISED_OFFICIAL
    ).exists()


# --- The person, not the entity ----------------------------------------------------------------


def test_an_official_identifying_an_entity_by_its_tax_number_alone_is_refused(
    official_client: Client, official: AuthorisedOfficial
) -> None:
    response = official_client.post(
        PAGE, {"nif": ENTITY.nif, "entity_name": ENTITY.legal_name, "consent": "on"}
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "Identificau la persona física que actua" in " ".join(errors["nif"])
    assert {"given_name", "surnames"} <= set(errors)
    assert response.text.count('class="errornote"') == 1  # the summary at the top
    assert not Person.objects.exists() and not Identification.objects.exists()
    assert identity.SESSION_KEY not in official_client.session
    with pytest.raises(EntityAsPerson):
        identify_on_behalf(acting_user=official.user, person=ENTITY)
    assert not Identification.objects.exists()


def test_the_entity_field_takes_a_cif_and_its_legal_name(official_client: Client) -> None:
    not_a_cif = official_client.post(PAGE, {**FORM, "entity_nif": "11111111H"})
    no_name = official_client.post(PAGE, {**FORM, "entity_name": ""})

    assert "Indicau el CIF de l'entitat" in " ".join(not_a_cif.context["form"].errors["entity_nif"])
    assert "raó social" in " ".join(no_name.context["form"].errors["entity_name"])
    assert no_assisted_identification()


# --- With a power in force ---------------------------------------------------------------------


def test_a_person_with_a_power_in_force_from_the_entity_acts_for_it_and_sees_its_entries(
    official_client: Client,
) -> None:
    used = power()
    entry = entity_entry()

    response = official_client.post(PAGE, FORM)

    assert response.status_code == 302
    identification = Identification.objects.get(method=Identification.Method.AUTHORISED_OFFICIAL)
    assert identification.person.nif == PERSON.nif
    assert identification.represented_entity is not None
    assert identification.represented_entity.nif == ENTITY.nif
    assert official_client.session[identity.SESSION_KEY] == identification.pk
    # The record says by which power the person acted for the entity.
    assert str(used.public_id) in identification.consent_text
    assert "en representació de Forn Cardassar SL (CIF B12345674)" in identification.consent_text
    assert "general" in identification.consent_text
    home = official_client.get("/").text
    assert "en representació de Forn Cardassar SL" in home  # the message after the redirect
    assert official_client.get(f"/carpeta/registre/{entry.pk}/").status_code == 200
    assert str(entry.number) in official_client.get("/carpeta/").text


def test_a_power_for_some_procedures_also_opens_the_session_and_is_named(
    official_client: Client,
) -> None:
    used = power(scope=Power.Scope.PROCEDURES)

    official_client.post(PAGE, FORM)

    identification = Identification.objects.get(method=Identification.Method.AUTHORISED_OFFICIAL)
    assert identification.represented_entity is not None
    assert str(used.public_id) in identification.consent_text
    assert "per a uns procediments" in identification.consent_text


def test_the_official_cannot_rename_the_entity_that_granted_the_power(
    official_client: Client,
) -> None:
    power()

    official_client.post(PAGE, {**FORM, "entity_name": "Un altre nom SA"})

    assert Person.objects.get(nif=ENTITY.nif).legal_name == ENTITY.legal_name


# --- Without one -------------------------------------------------------------------------------


def revoked() -> Power:
    return power(revoke=True)


def expired() -> Power:
    return power(granted_at=calendar.now() - dt.timedelta(days=60), days=30)


def not_yet_accepted() -> Power:
    return power(accept=False)


def none_at_all() -> None:
    return None


@pytest.mark.parametrize(
    "make", [revoked, expired, not_yet_accepted, none_at_all], ids=lambda make: make.__name__
)
def test_without_a_power_in_force_the_entity_is_refused_and_the_person_may_go_on_alone(
    official_client: Client, make: object
) -> None:
    make()  # type: ignore[operator]
    entry = entity_entry()

    refused = official_client.post(PAGE, FORM)

    assert refused.status_code == 200
    text = refused.text.replace("&#x27;", "'")
    assert 'id="representation-error"' in text
    assert "No consta cap apoderament en vigor" in text
    assert "inscrit a la seu electrònica o atorgat en persona a l'oficina" in text
    assert "certificat de representant" in text
    assert 'name="natural_only"' in text
    assert 'value="B12345674"' in text  # what was typed is kept
    assert no_assisted_identification()
    assert identity.SESSION_KEY not in official_client.session

    response = official_client.post(PAGE, {**FORM, "natural_only": "1"})

    assert response.status_code == 302
    identification = Identification.objects.get(method=Identification.Method.AUTHORISED_OFFICIAL)
    assert identification.person.nif == PERSON.nif
    assert identification.represented_entity is None
    assert "representació" not in identification.consent_text
    assert official_client.get(f"/carpeta/registre/{entry.pk}/").status_code == 404
    assert str(entry.number) not in official_client.get("/carpeta/").text


def test_the_service_refuses_an_entity_without_a_power_and_records_nothing(
    official: AuthorisedOfficial,
) -> None:
    not_yet_accepted()
    before = Identification.objects.count()

    with pytest.raises(NoRepresentation) as refused:
        identify_on_behalf(acting_user=official.user, person=PERSON, entity=ENTITY)

    assert "Forn Cardassar SL" in str(refused.value.message)
    assert Identification.objects.count() == before


def test_a_power_granted_to_someone_else_does_not_let_this_person_act(
    official: AuthorisedOfficial,
) -> None:
    power()
    other = identity.PersonData(nif="11111111H", given_name="Aina", surnames="Roig Sureda")

    with pytest.raises(NoRepresentation):
        identify_on_behalf(acting_user=official.user, person=other, entity=ENTITY)
