"""A declared representation checked by the organ (ordinance art. 26.2.c and its last paragraph;
issue 16 item 3), and the representation shown wherever the case file is shown: the clerk finds
the case in the queue "per comprovar", decides on the case's page (checked, proof requested,
refused; the last two with the reason the persons read), the decision is logged with its actor,
the next notification names the representative only once it is checked, a refused declarant
loses the case file while the interested person still sees it with the reason, and the registry
entry, the carpeta and the staff API say how the representative acts."""

from __future__ import annotations

import re
from typing import Any, cast

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from expedients import services
from expedients.models import Expedient, ExpedientTransition, RemedyRequest, State
from notificacions import access
from registre.models import RegistryEntry
from seu import calendar
from seu.identity import PersonData
from seu.identity.representation import Behalf
from seu.models import Representation, RepresentationCheck
from tests import actors
from tests.actors import CITIZEN
from tests.factories import UserFactory
from tests.support.api import token_client
from tests.support.filing import page_text
from tests.support.representation import (
    People,
    file_case_on_behalf,
    in_force,
    make_people,
    notify_in,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_a_working_day")]

clerk = actors.clerk
another_organ = actors.another_organ
clerk_of_another_organ = actors.clerk_of_another_organ

# Aina declares, when filing, that she acts for Maria: no power of Maria's is registered here.
DECLARED = Behalf(
    declared=PersonData(nif=CITIZEN.nif, given_name="Maria", surnames="Garcia Ferrer"),
    confirmed=True,
)
REASON = "Aportau l'escriptura o el document que acrediti que actuau en nom de Maria."
REFUSAL = "El document aportat no acredita la representació de Maria Garcia Ferrer."


@pytest.fixture
def people(town_hall: Any, organ: Any) -> People:
    return make_people(organ)


@pytest.fixture
def declared(people: People) -> Expedient:
    """OBRA, filed by Aina for Maria by a declared representation: to be checked."""
    case = file_case_on_behalf(people.identification_of(people.aina), people.obra, behalf=DECLARED)
    assert case.representation == Representation.DECLARED
    assert case.representation_check == RepresentationCheck.TO_CHECK
    assert case.interested.nif == CITIZEN.nif and case.representative is not None
    return case


def case_url(case: Expedient, action: str = "change") -> str:
    return reverse(f"admin:expedients_expedient_{action}", args=[case.pk])


def folder_url(case: Expedient) -> str:
    return reverse("expedients:case", args=[case.pk])


def entry_url(entry: RegistryEntry) -> str:
    return reverse("admin:registre_registryentry_change", args=[entry.pk])


def decide(client: Client, case: Expedient, decision: str, reason: str = "") -> Any:
    return client.post(
        case_url(case, "representation"),
        {"representation-decision": decision, "representation-reason": reason},
    )


def check_cell(page: str) -> str:
    """The text of the case page's "Comprovació de la representació" cell."""
    found = re.search(r'<td id="representation-check"[^>]*>(.*?)</td>', page, re.S)
    assert found, "no representation check on the page"
    return " ".join(re.sub(r"<[^>]+>", "", found.group(1)).split())


def representation_steps(case: Expedient) -> list[ExpedientTransition]:
    return list(
        ExpedientTransition.objects.filter(
            expedient=case, step__in=list(services.REPRESENTATION_STEPS.values())
        ).order_by("pk")
    )


# --- The clerk finds it and sees it "per comprovar" -----------------------------------------------


def test_a_declared_representation_shows_to_check_on_the_case_page_and_in_the_queue(
    people: People, declared: Expedient, clerk: actors.Actor
) -> None:
    own = file_case_on_behalf(people.identification_of(people.joan), people.gual)
    queue = reverse("admin:expedients_expedient_changelist")

    page = page_text(clerk.client.get(case_url(declared)))
    to_check = page_text(clerk.client.get(queue, {"representacio": "on"}))
    everything = page_text(clerk.client.get(queue))

    people_part = page[page.index('id="case-people"') :]
    assert "Aina Roig Sureda (11111111H)" in people_part
    assert "Maria Garcia Ferrer (12345678Z)" in people_part
    assert check_cell(page) == "Declarada, per comprovar"
    assert 'id="action-representation"' in page
    assert 'name="representation-decision"' in page
    assert declared.number in to_check and own.number not in to_check
    assert "Representació per comprovar" in to_check
    assert declared.number in everything and own.number in everything


def test_a_representation_by_a_power_shows_the_power_and_offers_no_check(
    people: People, clerk: actors.Actor
) -> None:
    maria, aina = people.identification_of(people.maria), people.identification_of(people.aina)
    power = in_force(maria, aina)
    case = file_case_on_behalf(aina, people.obra, behalf=Behalf(power=str(power.public_id)))
    assert clerk.user is not None
    clerk.user.user_permissions.add(
        Permission.objects.get(content_type__app_label="seu", codename="view_power")
    )
    ends_on = calendar.format_date(calendar.last_day(power.ends_at))

    page = page_text(clerk.client.get(case_url(case)))
    refused = clerk.client.post(case_url(case, "representation"), {})

    assert f'href="{reverse("admin:seu_power_change", args=[power.pk])}"' in page
    assert "Apoderament inscrit" in page and ends_on in page
    assert 'id="representation-check"' not in page
    assert 'id="action-representation"' not in page
    assert refused.status_code == 302
    assert "no és declarada" in page_text(clerk.client.get(case_url(case)))
    assert representation_steps(case) == []


# --- The decision ---------------------------------------------------------------------------------


def test_a_checked_representation_is_logged_shown_and_named_in_the_next_notification(
    people: People, declared: Expedient, clerk: actors.Actor
) -> None:
    maria = people.identification_of(people.maria)
    # Before the check: the remedy request goes to Maria alone (art. 26.1: not proved yet).
    before = notify_in(declared, people.clerk)
    access.accept(identification=maria, public_id=before.public_id)
    services.answer_remedy(
        case=declared,
        identification=maria,
        text="Adjunt el pressupost.",
        attached=[],
        presented_at=calendar.now(),
        language="ca",
    )
    declared.refresh_from_db()
    assert declared.state == State.REMEDIED

    response = decide(clerk.client, declared, RepresentationCheck.CHECKED)
    after = notify_in(declared, people.clerk)

    assert before.representative_id is None
    assert response.status_code == 302 and response["Location"] == case_url(declared)
    declared.refresh_from_db()
    assert declared.representation_check == RepresentationCheck.CHECKED
    assert declared.opening_entry.representation_check == RepresentationCheck.CHECKED
    [step] = representation_steps(declared)
    assert step.step == services.STEP_REPRESENTATION_CHECKED
    assert step.actor_id == cast(User, clerk.user).pk and step.public
    assert after.representative_id == declared.representative_id
    assert RemedyRequest.objects.filter(expedient=declared).count() == 2
    staff_page = page_text(clerk.client.get(case_url(declared)))
    assert check_cell(staff_page) == "Comprovada"
    assert 'id="action-representation"' not in staff_page
    for person in (people.maria, people.aina):
        carpeta = page_text(person.client.get(folder_url(declared)))
        assert "Presentat per Aina Roig Sureda en nom de Maria Garcia Ferrer." in carpeta
        assert "Comprovada per l'òrgan" in carpeta
        assert "Representació declarada comprovada" in carpeta  # the public log


def test_asking_for_proof_without_a_reason_is_refused_in_catalan_and_changes_nothing(
    declared: Expedient, clerk: actors.Actor
) -> None:
    response = decide(clerk.client, declared, RepresentationCheck.PROOF_REQUESTED, "   ")

    page = page_text(response)
    assert response.status_code == 200
    assert 'id="error-summary"' in page
    assert 'id="id_representation-reason_error"' in page
    assert "Indicau el motiu: la persona el veurà." in page
    assert re.search(r'<input [^>]*value="proof_requested"[^>]* checked>', page)
    declared.refresh_from_db()
    assert declared.representation_check == RepresentationCheck.TO_CHECK
    assert representation_steps(declared) == []


def test_asking_for_proof_shows_the_reason_to_both_and_still_lets_the_clerk_decide(
    people: People, declared: Expedient, clerk: actors.Actor
) -> None:
    response = decide(clerk.client, declared, RepresentationCheck.PROOF_REQUESTED, REASON)

    assert response.status_code == 302
    staff_page = page_text(clerk.client.get(case_url(declared)))
    assert check_cell(staff_page) == f"S'ha demanat que s'acrediti: {REASON}"
    assert 'value="proof_requested"' not in staff_page  # asked once: now checked or refused
    assert 'value="checked"' in staff_page and 'value="refused"' in staff_page
    for person in (people.maria, people.aina):
        carpeta = page_text(person.client.get(folder_url(declared)))
        assert "L'òrgan ha demanat que s'acrediti" in carpeta
        assert f"Motiu: {REASON}" in carpeta
    entry = page_text(clerk.client.get(entry_url(declared.opening_entry)))
    assert "declarada pel representant" in entry
    assert f"se n'ha demanat l'acreditació: {REASON}" in entry


def test_a_refused_representation_hides_the_case_from_the_declarant_but_not_from_the_person(
    people: People, declared: Expedient, clerk: actors.Actor
) -> None:
    before = page_text(people.aina.client.get(folder_url(declared)))

    response = decide(clerk.client, declared, RepresentationCheck.REFUSED, REFUSAL)

    assert "Pendent que l'òrgan la comprovi" in before
    assert response.status_code == 302
    assert people.aina.client.get(folder_url(declared)).status_code == 404
    carpeta = page_text(people.maria.client.get(folder_url(declared)))
    assert "Presentat per Aina Roig Sureda en nom de Maria Garcia Ferrer." in carpeta
    assert "No acreditada" in carpeta and f"Motiu: {REFUSAL}" in carpeta
    [step] = representation_steps(declared)
    assert step.step == services.STEP_REPRESENTATION_REFUSED and step.reason == REFUSAL
    staff_page = page_text(clerk.client.get(response["Location"]))
    assert "Representació no acreditada: el representant ja no veu l'expedient" in staff_page
    assert check_cell(staff_page) == f"No acreditada: {REFUSAL}"
    entry = page_text(clerk.client.get(entry_url(declared.opening_entry)))
    assert f"no acreditada: {REFUSAL}" in entry


def test_a_second_decision_after_the_check_is_refused_with_a_message(
    declared: Expedient, clerk: actors.Actor
) -> None:
    decide(clerk.client, declared, RepresentationCheck.CHECKED)

    again = decide(clerk.client, declared, RepresentationCheck.REFUSED, REFUSAL)

    assert again.status_code == 302 and again["Location"] == case_url(declared)
    page = page_text(clerk.client.get(again["Location"]))
    assert "La representació ja està decidida («Comprovada»)" in page
    declared.refresh_from_db()
    assert declared.representation_check == RepresentationCheck.CHECKED
    assert declared.representation_reason == ""
    assert len(representation_steps(declared)) == 1


def test_a_clerk_of_another_organ_gets_a_404_on_the_check(
    declared: Expedient, clerk_of_another_organ: actors.Actor
) -> None:
    client = clerk_of_another_organ.client

    assert client.get(case_url(declared, "representation")).status_code == 404
    assert decide(client, declared, RepresentationCheck.CHECKED).status_code == 404
    declared.refresh_from_db()
    assert declared.representation_check == RepresentationCheck.TO_CHECK
    assert representation_steps(declared) == []


# --- The staff API --------------------------------------------------------------------------------


def api_client(organ: Any) -> APIClient:
    user = cast(User, UserFactory(username="gestor-documental", clerk_of=organ))
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="expedients", codename="view_expedient")
    )
    return token_client(user)


def test_the_api_shows_how_the_representative_acts_and_the_organs_check(
    people: People, declared: Expedient, clerk: actors.Actor, organ: Any
) -> None:
    maria, aina = people.identification_of(people.maria), people.identification_of(people.aina)
    power = in_force(maria, aina)
    by_power = file_case_on_behalf(aina, people.gual, behalf=Behalf(power=str(power.public_id)))
    own = file_case_on_behalf(maria, people.gual)
    client = api_client(organ)
    decide(clerk.client, declared, RepresentationCheck.PROOF_REQUESTED, REASON)

    def shown(case: Expedient) -> dict[str, Any]:
        response = client.get(f"/api/v1/expedients/{case.number}/")
        assert response.status_code == 200, response.content
        return cast(dict[str, Any], response.json()["representation"])

    assert shown(declared) == {
        "kind": "declared",
        "check": "proof_requested",
        "reason": REASON,
        "power": None,
    }
    assert shown(by_power) == {
        "kind": "power",
        "check": "",
        "reason": "",
        "power": str(power.public_id),
    }
    assert shown(own) == {"kind": "", "check": "", "reason": "", "power": None}


def test_the_schema_documents_the_representation_block() -> None:
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    schemas = response.json()["components"]["schemas"]
    block = schemas["Expedient"]["properties"]["representation"]
    assert block["allOf"][0]["$ref"] == "#/components/schemas/ExpedientRepresentation"
    fields = schemas["ExpedientRepresentation"]["properties"]
    assert set(fields) == {"kind", "check", "reason", "power"}
    assert fields["power"]["format"] == "uuid" and fields["power"]["nullable"] is True
