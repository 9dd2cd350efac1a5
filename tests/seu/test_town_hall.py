"""The town hall's identity (art. 9.1) is a back-office change with legal effect (issue 12.4): it
goes through ``seu.services.save_town_hall``, which logs who changed what and makes every page show
the new identity at once (the cache follows the service; no signal is left to do it)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from seu import services
from seu.errors import InvalidInput
from seu.models import BackOfficeChange, TownHall
from tests.conftest import log_in_to_back_office

pytestmark = pytest.mark.django_db


def _form(town_hall: TownHall, **changes: str) -> dict[str, str]:
    fields = {
        "name": town_hall.name,
        "nif": town_hall.nif,
        "dir3_code": town_hall.dir3_code,
        "address": town_hall.address,
        "postal_code": town_hall.postal_code,
        "municipality": town_hall.municipality,
        "phone": town_hall.phone,
        "email": town_hall.email,
        "registry_email": town_hall.registry_email,
        "website": town_hall.website,
        "office_hours_ca": town_hall.office_hours,
    }
    return fields | changes


def test_renaming_the_town_hall_in_the_back_office_is_logged_and_every_page_shows_it_at_once(
    client: Client, administrator: User, town_hall: TownHall
) -> None:
    visitor = Client()  # the change's confirmation message must not be what shows the name
    log_in_to_back_office(client, administrator)
    assert town_hall.name in visitor.get("/verificar/").text  # read, and cached

    response = client.post(
        f"/gestio/seu/townhall/{town_hall.pk}/change/",
        _form(town_hall, name="Ajuntament de Son Carrió"),
    )

    assert response.status_code == 302
    assert "Ajuntament de Son Carrió" in visitor.get("/verificar/").text
    [change] = BackOfficeChange.objects.all()
    assert change.what == "seu.TownHall"
    assert change.action == BackOfficeChange.Action.CHANGED
    assert change.actor == administrator
    assert change.values == {"name": [town_hall.name, "Ajuntament de Son Carrió"]}


def test_a_second_town_hall_is_refused_and_the_one_there_cannot_be_deleted(
    client: Client, administrator: User, town_hall: TownHall
) -> None:
    second = TownHall(**{k: v for k, v in _form(town_hall, name="Un altre").items()})
    with pytest.raises(InvalidInput):
        services.save_town_hall(town_hall=second, acting_user=administrator)
    assert TownHall.objects.count() == 1

    log_in_to_back_office(client, administrator)
    assert client.get("/gestio/seu/townhall/add/").status_code == 403
    assert client.get(f"/gestio/seu/townhall/{town_hall.pk}/delete/").status_code == 403
