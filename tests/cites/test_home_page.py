"""Issue 13 items 8 and 15: the home page promises only what exists. The appointment section names
the services on offer now (Cl@ve registration only while it is on); sections not built yet are
listed apart as coming, without a link; La meva carpeta does not promise case files."""

from __future__ import annotations

import dataclasses
import re

import pytest
from django.test import Client

from cites import services
from cites.models import Service

pytestmark = pytest.mark.django_db


@pytest.fixture
def clave(fnmt: Service) -> Service:
    service, _ = Service.objects.update_or_create(
        code="clave",
        defaults={"name": "Registre a Cl@ve", "is_active": False, "weekdays": "0", "position": 2},
    )
    return service


def switch(service: Service, *, on: bool) -> None:
    current = {
        name: getattr(service, name) for name in services.ServiceSettings.__dataclass_fields__
    }
    values = dataclasses.replace(services.ServiceSettings(**current), is_active=on)
    services.change_service(service=service, values=values, acting_user=None)


def appointments_tile(page: str) -> str:
    found = re.search(r'<li id="seccio-cita-previa">(.*?)</li>', page, re.S)
    assert found, page
    return found.group(1)


def test_clave_registration_is_promised_only_while_the_service_is_on(
    client: Client, town_hall: object, clave: Service
) -> None:
    page = client.get("/").content.decode()
    assert "Cl@ve" not in appointments_tile(page)
    assert "Acreditació d&#x27;identitat per al certificat FNMT" in appointments_tile(page)
    switch(clave, on=True)
    assert "Registre a Cl@ve" in appointments_tile(client.get("/").content.decode())


def test_with_no_service_on_the_home_page_says_so(
    client: Client, town_hall: object, fnmt: Service
) -> None:
    switch(fnmt, on=False)
    tile = appointments_tile(client.get("/").content.decode())
    assert "no dona cita prèvia" in tile and "FNMT" not in tile


def test_sections_not_built_yet_are_coming_and_not_working_tiles(
    client: Client, town_hall: object
) -> None:
    page = client.get("/").content.decode()
    working, coming = page.split('id="properament"', 1)
    for slug, title in (("tramits", "Catàleg"),):
        # Listed as coming, its link to the page that says so and where to go meanwhile.
        assert f'href="/{slug}/"' not in working and f'href="/{slug}/"' in coming
        assert title not in working
        assert title in coming
    assert 'href="/certificats/"' in working  # a page that exists is a working tile
    assert 'href="/notificacions/"' in working and "Notificacions electròniques" not in coming
    carpeta = re.search(r'<li id="seccio-carpeta">(.*?)</li>', working, re.S)
    assert carpeta and "expedient" not in carpeta.group(1)
