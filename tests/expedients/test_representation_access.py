"""Access follows the representation, from instant to instant (#16 item 7; art. 26, 27.3, 32):
a representative reads the represented person's case files, entries and notifications only while
a power in force reaches them, by page and by API; after a revocation or its end, a 404 from
that instant; what they did meanwhile stays theirs, named on the represented person's pages. A
declared representation refused by the organ closes the case file to the declarant alone.

Filing goes through the services (``tests.support.representation``), not the forms."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client

from expedients import services
from expedients.models import Expedient
from notificacions.models import Notification
from seu import identity
from seu.identity.representation import Behalf
from seu.models import Identification, Organ, Power, Representation, RepresentationCheck
from tests.support import representation as acting
from tests.support.filing import page_text
from tests.support.representation import (
    People,
    case_urls,
    entry_urls,
    file_case_on_behalf,
    in_force,
    listed,
    notification_urls,
    notify_in,
    on_behalf_of,
    parties,
    statuses,
)

AINA = "Aina Roig Sureda"
MARIA = "Maria Garcia Ferrer"


@pytest.fixture
def people(on_a_working_day: None, town_hall: Any, organ: Organ) -> People:
    return acting.make_people(organ)


def ident(people: People, name: str) -> Identification:
    return people.identification_of(getattr(people, name))


def everywhere(case: Expedient, notification: Notification) -> list[str]:
    """The case file's page, its opening entry's page, receipt and API, its notification."""
    return case_urls(case) + entry_urls(case.opening_entry) + notification_urls(notification)


def answers(client: Client, urls: list[str]) -> set[int]:
    return set(statuses(client, urls).values())


def not_listed(client: Client, case: Expedient, notification: Notification) -> bool:
    shown = listed(client)
    return (
        case.number not in shown
        and str(case.opening_entry.number) not in shown
        and str(notification.public_id) not in shown
    )


@pytest.fixture
def marias_case(people: People) -> tuple[Expedient, Notification]:
    """A case file Maria filed alone, with a notification to her."""
    case = file_case_on_behalf(ident(people, "maria"), people.obra)
    return case, notify_in(case, people.clerk)


# --- A power never in force opens nothing ---------------------------------------------------------


@pytest.mark.parametrize("accept", [None, False], ids=["not yet accepted", "declined"])
def test_a_power_not_accepted_opens_nothing_of_maria(
    people: People, marias_case: tuple[Expedient, Notification], accept: bool | None
) -> None:
    power = acting.grant(ident(people, "maria"), "11111111H")
    if accept is not None:
        acting.decide(ident(people, "aina"), power, accept=accept)
    case, notification = marias_case

    assert answers(people.aina.client, everywhere(case, notification)) == {404}
    assert not_listed(people.aina.client, case, notification)
    assert answers(people.maria.client, everywhere(case, notification)) == {200}


def test_the_case_file_and_notification_apis_give_a_citizen_session_nothing(
    people: People, marias_case: tuple[Expedient, Notification]
) -> None:
    """They serve the town hall's systems only (a token or staff): with a power in force, a
    representative's seu session still reads nothing there."""
    in_force(ident(people, "maria"), ident(people, "aina"))
    case, notification = marias_case
    code, year, sequence = case.number.split("/")
    for url in (
        "/api/v1/expedients/",
        f"/api/v1/expedients/{code}/{year}/{sequence}/",
        f"/api/v1/expedients/{code}/{year}/{sequence}/documents/",
        "/api/v1/notificacions/",
        f"/api/v1/notificacions/{notification.public_id}/",
    ):
        response = people.aina.client.get(url)
        assert response.status_code in (401, 403), url
        assert case.number not in response.content.decode()


# --- Revoked, ended: from that instant ------------------------------------------------------------


def test_after_maria_revokes_aina_gets_a_404_from_that_instant_on_everything_of_hers(
    people: People, marias_case: tuple[Expedient, Notification]
) -> None:
    power = in_force(ident(people, "maria"), ident(people, "aina"))
    case, notification = marias_case
    assert answers(people.aina.client, everywhere(case, notification)) == {200}

    acting.revoke(ident(people, "maria"), power)

    assert answers(people.aina.client, everywhere(case, notification)) == {404}
    assert not_listed(people.aina.client, case, notification)
    assert answers(people.maria.client, everywhere(case, notification)) == {200}


def test_at_the_end_of_the_power_aina_gets_a_404_on_everything_of_maria(
    people: People, marias_case: tuple[Expedient, Notification]
) -> None:
    power = in_force(ident(people, "maria"), ident(people, "aina"), days=1)
    case, notification = marias_case
    urls = everywhere(case, notification)

    with time_machine.travel(power.ends_at - dt.timedelta(minutes=1), tick=False):
        assert answers(people.aina.client, urls) == {200}
    with time_machine.travel(power.ends_at + dt.timedelta(minutes=1), tick=False):
        assert answers(people.aina.client, urls) == {404}
        assert not_listed(people.aina.client, case, notification)
        assert answers(people.maria.client, urls) == {200}


# --- What Aina did while the power was in force stays hers ----------------------------------------


def pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "rebut.pdf"
    path.write_bytes(content)
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(done.stdout.split())


def test_what_aina_filed_while_in_force_still_names_her_on_maria_s_pages_after_revocation(
    people: People, tmp_path: Path
) -> None:
    power = in_force(
        ident(people, "maria"),
        ident(people, "aina"),
        scope=Power.Scope.PROCEDURES,
        procedure_codes=("OBRA",),
    )
    case = file_case_on_behalf(ident(people, "aina"), people.obra, behalf=on_behalf_of(power))
    entry = case.opening_entry
    assert answers(people.aina.client, case_urls(case) + entry_urls(entry)) == {200}

    acting.revoke(ident(people, "maria"), power)

    assert answers(people.aina.client, case_urls(case) + entry_urls(entry)) == {404}
    case.refresh_from_db()
    entry.refresh_from_db()
    for act in (case, entry):
        assert parties(act) == ("12345678Z", "11111111H")
        assert (act.representation, act.power_id) == (Representation.POWER, power.pk)
    maria = people.maria.client
    entry_page = page_text(maria.get(f"/carpeta/registre/{entry.pk}/"))
    assert f"{AINA} — 11111111H" in entry_page
    receipt = pdf_text(maria.get(f"/carpeta/registre/{entry.pk}/rebut.pdf").content, tmp_path)
    assert AINA in receipt and MARIA in receipt
    case_page = page_text(maria.get(f"/carpeta/expedients/{case.pk}/"))
    assert AINA in case_page and MARIA in case_page


# --- A declared representation refused by the organ -----------------------------------------------


def test_a_declared_representative_loses_the_case_file_when_the_organ_refuses_it(
    people: People,
) -> None:
    declared = Behalf(
        declared=identity.PersonData(nif="12345678Z", given_name="Maria", surnames="Garcia Ferrer"),
        confirmed=True,
    )
    case = file_case_on_behalf(ident(people, "aina"), people.obra, behalf=declared)
    assert parties(case) == ("12345678Z", "11111111H")
    assert (case.representation, case.representation_check) == (
        Representation.DECLARED,
        RepresentationCheck.TO_CHECK,
    )
    urls = case_urls(case) + entry_urls(case.opening_entry)
    assert answers(people.aina.client, urls) == {200}
    assert answers(people.maria.client, urls) == {200}

    services.check_representation(
        case=case,
        decision=RepresentationCheck.REFUSED,
        reason="No s'ha aportat cap document que acrediti la representació.",
        acting_user=people.clerk,
    )

    assert answers(people.aina.client, urls) == {404}
    assert case.number not in listed(people.aina.client)
    assert answers(people.maria.client, urls) == {200}
    assert case.number in listed(people.maria.client)
    case.refresh_from_db()
    assert case.opening_entry.representation_check == RepresentationCheck.REFUSED
    step = case.transitions.filter(step=services.STEP_REPRESENTATION_REFUSED).get()
    assert step.actor_id == people.clerk.pk


def test_a_declared_representative_keeps_the_case_file_once_the_organ_checks_it(
    people: People,
) -> None:
    declared = Behalf(
        declared=identity.PersonData(nif="12345678Z", given_name="Maria", surnames="Garcia Ferrer"),
        confirmed=True,
    )
    case = file_case_on_behalf(ident(people, "aina"), people.obra, behalf=declared)

    services.check_representation(
        case=case, decision=RepresentationCheck.CHECKED, acting_user=people.clerk
    )

    assert answers(people.aina.client, case_urls(case) + entry_urls(case.opening_entry)) == {200}


# --- Notifications to Maria in a case file where Aina acts by a power -----------------------------


def test_aina_opens_maria_s_notification_while_in_force_and_gets_a_404_after_revocation(
    people: People,
) -> None:
    power = in_force(ident(people, "maria"), ident(people, "aina"))
    case = file_case_on_behalf(ident(people, "aina"), people.obra, behalf=on_behalf_of(power))
    notification = notify_in(case, people.clerk)
    assert notification.representative is not None
    assert (notification.holder.nif, notification.representative.nif) == ("12345678Z", "11111111H")
    assert notification.power_id == power.pk
    base = f"/notificacions/{notification.public_id}/"
    aina = people.aina.client

    assert aina.get(base).status_code == 200
    assert str(notification.public_id) in listed(aina)
    opened = aina.post(f"{base}obrir/")
    assert opened.status_code == 302 and opened["Location"] == base
    notification.refresh_from_db()
    assert notification.state == Notification.State.ACCESSED
    assert aina.get(f"{base}documents/0/").status_code == 200

    acting.revoke(ident(people, "maria"), power)

    for url in (base, f"{base}documents/0/", f"{base}evidencia/", f"{base}certificat/"):
        assert aina.get(url).status_code == 404, url
    assert aina.post(f"{base}obrir/").status_code == 404
    assert aina.post(f"{base}rebutjar/").status_code == 404
    assert str(notification.public_id) not in listed(aina)
    # Maria still receives it, and reads what Aina opened.
    assert people.maria.client.get(base).status_code == 200
    assert people.maria.client.get(f"{base}documents/0/").status_code == 200
