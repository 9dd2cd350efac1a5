"""An entry's fields have one set of rules for every channel (issue #12 item 4): the web form,
the API and the back-office refuse the same over-limit text with the same limit and a message
that names the field, and the service refuses it too when a caller skips its form."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from registre import inputs, services
from registre.models import RegistryCounter, RegistryEntry
from seu import calendar
from seu.identity import PersonData
from seu.models import Organ
from tests import actors
from tests.factories import UserFactory
from tests.support.api import grant, token_client
from tests.support.files import make_pdf
from tests.support.filing import fill

pytestmark = pytest.mark.django_db

another_citizen = actors.another_citizen
clerk = actors.clerk

IN_PERSON = reverse("admin:registre_registryentry_in_person")
API_ENTRIES = "/api/v1/registre/entrades/"
MARIA = PersonData(nif="12345678Z", given_name="Maria", surnames="Garcia Ferrer")
TOO_LONG_EXPOSITION = "Que " + "exposo " * 1500  # 10,504 characters
EXPOSITION_REFUSED = "El text «Exposa» pot tenir com a màxim 10000 caràcters."


def text_of(response: Any) -> str:
    return html.unescape(response.content.decode())


def register(organ: Organ, **overrides: Any) -> RegistryEntry:
    arguments: dict[str, Any] = {
        "organ": organ,
        "subject": "Sol·licitud de llicència de gual",
        "exposition": "Que visc al carrer Major, 1.",
        "request": "Que se'm concedeixi la llicència.",
        "interested": MARIA,
        "presented_at": calendar.now(),
    }
    arguments.update(overrides)
    return services.register_entry(**arguments)


def nothing_registered() -> bool:
    return (
        not RegistryEntry.objects.exists()
        and not RegistryCounter.objects.filter(last_number__gt=0).exists()
    )


# --- The same refusal on every channel ----------------------------------------------------------


def test_the_web_the_api_and_the_back_office_refuse_the_same_over_limit_text_alike(
    another_citizen: actors.Actor, clerk: actors.Actor, organ: Organ
) -> None:
    """10,504 characters of "Exposa": the web form refused them, the back-office took up to
    20,000 and the API had no limit at all."""
    web = another_citizen.client.post(
        reverse("registre:file"), fill(organ, exposition=TOO_LONG_EXPOSITION)
    )
    account = UserFactory.create(username="gestor-expedients")
    grant(account, "add_registryentry")
    api = token_client(account).post(
        API_ENTRIES,
        {
            "organ": organ.code,
            "subject": "Sol·licitud de llicència de gual",
            "exposition": TOO_LONG_EXPOSITION,
            "request": "Que se'm concedeixi.",
            "interested_nif": "12345678Z",
            "interested_given_name": "Maria",
            "interested_surnames": "Garcia Ferrer",
        },
        format="multipart",
    )
    back_office = clerk.client.post(
        IN_PERSON,
        {
            "nif": "12345678Z",
            "given_name": "Maria",
            "surnames": "Garcia Ferrer",
            "organ": organ.pk,
            "subject": "Sol·licitud de certificat d'empadronament",
            "exposition": TOO_LONG_EXPOSITION,
            "request": "Que se m'expedeixi.",
            "language": "ca",
            "scans": [SimpleUploadedFile("escrit.pdf", make_pdf(), "application/pdf")],
        },
    )

    assert web.status_code == 400
    assert web.context["form"].errors["exposition"] == [EXPOSITION_REFUSED]
    assert api.status_code == 400
    assert api.json() == {"exposition": [EXPOSITION_REFUSED]}
    assert back_office.status_code == 200
    assert back_office.context["form"].errors["exposition"] == [EXPOSITION_REFUSED]
    # What was typed is shown again, whole, on both forms.
    assert TOO_LONG_EXPOSITION.strip() in text_of(web)
    assert TOO_LONG_EXPOSITION.strip() in text_of(back_office)
    assert "Sol·licitud de certificat d'empadronament" in text_of(back_office)
    assert nothing_registered()


# --- The service decides, whoever calls it -------------------------------------------------------


def test_register_entry_refuses_an_over_limit_exposition_and_takes_no_number(
    town_hall: Any, organ: Organ
) -> None:
    with pytest.raises(inputs.InvalidEntry) as refused:
        register(organ, exposition="x" * 25_000)

    assert refused.value.errors == {"exposition": [EXPOSITION_REFUSED]}
    assert nothing_registered()
    # The book's next number is still the first.
    assert register(organ).number is not None
    assert RegistryEntry.objects.get().sequence == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"subject": "A" * 301}, "subject", "L'assumpte pot tenir com a màxim 300"),
        ({"subject": "   "}, "subject", "Escriviu l'assumpte."),
        ({"request": "B" * 10_001}, "request", "«Sol·licita» pot tenir com a màxim 10000"),
        ({"subject": "Gual\x00"}, "subject", "caràcters que no s'admeten"),
        (
            {"interested": PersonData(nif="12345678Z", given_name="M" * 101, surnames="G")},
            "interested_given_name",
            "El nom pot tenir com a màxim 100",
        ),
        (
            {"interested": PersonData(nif="12345678Z", given_name="Maria")},
            "interested_surnames",
            "Cal el nom i els llinatges de la persona.",
        ),
        (
            {"interested": PersonData(nif="B12345674", given_name="Maria")},
            "interested_legal_name",
            "Cal la raó social d'una entitat",
        ),
        (
            {"interested": PersonData(nif="12345678A", given_name="Maria", surnames="G")},
            "interested_nif",
            "no és vàlid",
        ),
        ({"representative": MARIA}, "representative_nif", "una persona diferent"),
    ],
)
def test_register_entry_names_the_field_at_fault_and_stores_nothing(
    town_hall: Any, organ: Organ, overrides: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(inputs.InvalidEntry) as refused:
        register(organ, **overrides)

    assert list(refused.value.errors) == [field]
    assert message in refused.value.errors[field][0]
    assert nothing_registered()


def test_an_exit_or_a_non_admission_over_the_limits_is_refused_by_the_service(
    town_hall: Any, organ: Organ
) -> None:
    entry = register(organ)

    with pytest.raises(inputs.InvalidEntry) as exit_refused:
        services.register_exit(
            organ=organ, addressee="M" * 301, subject="Resposta", acting_user=None
        )
    with pytest.raises(inputs.InvalidEntry) as not_admitted_refused:
        services.mark_not_admitted(
            entry=entry, reason="R" * 4001, alternatives="", acting_user=UserFactory.create()
        )

    assert list(exit_refused.value.errors) == ["addressee"]
    assert set(not_admitted_refused.value.errors) == {"reason", "alternatives"}
    assert not RegistryEntry.objects.filter(direction="out").exists()
    entry.refresh_from_db()
    assert entry.state == RegistryEntry.State.REGISTERED and not entry.not_admitted_reason


def test_the_api_asks_for_the_surnames_of_a_natural_person_as_the_back_office_does(
    town_hall: Any, organ: Organ
) -> None:
    account = UserFactory.create(username="gestor-expedients")
    grant(account, "add_registryentry")
    body = {
        "organ": organ.code,
        "subject": "Sol·licitud",
        "interested_nif": "12345678Z",
        "interested_given_name": "Maria",
    }

    response = token_client(account).post(API_ENTRIES, body, format="multipart")

    assert response.status_code == 400
    assert response.json() == {"interested_surnames": ["Cal el nom i els llinatges de la persona."]}
    assert nothing_registered()
