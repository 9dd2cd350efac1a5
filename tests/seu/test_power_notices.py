"""The other party of a power is told by e-mail (#16 item 1): the representative of a power
granted to them (to accept it in their portal) or revoked, the grantor of one accepted or
declined; nobody whose address is unknown; never more than the names, the scope and the end."""

from __future__ import annotations

import pytest

from seu.models import OutgoingEmail, Person, Power
from tests import actors
from tests.actors import CITIZEN, REPRESENTATIVE, Actor, person_actor
from tests.support.representation import decide, grant, revoke

citizen = actors.citizen


@pytest.fixture
def aina(town_hall: object) -> Actor:
    return person_actor("aina", REPRESENTATIVE)


def _with_email(nif: str, email: str) -> None:
    Person.objects.filter(nif=nif).update(email=email)


def _sent(kind: str) -> list[OutgoingEmail]:
    return list(OutgoingEmail.objects.filter(kind=kind))


def test_each_change_tells_the_other_party(citizen: Actor, aina: Actor) -> None:
    assert citizen.identification and aina.identification
    _with_email(CITIZEN.nif, "maria@exemple.cat")
    _with_email(REPRESENTATIVE.nif, "aina@exemple.cat")

    power = grant(citizen.identification, REPRESENTATIVE.nif, scope=Power.Scope.GENERAL)
    (granted,) = _sent("power_granted")
    assert granted.to == "aina@exemple.cat"
    assert granted.subject == "Teniu un apoderament per acceptar"
    assert "Maria Garcia Ferrer us ha atorgat un apoderament" in granted.text_body
    assert f"/identificacio/apoderaments/{power.public_id}/" in granted.text_body
    assert granted.reference == f"seu.power:{power.pk}"

    decide(aina.identification, power)
    (accepted,) = _sent("power_accepted")
    assert accepted.to == "maria@exemple.cat"
    assert "Aina Roig Sureda ha acceptat l'apoderament" in accepted.text_body

    revoke(citizen.identification, power)
    (revoked,) = _sent("power_revoked")
    assert revoked.to == "aina@exemple.cat"
    assert "des d'ara no podeu actuar en nom seu" in revoked.text_body


def test_a_declined_power_tells_the_grantor(citizen: Actor, aina: Actor) -> None:
    assert citizen.identification and aina.identification
    _with_email(CITIZEN.nif, "maria@exemple.cat")
    power = grant(citizen.identification, REPRESENTATIVE.nif)
    decide(aina.identification, power, accept=False)
    (declined,) = _sent("power_declined")
    assert declined.to == "maria@exemple.cat"
    assert "no ha acceptat l'apoderament" in declined.text_body


def test_nobody_without_an_address_is_written_to(citizen: Actor) -> None:
    assert citizen.identification
    grant(citizen.identification, "99999999R")  # a person not known here: no address
    assert not OutgoingEmail.objects.filter(kind__startswith="power_").exists()
