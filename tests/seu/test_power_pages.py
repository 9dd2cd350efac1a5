"""The citizen's pages of powers of representation (identity:powers and the rest)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.urls import reverse

from expedients.models import Procedure
from seu import calendar
from seu.identity import representation
from seu.identity.representation import PowerInput
from seu.models import Power, PowerTransition
from tests import actors
from tests.actors import REPRESENTATIVE, Actor, person_actor
from tests.support.expedients import file_case, make_procedure

citizen = actors.citizen
another_citizen = actors.another_citizen
anonymous = actors.anonymous


@pytest.fixture
def aina(town_hall: object) -> Actor:
    return person_actor("aina", REPRESENTATIVE)


def today() -> dt.date:
    return calendar.to_local(calendar.now()).date()


def granted(actor: Actor, **wanted: object) -> Power:
    fields: dict[str, Any] = {
        "representative_nif": REPRESENTATIVE.nif,
        "scope": Power.Scope.GENERAL,
        "ends_on": today() + relativedelta(years=1),
    }
    fields.update(wanted)
    assert actor.identification is not None
    return representation.grant_power(
        identification=actor.identification,
        wanted=PowerInput(**fields),
    )


@pytest.fixture(autouse=True)
def catalogue(organ: Any) -> None:
    """Two procedures of the catalogue, which the form offers to choose from."""
    make_procedure(organ, code="GUAL", name="Gual permanent")
    make_procedure(organ, code="OBRA")


def form_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "representative_nif": REPRESENTATIVE.nif,
        "scope": "procedures",
        "procedure_codes": ["GUAL", "OBRA"],
        "case_reference": "",
        "ends_on": (today() + relativedelta(months=6)).isoformat(),
    }
    data.update(overrides)
    return data


def test_anonymous_is_sent_to_identify_at_the_substantial_level(anonymous: Actor) -> None:
    for name in ("identity:powers", "identity:grant_power"):
        response = anonymous.client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("identity:login"))
        assert "nivell=substantial" in response["Location"]


def test_granting_a_power_leads_to_its_page_saying_the_representative_must_accept_it(
    citizen: Actor,
) -> None:
    page = citizen.client.get(reverse("identity:grant_power"))
    assert page.status_code == 200
    assert 'value="general" checked' in page.content.decode()
    response = citizen.client.post(reverse("identity:grant_power"), form_data(), follow=True)
    power = Power.objects.get()
    assert response.redirect_chain[-1][0] == reverse("identity:power", args=[power.public_id])
    body = response.content.decode()
    assert "fins que el representant l&#x27;accepti" in body
    assert "Per als procediments GUAL, OBRA" in body
    assert power.procedure_codes == ["GUAL", "OBRA"]
    listing = citizen.client.get(reverse("identity:powers")).content.decode()
    assert REPRESENTATIVE.nif in listing and "Encara no" in listing


def test_the_procedures_are_chosen_from_the_catalogue_and_a_code_not_in_it_is_refused(
    citizen: Actor,
) -> None:
    """No code typed by hand: the form lists the catalogue's procedures (not the generic
    request) and a forged code that reaches nothing is refused with its message."""
    page = citizen.client.get(reverse("identity:grant_power")).content.decode()
    assert 'name="procedure_codes" type="checkbox" value="GUAL"' in page
    assert "Gual permanent (GUAL)" in page
    response = citizen.client.post(
        reverse("identity:grant_power"), form_data(procedure_codes=["GUAL", "OBRES"])
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "El procediment «OBRES» no és al catàleg de tràmits." in body
    assert not Power.objects.exists()


def test_a_power_for_one_case_file_names_one_of_the_grantors_own(
    citizen: Actor, another_citizen: Actor
) -> None:
    """The case file is chosen among the grantor's own: someone else's number, or one mistyped,
    is refused; one's own gives a power for exactly that case file."""
    assert citizen.identification and another_citizen.identification
    procedure = Procedure.objects.get(code="OBRA")
    mine = file_case(citizen.identification, procedure)
    theirs = file_case(another_citizen.identification, procedure)
    page = citizen.client.get(reverse("identity:grant_power")).content.decode()
    assert f'<option value="{mine.number}">' in page and theirs.number not in page

    refused = citizen.client.post(
        reverse("identity:grant_power"),
        form_data(scope="case", procedure_codes=[], case_reference=theirs.number),
    )
    assert refused.status_code == 400
    assert f"L&#x27;expedient «{theirs.number}» no és vostre." in refused.content.decode()
    assert not Power.objects.exists()

    citizen.client.post(
        reverse("identity:grant_power"),
        form_data(scope="case", procedure_codes=[], case_reference=mine.number),
    )
    power = Power.objects.get()
    assert (power.scope, power.case_reference) == ("case", mine.number)


def test_a_bad_nif_is_refused_and_what_was_typed_is_kept(citizen: Actor) -> None:
    response = citizen.client.post(
        reverse("identity:grant_power"), form_data(representative_nif="12345678A")
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert 'id="representative_nif-error"' in body
    assert 'aria-describedby="representative_nif-hint representative_nif-error"' in body
    assert 'value="12345678A"' in body
    assert 'value="GUAL" checked' in body and 'value="OBRA" checked' in body
    assert not Power.objects.exists()


def test_an_end_beyond_five_years_is_refused_on_its_field(citizen: Actor) -> None:
    too_late = today() + relativedelta(years=5, days=1)
    response = citizen.client.post(
        reverse("identity:grant_power"), form_data(ends_on=too_late.isoformat())
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="ends_on-error"' in body and "com a màxim cinc anys" in body
    assert f'value="{too_late.isoformat()}"' in body


def test_the_representative_accepts_through_the_confirmation_page(
    citizen: Actor, aina: Actor
) -> None:
    power = granted(citizen)
    page = aina.client.get(reverse("identity:power", args=[power.public_id])).content.decode()
    assert reverse("identity:accept_power", args=[power.public_id]) in page
    assert reverse("identity:revoke_power", args=[power.public_id]) not in page
    url = reverse("identity:accept_power", args=[power.public_id])
    assert "Voleu acceptar aquest apoderament?" in aina.client.get(url).content.decode()
    response = aina.client.post(url)
    assert response.status_code == 302
    power.refresh_from_db()
    assert power.state == Power.State.ACCEPTED
    assert PowerTransition.objects.get(power=power, to_state="accepted").identification_id == (
        aina.identification.pk  # type: ignore[union-attr]
    )


def test_the_representative_declines_and_cannot_then_accept(citizen: Actor, aina: Actor) -> None:
    power = granted(citizen)
    aina.client.post(reverse("identity:decline_power", args=[power.public_id]))
    power.refresh_from_db()
    assert power.state == Power.State.DECLINED
    response = aina.client.post(reverse("identity:accept_power", args=[power.public_id]))
    assert response.status_code == 400
    assert 'id="refus"' in response.content.decode()
    power.refresh_from_db()
    assert power.state == Power.State.DECLINED


def test_the_grantor_cannot_accept_and_the_representative_cannot_revoke(
    citizen: Actor, aina: Actor
) -> None:
    power = granted(citizen)
    assert (
        citizen.client.post(reverse("identity:accept_power", args=[power.public_id])).status_code
        == 404
    )
    assert (
        aina.client.post(reverse("identity:revoke_power", args=[power.public_id])).status_code
        == 404
    )
    power.refresh_from_db()
    assert power.state == Power.State.PENDING


def test_the_grantor_revokes_through_a_confirmation_page(citizen: Actor, aina: Actor) -> None:
    power = granted(citizen)
    aina.client.post(reverse("identity:accept_power", args=[power.public_id]))
    url = reverse("identity:revoke_power", args=[power.public_id])
    assert "Voleu revocar aquest apoderament?" in citizen.client.get(url).content.decode()
    citizen.client.post(url)
    power.refresh_from_db()
    assert power.state == Power.State.REVOKED
    assert representation.in_force_for(power.representative) == []
    history = citizen.client.get(reverse("identity:power", args=[power.public_id])).content
    assert "Revocat pel poderdant" in history.decode()


def test_another_citizen_gets_404_on_the_power_and_its_actions(
    citizen: Actor, another_citizen: Actor
) -> None:
    power = granted(citizen)
    for name in ("power", "accept_power", "decline_power", "revoke_power"):
        url = reverse(f"identity:{name}", args=[power.public_id])
        assert another_citizen.client.get(url).status_code == 404
        if name != "power":
            assert another_citizen.client.post(url).status_code == 404
    power.refresh_from_db()
    assert power.state == Power.State.PENDING


def test_an_accepted_power_past_its_end_shows_as_ended(citizen: Actor, aina: Actor) -> None:
    power = granted(citizen, ends_on=today() + dt.timedelta(days=2))
    aina.client.post(reverse("identity:accept_power", args=[power.public_id]))
    with time_machine.travel(power.ends_at + dt.timedelta(hours=1), tick=False):
        listing = aina.client.get(reverse("identity:powers")).content.decode()
        assert representation.in_force_for(power.representative) == []
    assert "acabat" in listing and "en vigor" not in listing.replace("En vigor", "")
