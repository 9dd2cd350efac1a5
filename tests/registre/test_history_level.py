"""A person's earlier entries need a substantial identification (art. 8.2), on every route to them:
the carpeta, the entry's page and receipt, and the API's entry and receipt (issue 11, item 5).

What a low identification filed itself it sees at once, web and API alike (art. 33.f: no receipt,
no submission). The right person at too low a level is asked to step up (403 saying the level
needed, code ``insufficient_level`` in the API); anybody else still gets a 404."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from registre.models import RegistryEntry
from seu import identity
from seu.models import Identification, LoA, Organ
from tests.actors import ANOTHER_CITIZEN, CITIZEN
from tests.support.filing import file_and_confirm, log_in, page_text

pytestmark = pytest.mark.django_db

ENTRIES = "/api/v1/registre/entrades/"


def api_client(person: identity.PersonData, loa: LoA) -> tuple[APIClient, Identification]:
    client = APIClient()
    identification = log_in(client, person, loa)
    return client, identification


def api_entry(entry: RegistryEntry) -> str:
    return f"{ENTRIES}{str(entry.number).replace('/', '-')}/"


@pytest.fixture
def earlier(client: Client, town_hall, organ: Organ) -> RegistryEntry:
    """Filed by the citizen in an earlier, substantial identification."""
    log_in(client, CITIZEN, LoA.SUBSTANTIAL)
    return file_and_confirm(client, organ)


def test_a_low_session_is_told_on_the_api_which_level_reading_earlier_entries_needs(
    earlier: RegistryEntry,
) -> None:
    low, _identification = api_client(CITIZEN, LoA.LOW)
    for url in (api_entry(earlier), api_entry(earlier) + "rebut.pdf"):
        response = low.get(url)
        assert response.status_code == 403, url
        assert response["Content-Type"].startswith("application/json")
        body = response.json()
        assert body["code"] == "insufficient_level"
        assert "substancial" in body["detail"] and "baix" in body["detail"]


def test_the_refusal_speaks_the_language_of_the_session(earlier: RegistryEntry) -> None:
    low, _identification = api_client(CITIZEN, LoA.LOW)
    body = low.get(api_entry(earlier), HTTP_ACCEPT_LANGUAGE="es").json()
    assert body["code"] == "insufficient_level"
    assert "sustancial" in body["detail"] and "bajo" in body["detail"]


def test_a_substantial_session_reads_its_earlier_entries_on_the_api(earlier: RegistryEntry) -> None:
    substantial, _identification = api_client(CITIZEN, LoA.SUBSTANTIAL)
    assert substantial.get(api_entry(earlier)).status_code == 200
    assert substantial.get(api_entry(earlier) + "rebut.pdf").status_code == 200


def test_what_a_low_session_filed_itself_it_reads_on_the_web_and_the_api(
    earlier: RegistryEntry, organ: Organ
) -> None:
    low = APIClient()
    log_in(low, CITIZEN, LoA.LOW)
    filed_now = file_and_confirm(low, organ)
    assert low.get(api_entry(filed_now)).status_code == 200
    assert low.get(api_entry(filed_now) + "rebut.pdf").status_code == 200
    assert low.get(reverse("registre:entry", args=[filed_now.pk])).status_code == 200
    # ... and not the earlier one, on either.
    assert low.get(api_entry(earlier)).status_code == 403
    assert low.get(reverse("registre:entry", args=[earlier.pk])).status_code == 403


def test_the_web_asks_a_low_session_to_step_up_for_an_earlier_entry(
    earlier: RegistryEntry,
) -> None:
    low = Client()
    log_in(low, CITIZEN, LoA.LOW)
    for url in (
        reverse("registre:entry", args=[earlier.pk]),
        reverse("registre:receipt", args=[earlier.pk]),
    ):
        response = low.get(url)
        assert response.status_code == 403, url
        text = page_text(response)
        assert "Cal un nivell d'identificació més alt" in text
        assert "nivell=substantial" in text  # the way to step up
        assert str(earlier.number) not in text


def test_a_wrong_actor_gets_a_404_at_any_level(earlier: RegistryEntry) -> None:
    for loa in (LoA.LOW, LoA.SUBSTANTIAL):
        other, _identification = api_client(ANOTHER_CITIZEN, loa)
        assert other.get(api_entry(earlier)).status_code == 404
        assert other.get(api_entry(earlier) + "rebut.pdf").status_code == 404
        assert other.get(reverse("registre:entry", args=[earlier.pk])).status_code == 404
        assert other.get(reverse("registre:receipt", args=[earlier.pk])).status_code == 404


def test_the_web_and_the_api_need_the_same_level_from_one_place(
    earlier: RegistryEntry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Raising the level needed to read one's history raises it on every route."""
    substantial, _identification = api_client(CITIZEN, LoA.SUBSTANTIAL)
    monkeypatch.setattr(identity, "PERSONAL_DATA_LOA", LoA.HIGH)
    response = substantial.get(api_entry(earlier))
    assert response.status_code == 403 and "alt" in response.json()["detail"]
    assert substantial.get(reverse("registre:entry", args=[earlier.pk])).status_code == 403
    assert str(earlier.number) not in page_text(substantial.get(reverse("registre:folder")))
