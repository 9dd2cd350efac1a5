"""The scope of a representation, at filing and at access (#16 items 6 and 7; art. 26): a power
reaches the procedures, the case file or everything it names, only while it is in force; a
power not accepted, declined, revoked or ended refuses the filing with its own message; and a
session an official opened for an entity acts for it within its power only.

Filing goes through the services (``tests.support.representation``), not the forms."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client

from expedients.models import Expedient, ExpedientCounter
from registre.models import RegistryCounter, RegistryEntry
from seu import identity
from seu.identity import representation
from seu.identity.representation import NotRepresented
from seu.models import AuthorisedOfficial, Identification, LoA, Organ, Power, Representation
from tests.conftest import log_in_to_back_office
from tests.factories import AuthorisedOfficialFactory, UserFactory
from tests.support import representation as acting
from tests.support.representation import (
    People,
    case_urls,
    entry_urls,
    file_case_on_behalf,
    file_request_on_behalf,
    in_force,
    listed,
    notification_urls,
    notify_in,
    on_behalf_of,
    parties,
    statuses,
)

MARIA = "Maria Garcia Ferrer"


@pytest.fixture
def people(on_a_working_day: None, town_hall: Any, organ: Organ) -> People:
    return acting.make_people(organ)


def ident(people: People, name: str) -> Identification:
    return people.identification_of(getattr(people, name))


def taken() -> tuple[int, int, list[int], list[int]]:
    """What a filing leaves behind: entries, case files, and the numbers taken."""
    return (
        RegistryEntry.objects.count(),
        Expedient.objects.count(),
        sorted(ExpedientCounter.objects.values_list("last_number", flat=True)),
        sorted(RegistryCounter.objects.values_list("last_number", flat=True)),
    )


# --- Item 7: a power for procedure X is refused for procedure Y ---------------------------------


def test_a_power_for_one_procedure_used_for_another_is_refused_naming_the_grantor_and_it(
    people: People,
) -> None:
    power = in_force(
        ident(people, "maria"),
        ident(people, "aina"),
        scope=Power.Scope.PROCEDURES,
        procedure_codes=("OBRA",),
    )
    before = taken()

    with pytest.raises(NotRepresented) as refused:
        file_case_on_behalf(ident(people, "aina"), people.gual, behalf=on_behalf_of(power))

    assert str(refused.value) == (
        f"L'apoderament de {MARIA} no cobreix «Llicència de gual»: no podeu presentar aquest "
        "tràmit en nom seu."
    )
    assert taken() == before
    # The same power does file the procedure it names.
    case = file_case_on_behalf(ident(people, "aina"), people.obra, behalf=on_behalf_of(power))
    assert parties(case) == ("12345678Z", "11111111H")
    assert (case.representation, case.power) == (Representation.POWER, power)


def test_a_power_for_some_procedures_does_not_cover_a_generic_request(people: People) -> None:
    power = in_force(
        ident(people, "maria"),
        ident(people, "aina"),
        scope=Power.Scope.PROCEDURES,
        procedure_codes=("OBRA",),
    )
    before = taken()

    with pytest.raises(NotRepresented) as refused:
        file_request_on_behalf(ident(people, "aina"), people.organ, behalf=on_behalf_of(power))

    assert MARIA in str(refused.value) and "sol·licitud general" in str(refused.value)
    assert taken() == before


# --- Item 7: a power not in force is refused at filing, each with its own message ----------------


def pending(people: People) -> Power:
    return acting.grant(ident(people, "maria"), "11111111H")


def declined(people: People) -> Power:
    return acting.decide(ident(people, "aina"), pending(people), accept=False)


def revoked(people: People) -> Power:
    power = in_force(ident(people, "maria"), ident(people, "aina"))
    return acting.revoke(ident(people, "maria"), power)


def test_a_power_not_in_force_refuses_the_filing_with_a_message_for_each_reason(
    people: People,
) -> None:
    messages: dict[str, str] = {}
    for reason, power in (
        ("pending", pending(people)),
        ("declined", declined(people)),
        ("revoked", revoked(people)),
    ):
        before = taken()
        for file in (
            lambda power=power: file_case_on_behalf(
                ident(people, "aina"), people.obra, behalf=on_behalf_of(power)
            ),
            lambda power=power: file_request_on_behalf(
                ident(people, "aina"), people.organ, behalf=on_behalf_of(power)
            ),
        ):
            with pytest.raises(NotRepresented) as refused:
                file()
            messages[reason] = str(refused.value)
        assert taken() == before, reason
    ending = in_force(ident(people, "maria"), ident(people, "aina"), days=1)
    with time_machine.travel(ending.ends_at + dt.timedelta(minutes=1), tick=False):
        before = taken()
        with pytest.raises(NotRepresented) as refused:
            file_case_on_behalf(ident(people, "aina"), people.obra, behalf=on_behalf_of(ending))
        messages["ended"] = str(refused.value)
        assert taken() == before

    assert messages["pending"].startswith(f"Encara no heu acceptat l'apoderament de {MARIA}")
    assert messages["declined"] == f"No vàreu acceptar l'apoderament de {MARIA}."
    assert messages["revoked"].startswith(f"{MARIA} va revocar el vostre apoderament ")
    assert messages["ended"].startswith(f"El vostre apoderament de {MARIA} va acabar ")
    assert len(set(messages.values())) == 4


def test_someone_else_s_power_is_refused_as_not_theirs(people: People) -> None:
    power = in_force(ident(people, "maria"), ident(people, "aina"))

    with pytest.raises(NotRepresented) as refused:
        representation.acting_for(
            ident(people, "joan"), behalf=on_behalf_of(power), procedure_code="OBRA"
        )

    assert str(refused.value) == "Aquest apoderament no existeix o no és vostre."


def test_filing_under_someone_else_s_power_is_refused_not_filed_in_one_s_own_name(
    people: People,
) -> None:
    power = in_force(ident(people, "maria"), ident(people, "aina"))

    with pytest.raises(NotRepresented):
        file_case_on_behalf(ident(people, "joan"), people.obra, behalf=on_behalf_of(power))

    assert not Expedient.objects.exists()


# --- Item 7: what a power in force reaches, and only that ---------------------------------------


def reachable(client: Client, case: Expedient, notification: Any) -> set[int]:
    """The statuses of the case file's page, its entry (page, receipt, API) and its
    notification, for ``client``."""
    urls = case_urls(case) + entry_urls(case.opening_entry) + notification_urls(notification)
    return set(statuses(client, urls).values())


@pytest.fixture
def marias(people: People) -> dict[str, Any]:
    """What Maria filed alone: two case files of OBRA, one of GUAL, a generic request; and one
    case file of Joan's; each OBRA/GUAL case with a notification to its interested person."""
    maria, joan = ident(people, "maria"), ident(people, "joan")
    found: dict[str, Any] = {
        "obra": file_case_on_behalf(maria, people.obra),
        "obra2": file_case_on_behalf(maria, people.obra),
        "gual": file_case_on_behalf(maria, people.gual),
        "request": file_request_on_behalf(maria, people.organ),
        "joan": file_case_on_behalf(joan, people.obra),
    }
    for key in ("obra", "obra2", "gual", "joan"):
        found[f"{key}_notification"] = notify_in(found[key], people.clerk)
    return found


def test_without_a_power_aina_sees_nothing_of_maria(people: People, marias: dict[str, Any]) -> None:
    client = people.aina.client
    for key in ("obra", "obra2", "gual", "joan"):
        assert reachable(client, marias[key], marias[f"{key}_notification"]) == {404}
    assert set(statuses(client, entry_urls(marias["request"])).values()) == {404}


def test_maria_sees_her_own_and_joan_his(people: People, marias: dict[str, Any]) -> None:
    for key in ("obra", "obra2", "gual"):
        assert reachable(people.maria.client, marias[key], marias[f"{key}_notification"]) == {200}
        assert reachable(people.joan.client, marias[key], marias[f"{key}_notification"]) == {404}
    assert reachable(people.joan.client, marias["joan"], marias["joan_notification"]) == {200}


def test_a_power_for_a_procedure_reaches_maria_s_case_files_of_it_only(
    people: People, marias: dict[str, Any]
) -> None:
    in_force(
        ident(people, "maria"),
        ident(people, "aina"),
        scope=Power.Scope.PROCEDURES,
        procedure_codes=("OBRA",),
    )
    client = people.aina.client

    # Her case files of that procedure, also those she filed alone: page, entry, notification.
    assert reachable(client, marias["obra"], marias["obra_notification"]) == {200}
    assert reachable(client, marias["obra2"], marias["obra2_notification"]) == {200}
    # Not another procedure's, not a generic request, not a third person's.
    assert reachable(client, marias["gual"], marias["gual_notification"]) == {404}
    assert set(statuses(client, entry_urls(marias["request"])).values()) == {404}
    assert reachable(client, marias["joan"], marias["joan_notification"]) == {404}
    shown = listed(client)
    assert marias["obra"].number in shown and marias["obra2"].number in shown
    assert str(marias["obra_notification"].public_id) in shown
    assert marias["gual"].number not in shown and marias["joan"].number not in shown
    assert str(marias["request"].number) not in shown
    assert str(marias["gual_notification"].public_id) not in shown


def test_a_power_for_one_case_file_reaches_that_case_file_and_not_another_of_its_procedure(
    people: People, marias: dict[str, Any]
) -> None:
    in_force(
        ident(people, "maria"),
        ident(people, "aina"),
        scope=Power.Scope.CASE,
        case_reference=marias["obra"].number,
    )
    client = people.aina.client

    assert reachable(client, marias["obra"], marias["obra_notification"]) == {200}
    assert reachable(client, marias["obra2"], marias["obra2_notification"]) == {404}
    assert reachable(client, marias["gual"], marias["gual_notification"]) == {404}
    assert set(statuses(client, entry_urls(marias["request"])).values()) == {404}
    shown = listed(client)
    assert marias["obra"].number in shown
    assert marias["obra2"].number not in shown
    assert str(marias["obra2_notification"].public_id) not in shown


def test_a_general_power_reaches_everything_of_maria_and_nothing_of_joan(
    people: People, marias: dict[str, Any]
) -> None:
    in_force(ident(people, "maria"), ident(people, "aina"))
    client = people.aina.client

    for key in ("obra", "obra2", "gual"):
        assert reachable(client, marias[key], marias[f"{key}_notification"]) == {200}
    assert set(statuses(client, entry_urls(marias["request"])).values()) == {200}
    assert reachable(client, marias["joan"], marias["joan_notification"]) == {404}
    shown = listed(client)
    assert str(marias["request"].number) in shown
    assert marias["joan"].number not in shown
    assert str(marias["joan_notification"].public_id) not in shown


def test_a_power_joan_granted_aina_reaches_joan_s_and_not_maria_s(
    people: People, marias: dict[str, Any]
) -> None:
    in_force(ident(people, "joan"), ident(people, "aina"))

    assert reachable(people.aina.client, marias["joan"], marias["joan_notification"]) == {200}
    for key in ("obra", "obra2", "gual"):
        assert reachable(people.aina.client, marias[key], marias[f"{key}_notification"]) == {404}


# --- Item 6: an official's session for an entity, within its power --------------------------------

ENTITY = identity.PersonData(nif="B12345674", legal_name="SERVEIS DEL LLEVANT SL")
IDENTIFY = "/gestio/identificar-persona/"


def identified(data: identity.PersonData) -> Identification:
    return identity.record_identification(
        person=data,
        method=Identification.Method.CLAVE,
        loa=LoA.SUBSTANTIAL,
        evidence=identity.Evidence(provider="Cl@ve"),
    )


def test_an_assisted_session_for_an_entity_acts_within_its_procedure_power_only(
    people: People, clerk: User
) -> None:
    entity = identified(ENTITY)
    # The entity's case files, filed with its own certificate... (here: its own session).
    entity_obra = file_case_on_behalf(entity, people.obra)
    entity_gual = file_case_on_behalf(entity, people.gual)
    entity_request = file_request_on_behalf(entity, people.organ)
    power = in_force(
        entity, ident(people, "aina"), scope=Power.Scope.PROCEDURES, procedure_codes=("OBRA",)
    )
    official = cast(AuthorisedOfficial, AuthorisedOfficialFactory.create(user=clerk))
    desk = Client()
    log_in_to_back_office(desk, official.user)

    response = desk.post(
        IDENTIFY,
        {
            "nif": "11111111H",
            "given_name": "Aina",
            "surnames": "Roig Sureda",
            "entity_nif": ENTITY.nif,
            "entity_name": ENTITY.legal_name,
            "consent": "on",
        },
    )
    assert response.status_code == 302
    session = Identification.objects.get(method=Identification.Method.AUTHORISED_OFFICIAL)
    assert session.represented_entity is not None
    assert session.represented_entity.nif == ENTITY.nif

    # It sees the entity's case files of that procedure, not the others (the pages: the desk's
    # client also holds the official's back-office session, which the API takes for staff).
    def pages(case: Expedient) -> list[str]:
        return case_urls(case) + entry_urls(case.opening_entry)[:2]

    assert set(statuses(desk, pages(entity_obra)).values()) == {200}
    hidden = pages(entity_gual) + entry_urls(entity_request)[:2]
    assert set(statuses(desk, hidden).values()) == {404}
    shown = listed(desk)
    assert entity_obra.number in shown and entity_gual.number not in shown

    # It files that procedure for the entity, named with the person and the power.
    case = file_case_on_behalf(session, people.obra)
    entry = case.opening_entry
    assert parties(entry) == (ENTITY.nif, "11111111H")
    assert (entry.representation, entry.power) == (Representation.POWER, power)
    assert parties(case) == (ENTITY.nif, "11111111H")

    # And is refused another procedure, with nothing filed.
    before = taken()
    with pytest.raises(NotRepresented) as refused:
        file_case_on_behalf(session, people.gual)
    assert str(refused.value) == (
        "L'apoderament de SERVEIS DEL LLEVANT SL no cobreix aquest tràmit o ja no és en vigor: "
        "Aina Roig Sureda no pot presentar-lo en nom seu."
    )
    assert taken() == before


def assisted_session_for_the_entity(people: People, scope: str) -> Identification:
    """A session an official opened for Aina acting for the entity, by a power in force for
    OBRA (``scope`` "procedures") or for everything (as ``officials.identify_on_behalf`` does)."""
    from seu.identity.officials import identify_on_behalf

    entity = identified(ENTITY)
    in_force(entity, ident(people, "aina"), scope=scope, procedure_codes=("OBRA",))
    official = cast(
        AuthorisedOfficial,
        AuthorisedOfficialFactory.create(user=UserFactory.create(username="oficial", staff=True)),
    )
    return identify_on_behalf(
        acting_user=official.user,
        person=identity.PersonData(nif="11111111H", given_name="Aina", surnames="Roig Sureda"),
        entity=ENTITY,
    )


def test_an_assisted_session_with_a_procedure_power_cannot_file_a_generic_request(
    people: People,
) -> None:
    session = assisted_session_for_the_entity(people, Power.Scope.PROCEDURES)
    before = taken()

    with pytest.raises(NotRepresented):
        file_request_on_behalf(session, people.organ)

    assert taken() == before


def test_an_assisted_session_with_a_general_power_files_a_generic_request_for_the_entity(
    people: People,
) -> None:
    session = assisted_session_for_the_entity(people, Power.Scope.GENERAL)

    entry = file_request_on_behalf(session, people.organ)

    assert parties(entry) == (ENTITY.nif, "11111111H")
    assert entry.representation == Representation.POWER
