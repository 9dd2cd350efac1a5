"""Powers of representation granted at the seu (art. 26.2.a; Law 39/2015 art. 5-6): the service."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta

from seu import calendar
from seu.errors import InvalidInput, NotFound
from seu.identity import representation
from seu.identity.representation import InvalidPower, PowerInput
from seu.models import Person, Power, PowerTransition
from tests import actors
from tests.actors import REPRESENTATIVE, Actor, person_actor

citizen = actors.citizen
another_citizen = actors.another_citizen

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=calendar.SEU_TZ)
TODAY = NOW.date()


@pytest.fixture
def aina(town_hall: object) -> Actor:
    """Aina, identified at the substantial level for herself (no entity)."""
    return person_actor("aina", REPRESENTATIVE)


def grant(actor: Actor, **wanted: object) -> Power:
    fields: dict[str, Any] = {
        "representative_nif": REPRESENTATIVE.nif,
        "scope": Power.Scope.GENERAL,
        "ends_on": TODAY + relativedelta(years=1),
    }
    fields.update(wanted)
    assert actor.identification is not None
    return representation.grant_power(
        identification=actor.identification,
        wanted=PowerInput(**fields),
        now=NOW,
    )


def person_of(actor: Actor) -> Person:
    assert actor.identification is not None
    return actor.identification.person


def accept(actor: Actor, power: Power, *, at: dt.datetime = NOW) -> Power:
    assert actor.identification is not None
    return representation.decide_power(
        identification=actor.identification, public_id=power.public_id, accept=True, now=at
    )


def test_a_general_power_is_granted_pending_until_the_representative_accepts(
    citizen: Actor,
) -> None:
    power = grant(citizen)
    assert power.state == Power.State.PENDING
    assert power.grantor.nif == citizen.person.nif  # type: ignore[union-attr]
    assert power.representative.nif == REPRESENTATIVE.nif
    assert power.ends_at == calendar.end_of_day(TODAY + relativedelta(years=1))


def test_a_power_for_procedures_keeps_only_their_codes(citizen: Actor) -> None:
    power = grant(
        citizen,
        scope=Power.Scope.PROCEDURES,
        procedure_codes=["GUAL", " OBRA ", ""],
        case_reference="X",
    )
    assert (power.scope, power.procedure_codes, power.case_reference) == (
        "procedures",
        ["GUAL", "OBRA"],
        "",
    )


def test_a_power_for_one_case_file_keeps_its_number(citizen: Actor) -> None:
    power = grant(citizen, scope=Power.Scope.CASE, case_reference=" EXP-2026-7 ")
    assert (power.scope, power.case_reference, power.procedure_codes) == ("case", "EXP-2026-7", [])


def test_a_power_for_procedures_without_any_code_is_refused(citizen: Actor) -> None:
    with pytest.raises(InvalidPower) as refused:
        grant(citizen, scope=Power.Scope.PROCEDURES, procedure_codes=[])
    assert "procedure_codes" in refused.value.errors


def test_a_power_longer_than_five_years_is_refused_with_its_limit(citizen: Actor) -> None:
    with pytest.raises(InvalidPower) as refused:
        grant(citizen, ends_on=TODAY + relativedelta(years=5, days=1))
    assert refused.value.errors["ends_on"] == [
        "Un apoderament val com a màxim cinc anys: fins al "
        + calendar.format_date(TODAY + relativedelta(years=5))
        + "."
    ]
    assert grant(citizen, ends_on=TODAY + relativedelta(years=5)).state == Power.State.PENDING


def test_a_past_end_date_is_refused(citizen: Actor) -> None:
    with pytest.raises(InvalidPower) as refused:
        grant(citizen, ends_on=TODAY - dt.timedelta(days=1))
    assert refused.value.errors["ends_on"] == ["La data final ha de ser posterior a avui."]


def test_a_power_to_oneself_is_refused(citizen: Actor) -> None:
    with pytest.raises(InvalidPower) as refused:
        grant(citizen, representative_nif=citizen.person.nif.lower())  # type: ignore[union-attr]
    assert refused.value.errors["representative_nif"] == ["No us podeu apoderar a vós mateix."]
    assert not Power.objects.exists()


def test_a_bad_nif_is_refused(citizen: Actor) -> None:
    with pytest.raises(InvalidPower) as refused:
        grant(citizen, representative_nif="12345678A")
    assert "12345678A" in refused.value.errors["representative_nif"][0]


def test_an_accepted_power_for_a_procedure_covers_that_procedure_and_not_another(
    citizen: Actor, aina: Actor
) -> None:
    power = grant(citizen, scope=Power.Scope.PROCEDURES, procedure_codes=["GUAL"])
    accept(aina, power)
    maria = power.grantor
    later = NOW + dt.timedelta(hours=1)
    assert (
        representation.may_act_for(person_of(aina), maria, at=later, procedure_code="GUAL") == power
    )
    assert (
        representation.may_act_for(person_of(aina), maria, at=later, procedure_code="OBRA") is None
    )
    assert representation.in_force_for(person_of(aina), at=later) == [power]


def test_a_power_not_yet_accepted_is_not_in_force(citizen: Actor, aina: Actor) -> None:
    grant(citizen)
    assert representation.in_force_for(person_of(aina), at=NOW + dt.timedelta(hours=1)) == []


def test_a_revoked_power_is_not_in_force_from_its_revocation(citizen: Actor, aina: Actor) -> None:
    power = grant(citizen)
    accept(aina, power)
    revoked_at = NOW + dt.timedelta(days=3)
    person = person_of(aina)
    assert representation.in_force_for(person, at=revoked_at) == [power]
    assert citizen.identification is not None
    representation.revoke_power(
        identification=citizen.identification, public_id=power.public_id, now=revoked_at
    )
    assert representation.in_force_for(person, at=revoked_at) == []


def test_an_expired_power_is_not_in_force_after_its_end(citizen: Actor, aina: Actor) -> None:
    power = grant(citizen, ends_on=TODAY + dt.timedelta(days=10))
    accept(aina, power)
    person = person_of(aina)
    end = calendar.end_of_day(TODAY + dt.timedelta(days=10))
    assert representation.in_force_for(person, at=end - dt.timedelta(seconds=1)) == [power]
    assert representation.in_force_for(person, at=end) == []


def test_only_the_representative_accepts(citizen: Actor, another_citizen: Actor) -> None:
    power = grant(citizen)
    with pytest.raises(NotFound):
        accept(citizen, power)  # the grantor
    with pytest.raises(NotFound):
        accept(another_citizen, power)  # a stranger
    assert Power.objects.get().state == Power.State.PENDING


def test_only_the_grantor_revokes(citizen: Actor, aina: Actor, another_citizen: Actor) -> None:
    power = grant(citizen)
    accept(aina, power)
    for actor in (aina, another_citizen):
        with pytest.raises(NotFound):
            representation.revoke_power(
                identification=actor.identification,  # type: ignore[arg-type]
                public_id=power.public_id,
                now=NOW,
            )
    assert Power.objects.get().state == Power.State.ACCEPTED


def test_a_declined_power_cannot_then_be_accepted(citizen: Actor, aina: Actor) -> None:
    power = grant(citizen)
    assert aina.identification is not None
    representation.decide_power(
        identification=aina.identification, public_id=power.public_id, accept=False, now=NOW
    )
    with pytest.raises(InvalidInput):
        accept(aina, power)
    assert representation.in_force_for(person_of(aina), at=NOW) == []


def test_each_change_writes_a_transition_with_the_identification(
    citizen: Actor, aina: Actor
) -> None:
    power = grant(citizen)
    accept(aina, power, at=NOW + dt.timedelta(hours=1))
    representation.revoke_power(
        identification=citizen.identification,  # type: ignore[arg-type]
        public_id=power.public_id,
        now=NOW + dt.timedelta(hours=2),
    )
    log = list(
        PowerTransition.objects.filter(power=power)
        .order_by("at")
        .values_list("from_state", "to_state", "identification_id")
    )
    assert log == [
        ("", "pending", citizen.identification.pk),  # type: ignore[union-attr]
        ("pending", "accepted", aina.identification.pk),  # type: ignore[union-attr]
        ("accepted", "revoked", citizen.identification.pk),  # type: ignore[union-attr]
    ]
