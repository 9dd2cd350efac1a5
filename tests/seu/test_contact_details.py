"""«Les meves dades» keeps the person's contact details (issue 13 item 10): an identified person
sets their e-mail, phone and postal address; each change is logged with its instant and the
identification used; bad input is refused in the person's language and what was typed stays; a
later identification does not overwrite the e-mail the person chose."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from seu import identity
from seu.models import Identification, LoA, Person, PersonContactChange
from tests.actors import ANOTHER_CITIZEN, CITIZEN, identify
from tests.support.filing import page_text

pytestmark = pytest.mark.django_db

MY_DATA = reverse("identity:my_data")
FORM = {
    "email": "maria@exemple.cat",
    "phone": "+34 971 12 34 56",
    "postal_address": "C/ Major, 1\r\n07001 Palma",
}


def test_a_person_sets_contact_details_and_the_change_is_logged(client: Client, town_hall) -> None:
    identification = identify(client, CITIZEN, loa=LoA.SUBSTANTIAL)
    assert 'name="email"' in page_text(client.get(MY_DATA))  # a form, not a dash
    with time_machine.travel(dt.datetime(2026, 12, 4, 9, 30, tzinfo=dt.UTC), tick=False):
        response = client.post(MY_DATA, FORM)
    assert response.status_code == 302 and response["Location"] == MY_DATA
    person = Person.objects.get(nif=CITIZEN.nif)
    assert (person.email, person.phone, person.postal_address) == (
        "maria@exemple.cat",
        "+34971123456",
        "C/ Major, 1\n07001 Palma",
    )
    change = PersonContactChange.objects.get(person=person)
    assert change.identification == identification
    assert change.at == dt.datetime(2026, 12, 4, 9, 30, tzinfo=dt.UTC)
    assert change.values["email"] == ["", "maria@exemple.cat"]
    assert "S'han desat les vostres dades de contacte." in page_text(client.get(MY_DATA))

    # Saving the same again changes nothing and logs nothing.
    client.post(MY_DATA, FORM)
    assert PersonContactChange.objects.filter(person=person).count() == 1


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("email", "maria@@exemple", "Escriviu una adreça electrònica vàlida"),
        ("phone", "971 12", "El telèfon «971 12» no és vàlid"),
        ("phone", "llamau-me", "El telèfon «llamau-me» no és vàlid"),
    ],
)
def test_bad_input_is_refused_in_catalan_and_kept(
    client: Client, town_hall, field: str, typed: str, message: str
) -> None:
    identify(client, CITIZEN, loa=LoA.SUBSTANTIAL)
    response = client.post(MY_DATA, {**FORM, field: typed})
    assert response.status_code == 400
    text = page_text(response)
    assert message in text
    assert f'value="{typed}"' in text
    assert not PersonContactChange.objects.exists()
    assert Person.objects.get(nif=CITIZEN.nif).phone == ""


def test_the_refusal_speaks_spanish_on_the_spanish_page(client: Client, town_hall) -> None:
    identify(client, CITIZEN, loa=LoA.SUBSTANTIAL)
    response = client.post("/es" + MY_DATA, {**FORM, "phone": "971 12"})
    assert response.status_code == 400
    assert "El teléfono «971 12» no es válido" in page_text(response)


def test_a_later_identification_keeps_the_email_the_person_chose(client: Client, town_hall) -> None:
    identify(client, CITIZEN, loa=LoA.SUBSTANTIAL)
    client.post(MY_DATA, FORM)
    # Cl@ve reports another address at the next login: the person's choice stands.
    identify(Client(), identity.PersonData(**{**CITIZEN.__dict__, "email": "vella@exemple.cat"}))
    assert Person.objects.get(nif=CITIZEN.nif).email == "maria@exemple.cat"


def test_a_low_identification_neither_sees_nor_changes_the_contact(
    client: Client, town_hall
) -> None:
    identify(client, CITIZEN, loa=LoA.LOW)
    assert client.get(MY_DATA).status_code == 403
    assert client.post(MY_DATA, FORM).status_code == 403
    assert not PersonContactChange.objects.exists()


def test_each_person_changes_only_their_own_details(client: Client, town_hall) -> None:
    identify(client, CITIZEN, loa=LoA.SUBSTANTIAL)
    other = Client()
    identify(other, ANOTHER_CITIZEN, loa=LoA.SUBSTANTIAL)
    other.post(MY_DATA, FORM)
    assert Person.objects.get(nif=CITIZEN.nif).email == ""
    assert Person.objects.get(nif=ANOTHER_CITIZEN.nif).email == "maria@exemple.cat"
    assert "maria@exemple.cat" not in page_text(client.get(MY_DATA))
    assert Identification.objects.count() == 2
