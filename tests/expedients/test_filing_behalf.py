"""A procedure filed on someone's behalf (art. 26; #16 items 3-4): its form offers only the powers
in force that cover that procedure, plus a declared representation; the entry and the case file
name both persons and how the representation is proved; a power that cannot be used is refused
with the reason, keeping what was typed and filing nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from lxml import etree

from expedients.models import Expedient, Procedure, ProcedureDraft
from registre import sicres
from registre.models import RegistryEntry
from seu import calendar, catalan
from seu.identity import PersonData
from seu.models import Person, Power, Representation, RepresentationCheck, TownHall
from tests.actors import CITIZEN, ENTITY, REPRESENTATIVE, Actor, person_actor
from tests.support.expedients import make_procedure
from tests.support.filing import page_text, receipt_text
from tests.support.representation import decide, grant, in_force, revoke

pytestmark = pytest.mark.django_db

CODE = "PADRO"
FILL = reverse("expedients:fill", args=[CODE])
REVIEW = reverse("expedients:review", args=[CODE])
CONFIRM = reverse("expedients:confirm", args=[CODE])

# tests.support.expedients.FORM as a person fills it, the budget declared instead of attached.
TYPED: dict[str, Any] = {
    "titular_nif": "12345678Z",
    "adreca_obra": "Carrer Major, 1, Sant Llorenç des Cardassar",
    "pressupost": "1.200,50",
    "tipus": "facana",
    "pressupost_doc__declared": "on",
    "compliment": "on",
    "contact_email": "tramits@exemple.cat",
}

JOAN = PersonData(nif="22222222J", given_name="Joan", surnames="Pons Marti")
LLUCIA = PersonData(nif="33333333P", given_name="Llucia", surnames="Mir Bauza")
TONI = PersonData(nif="44444444A", given_name="Toni", surnames="Vich Riera")
XISCA = PersonData(nif="55555555K", given_name="Xisca", surnames="Ferrer Sastre")
UNKNOWN = PersonData(nif="45678901G", given_name="Pere", surnames="Mas Vidal")


@pytest.fixture
def procedure(town_hall, organ) -> Procedure:
    return make_procedure(organ, code=CODE, name="Alta al padró municipal")


@pytest.fixture
def maria(town_hall) -> Actor:
    return person_actor("maria", CITIZEN)


@pytest.fixture
def aina(town_hall) -> Actor:
    return person_actor("aina", REPRESENTATIVE)


def _until(power: Power) -> str:
    return calendar.format_date(calendar.last_day(power.ends_at))


def _draft(client: Client) -> ProcedureDraft:
    return ProcedureDraft.objects.get(public_id=client.session[f"expedients_draft:{CODE}"])


def _confirm(actor: Actor):
    return actor.client.post(CONFIRM, {"draft": str(_draft(actor.client).public_id)})


def _filed(response) -> Expedient:
    assert response.status_code == 302, page_text(response)
    return Expedient.objects.get(pk=response["Location"].split("/")[-2])


def _power_of(grantor: PersonData, aina: Actor, kind: str) -> Power:
    """A power from ``grantor`` to Aina that the form must not offer for PADRO."""
    assert aina.identification is not None
    identification = person_actor(grantor.given_name, grantor).identification
    assert identification is not None
    if kind == "another procedure":
        return in_force(
            identification,
            aina.identification,
            scope=Power.Scope.PROCEDURES,
            procedure_codes=("OBRA",),
        )
    if kind == "pending":
        return grant(identification, REPRESENTATIVE.nif)
    if kind == "revoked":
        return revoke(identification, in_force(identification, aina.identification))
    assert kind == "ended"
    past = calendar.now() - dt.timedelta(days=10)
    power = grant(identification, REPRESENTATIVE.nif, days=2, now=past)
    return decide(aina.identification, power, now=past + dt.timedelta(minutes=1))


def test_on_ones_own_behalf_the_case_is_as_before(maria: Actor, procedure) -> None:
    text = page_text(maria.client.get(FILL))
    assert "En nom de qui presentau aquesta sol·licitud?" in text
    assert 'name="behalf" type="radio" value="self" checked' in text

    assert maria.client.post(FILL, TYPED).status_code == 302
    case = _filed(_confirm(maria))
    assert case.interested.nif == CITIZEN.nif and case.representative is None
    assert (case.representation, case.power) == ("", None)


def test_with_a_power_for_the_procedure_b_files_it_for_a(
    maria: Actor, aina: Actor, procedure
) -> None:
    assert maria.identification and aina.identification
    power = in_force(
        maria.identification,
        aina.identification,
        scope=Power.Scope.PROCEDURES,
        procedure_codes=(CODE,),
    )
    option = f"En nom de Maria Garcia Ferrer (apoderament fins al {_until(power)})"
    assert option in page_text(aina.client.get(FILL))

    response = aina.client.post(FILL, {**TYPED, "behalf": f"power:{power.public_id}"})
    assert response.status_code == 302, page_text(response)
    review = page_text(aina.client.get(REVIEW))
    assert (
        "Presentada per Aina Roig Sureda en nom de Maria Garcia Ferrer, amb l'apoderament fins "
        f"al {_until(power)}." in review
    )

    case = _filed(_confirm(aina))
    entry = case.opening_entry
    for act in (case, entry):
        assert act.interested is not None and act.interested.nif == CITIZEN.nif
        assert act.representative is not None and act.representative.nif == REPRESENTATIVE.nif
        assert act.representation == Representation.POWER and act.power == power
    assert (entry.procedure_code, entry.case_reference) == (CODE, case.number)
    receipt = receipt_text(entry)
    assert "Maria Garcia Ferrer — 12345678Z" in receipt
    assert "Aina Roig Sureda — 11111111H" in receipt
    assert f"apoderament inscrit, fins al {_until(power)}" in receipt
    # SICRES 3 carries both persons, the procedure and the case file.
    town_hall = TownHall.objects.current()
    town_hall.dir3_code = "L01070570"
    town_hall.save()
    exported = etree.fromstring(sicres.export_entry(entry))
    assert exported.findtext(".//Documento_Identificacion_Interesado") == CITIZEN.nif
    assert exported.findtext(".//Documento_Identificacion_Representante") == REPRESENTATIVE.nif
    assert exported.findtext(".//De_Asunto/Codigo_Asunto_Segun_Destino") == CODE
    assert exported.findtext(".//De_Asunto/Numero_Expediente") == case.number


@pytest.mark.parametrize(
    ("grantor", "kind", "message"),
    [
        (
            JOAN,
            "another procedure",
            "L'apoderament de Joan Pons Marti no cobreix «Alta al padró municipal»",
        ),
        (LLUCIA, "pending", "Encara no heu acceptat l'apoderament de Llucia Mir Bauza"),
        (TONI, "revoked", "Toni Vich Riera va revocar el vostre apoderament"),
        (XISCA, "ended", "El vostre apoderament de Xisca Ferrer Sastre va acabar"),
    ],
)
def test_a_power_that_does_not_cover_it_now_is_not_offered_nor_accepted_when_forged(
    aina: Actor, procedure, grantor: PersonData, kind: str, message: str
) -> None:
    power = _power_of(grantor, aina, kind)
    name = f"{grantor.given_name} {grantor.surnames}"
    assert f"En nom de {name}" not in page_text(aina.client.get(FILL))

    response = aina.client.post(
        FILL, {**TYPED, "adreca_obra": "Carrer del Mar, 9", "behalf": f"power:{power.public_id}"}
    )
    text = page_text(response)

    assert response.status_code == 400
    assert f'<a href="#behalf-1">{message}' in text
    if kind == "ended":  # its last day, not the instant after it (24:00 is the next day's 00:00)
        last = catalan.date_phrase("on", calendar.last_day(power.ends_at))
        assert f"{message} {last}." in text
    assert "Carrer del Mar, 9" in text  # what was typed is kept
    assert not Expedient.objects.exists() and not RegistryEntry.objects.exists()


def test_a_power_revoked_between_the_review_and_the_confirmation_files_nothing(
    maria: Actor, aina: Actor, procedure
) -> None:
    assert maria.identification and aina.identification
    power = in_force(maria.identification, aina.identification)
    aina.client.post(FILL, {**TYPED, "behalf": f"power:{power.public_id}"})
    assert aina.client.get(REVIEW).status_code == 200
    revoke(maria.identification, power)

    response = _confirm(aina)
    text = page_text(response)

    assert response.status_code == 400
    assert "Maria Garcia Ferrer va revocar el vostre apoderament" in text
    assert "Carrer Major, 1, Sant Llorenç des Cardassar" in text
    assert not Expedient.objects.exists() and not RegistryEntry.objects.exists()
    assert _draft(aina.client).entry_id is None


def test_a_declared_representation_is_to_be_checked_on_the_entry_and_the_case(
    aina: Actor, procedure
) -> None:
    response = aina.client.post(
        FILL,
        {
            **TYPED,
            "behalf": "declared",
            "declared_nif": UNKNOWN.nif,
            "declared_given_name": UNKNOWN.given_name,
            "declared_surnames": UNKNOWN.surnames,
            "declared_confirm": "on",
        },
    )
    assert response.status_code == 302, page_text(response)
    assert "representació declarada, l'Ajuntament la comprovarà" in page_text(
        aina.client.get(REVIEW)
    )

    case = _filed(_confirm(aina))
    for act in (case, case.opening_entry):
        assert act.representation == Representation.DECLARED
        assert act.representation_check == RepresentationCheck.TO_CHECK
        assert act.interested is not None and act.interested.nif == UNKNOWN.nif
    person = Person.objects.get(nif=UNKNOWN.nif)
    assert (person.given_name, person.surnames) == ("Pere", "Mas Vidal")


def test_in_a_session_for_an_entity_the_question_is_not_asked(town_hall, procedure) -> None:
    holder = person_actor("representative", REPRESENTATIVE, represented_entity=ENTITY)
    text = page_text(holder.client.get(FILL))
    assert "Presentau en nom de SERVEIS DEL LLEVANT SL." in text
    assert 'name="behalf"' not in text
