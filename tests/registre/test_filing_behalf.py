"""A generic request filed on someone's behalf (art. 26; #16 items 3-4): the form asks "on my own
behalf / on behalf of ...", offers only the general powers in force (a generic request is no
procedure's), lets a person declare a representation the organ checks later, and says why a
choice cannot be used, keeping what was typed and filing nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from registre.models import RegistryEntry
from seu import calendar, catalan
from seu.identity import PersonData
from seu.models import Person, Power, Representation, RepresentationCheck
from tests.actors import CITIZEN, ENTITY, REPRESENTATIVE, Actor, person_actor
from tests.support.filing import (
    CONFIRM_URL,
    FILE_URL,
    REVIEW_URL,
    draft_of,
    fill,
    page_text,
    receipt_text,
)
from tests.support.representation import in_force, revoke

pytestmark = pytest.mark.django_db

LEGEND = "En nom de qui presentau aquesta sol·licitud?"
UNKNOWN = PersonData(nif="45678901G", given_name="Pere", surnames="Mas Vidal")


@pytest.fixture
def maria(town_hall) -> Actor:
    """The grantor, A."""
    return person_actor("maria", CITIZEN)


@pytest.fixture
def aina(town_hall) -> Actor:
    """The representative, B, identified for herself."""
    return person_actor("aina", REPRESENTATIVE)


def _interested(entry: RegistryEntry) -> Person:
    assert entry.interested is not None
    return entry.interested


def _party_name(entry: RegistryEntry) -> str:
    assert entry.interested_party is not None
    return entry.interested_party.display_name


def _until(power: Power) -> str:
    return calendar.format_date(calendar.last_day(power.ends_at))


def _confirm(actor: Actor):
    return actor.client.post(CONFIRM_URL, {"draft": str(draft_of(actor.client).public_id)})


def _filed(response) -> RegistryEntry:
    assert response.status_code == 302, page_text(response)
    return RegistryEntry.objects.get(pk=response["Location"].rstrip("/").rsplit("/", 1)[1])


def test_the_form_asks_on_whose_behalf_with_ones_own_chosen(aina: Actor, organ) -> None:
    text = page_text(aina.client.get(FILE_URL))
    assert LEGEND in text
    assert 'name="behalf" type="radio" value="self" checked' in text
    assert "En nom d'una altra persona que em declara representant" in text
    assert 'name="declared_nif"' in text and 'name="declared_confirm"' in text


def test_on_ones_own_behalf_the_entry_is_as_before(aina: Actor, organ) -> None:
    response = aina.client.post(FILE_URL, fill(organ, behalf="self"))
    assert response.status_code == 302 and response["Location"] == REVIEW_URL
    review = page_text(aina.client.get(REVIEW_URL))
    assert "Aina Roig Sureda — 11111111H" in review and "Presentada per" not in review

    entry = _filed(_confirm(aina))
    assert _interested(entry).nif == REPRESENTATIVE.nif and entry.representative is None
    assert (entry.representation, entry.representation_check, entry.power) == ("", "", None)


def test_with_a_general_power_the_request_is_filed_for_the_grantor(
    maria: Actor, aina: Actor, organ, tmp_path
) -> None:
    assert maria.identification and aina.identification
    power = in_force(maria.identification, aina.identification)
    option = f"En nom de Maria Garcia Ferrer (apoderament fins al {_until(power)})"
    assert option in page_text(aina.client.get(FILE_URL))

    response = aina.client.post(FILE_URL, fill(organ, behalf=f"power:{power.public_id}"))
    assert response.status_code == 302, page_text(response)
    review = page_text(aina.client.get(REVIEW_URL))
    assert "Maria Garcia Ferrer — 12345678Z" in review and "Aina Roig Sureda — 11111111H" in review
    assert (
        "Presentada per Aina Roig Sureda en nom de Maria Garcia Ferrer, amb l'apoderament fins "
        f"al {_until(power)}." in review
    )

    entry = _filed(_confirm(aina))
    assert _interested(entry).nif == CITIZEN.nif
    assert entry.representative is not None and entry.representative.nif == REPRESENTATIVE.nif
    assert entry.representation == Representation.POWER and entry.power == power
    assert entry.representation_check == ""

    receipt = receipt_text(entry)
    assert "Maria Garcia Ferrer — 12345678Z" in receipt
    assert "Aina Roig Sureda — 11111111H" in receipt
    assert f"Representació apoderament inscrit, fins al {_until(power)}" in receipt
    page = page_text(aina.client.get(f"/carpeta/registre/{entry.pk}/"))
    assert f"apoderament inscrit, fins al {_until(power)}" in page
    # The represented person sees it in her own carpeta.
    assert maria.client.get(f"/carpeta/registre/{entry.pk}/").status_code == 200


def test_a_power_for_some_procedures_is_not_offered_and_refused_when_forged(
    maria: Actor, aina: Actor, organ
) -> None:
    assert maria.identification and aina.identification
    power = in_force(
        maria.identification,
        aina.identification,
        scope=Power.Scope.PROCEDURES,
        procedure_codes=("PADRO",),
    )
    assert "En nom de Maria Garcia Ferrer" not in page_text(aina.client.get(FILE_URL))
    before = RegistryEntry.objects.count()

    response = aina.client.post(
        FILE_URL,
        fill(organ, behalf=f"power:{power.public_id}", subject="Certificat de convivència"),
    )
    text = page_text(response)

    assert response.status_code == 400
    message = (
        "L'apoderament de Maria Garcia Ferrer és només per a uns tràmits: no cobreix una "
        "sol·licitud general."
    )
    assert f'<a href="#behalf-1">{message}</a>' in text
    assert 'id="behalf-error"' in text and 'aria-describedby="behalf-error"' in text
    assert 'value="Certificat de convivència"' in text  # what was typed is kept
    assert f'value="power:{power.public_id}" checked' in text  # and the choice, with why
    assert RegistryEntry.objects.count() == before
    # Nor can the review be reached with it.
    assert aina.client.get(REVIEW_URL).status_code == 400
    assert _confirm(aina).status_code == 400
    assert RegistryEntry.objects.count() == before


def test_a_power_revoked_between_the_review_and_the_confirmation_files_nothing(
    maria: Actor, aina: Actor, organ
) -> None:
    assert maria.identification and aina.identification
    power = in_force(maria.identification, aina.identification)
    aina.client.post(FILE_URL, fill(organ, behalf=f"power:{power.public_id}"))
    assert aina.client.get(REVIEW_URL).status_code == 200
    revoke(maria.identification, power)
    before = RegistryEntry.objects.count()

    response = _confirm(aina)
    text = page_text(response)

    assert response.status_code == 400
    today = catalan.date_phrase("on", calendar.now())  # "el 5 de…", "l'1 de…"
    assert f"Maria Garcia Ferrer va revocar el vostre apoderament {today}." in text
    assert 'value="Llicència de gual al carrer Major"' in text
    assert RegistryEntry.objects.count() == before
    assert draft_of(aina.client).entry is None


def test_a_declared_representation_of_an_unknown_person_records_them_as_typed(
    aina: Actor, organ
) -> None:
    typed = fill(
        organ,
        behalf="declared",
        declared_nif=UNKNOWN.nif.lower(),
        declared_given_name=UNKNOWN.given_name,
        declared_surnames=UNKNOWN.surnames,
    )
    refused = aina.client.post(FILE_URL, typed)  # without the declaration ticked
    assert refused.status_code == 400
    assert "declarau que la representau" in page_text(refused)
    assert 'value="Pere"' in page_text(refused)
    assert not Person.objects.filter(nif=UNKNOWN.nif).exists()
    # The draft keeps the choice unconfirmed: the review reached by its address and a forged
    # confirmation refuse it too, and nothing is filed.
    by_address = aina.client.get(REVIEW_URL)
    assert by_address.status_code == 400
    assert "Cal que declareu que representau aquesta persona" in page_text(by_address)
    assert _confirm(aina).status_code == 400
    assert not RegistryEntry.objects.exists()

    response = aina.client.post(FILE_URL, {**typed, "declared_confirm": "on"})
    assert response.status_code == 302, page_text(response)
    review = page_text(aina.client.get(REVIEW_URL))
    assert (
        "Presentada per Aina Roig Sureda en nom de Pere Mas Vidal: representació declarada, "
        "l'Ajuntament la comprovarà." in review
    )
    assert not Person.objects.filter(nif=UNKNOWN.nif).exists()  # not before filing

    entry = _filed(_confirm(aina))
    assert entry.representation == Representation.DECLARED
    assert entry.representation_check == RepresentationCheck.TO_CHECK
    assert entry.power is None
    assert (_interested(entry).nif, _interested(entry).given_name, _interested(entry).surnames) == (
        UNKNOWN.nif,
        "Pere",
        "Mas Vidal",
    )
    assert entry.representative is not None and entry.representative.nif == REPRESENTATIVE.nif
    assert "Representació declarada pel representant" in receipt_text(entry)
    page = page_text(aina.client.get(f"/carpeta/registre/{entry.pk}/"))
    assert "declarada pel representant (declarada, per comprovar)" in page


def test_a_declared_person_already_known_is_not_renamed(maria: Actor, aina: Actor, organ) -> None:
    response = aina.client.post(
        FILE_URL,
        fill(
            organ,
            behalf="declared",
            declared_nif=CITIZEN.nif,
            declared_given_name="Nom Inventat",
            declared_surnames="Qualsevol",
            declared_confirm="on",
        ),
    )
    assert response.status_code == 302, page_text(response)
    entry = _filed(_confirm(aina))
    person = Person.objects.get(nif=CITIZEN.nif)
    assert (person.given_name, person.surnames) == ("Maria", "Garcia Ferrer")
    assert entry.interested == person
    assert _party_name(entry) == "Maria Garcia Ferrer"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"declared_nif": "12345678A"},
            "declared_nif",
            "El NIF, NIE o CIF «12345678A» no és vàlid",
        ),
        ({"declared_nif": ""}, "declared_nif", "Indicau el NIF, NIE o CIF de la persona"),
        ({"declared_given_name": ""}, "declared_given_name", "Indicau el nom de la persona"),
        ({"declared_nif": REPRESENTATIVE.nif}, "behalf-1", "Per presentar-la en nom vostre"),
    ],
)
def test_a_declared_person_must_be_named_by_a_valid_nif_not_ones_own(
    aina: Actor, organ, changes: dict[str, str], field: str, message: str
) -> None:
    typed = {
        "behalf": "declared",
        "declared_nif": UNKNOWN.nif,
        "declared_given_name": "Pere",
        "declared_confirm": "on",
        **changes,
    }
    response = aina.client.post(FILE_URL, fill(organ, **typed))
    text = page_text(response)
    assert response.status_code == 400
    assert f'<a href="#{field}">{message}' in text
    assert 'value="Llicència de gual al carrer Major"' in text
    assert not RegistryEntry.objects.filter(representative__nif=REPRESENTATIVE.nif).exists()


def test_in_a_session_for_an_entity_the_question_is_not_asked(town_hall, organ) -> None:
    holder = person_actor("representative", REPRESENTATIVE, represented_entity=ENTITY)
    text = page_text(holder.client.get(FILE_URL))
    assert "Presentau en nom de SERVEIS DEL LLEVANT SL." in text
    assert 'name="behalf"' not in text and LEGEND not in text

    holder.client.post(FILE_URL, fill(organ))
    entry = _filed(_confirm(holder))
    assert _interested(entry).nif == ENTITY.nif
    assert entry.representation == Representation.CERTIFICATE
    assert "Representació certificat de representant" in receipt_text(entry)


def test_an_ended_power_is_not_offered(maria: Actor, aina: Actor, organ) -> None:
    assert maria.identification and aina.identification
    in_force(
        maria.identification,
        aina.identification,
        days=2,
        now=calendar.now() - dt.timedelta(days=10),
    )
    assert "En nom de Maria Garcia Ferrer" not in page_text(aina.client.get(FILE_URL))
