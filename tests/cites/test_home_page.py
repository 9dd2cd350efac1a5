"""Issue 13 items 8 and 15: the home page promises only what exists. The appointment section names
the services on offer now (Cl@ve registration only while it is on); sections not built yet are
listed apart as coming, without a link; La meva carpeta promises the case files once they exist."""

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
    client: Client, town_hall: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from seu import sections, views

    coming = sections.Section("arxiu", "Arxiu electrònic", "Documents arxivats.", "22")
    monkeypatch.setattr(views, "SECTIONS", [*sections.SECTIONS, coming])
    monkeypatch.setattr(views, "BY_SLUG", {**sections.BY_SLUG, "arxiu": coming})
    page = client.get("/").content.decode()
    working, upcoming = page.split('id="properament"', 1)
    # Listed as coming, its link to the page that says so and where to go meanwhile.
    assert 'href="/arxiu/"' not in working and 'href="/arxiu/"' in upcoming
    assert "Arxiu electrònic" not in working and "Arxiu electrònic" in upcoming
    pending = client.get("/arxiu/").content.decode()
    assert "Aquesta secció encara no està disponible" in pending
    for built in ("/certificats/", "/notificacions/", "/tramits/"):
        assert f'href="{built}"' in working and f'href="{built}"' not in upcoming


def test_once_every_section_is_built_none_is_listed_as_coming(
    client: Client, town_hall: object
) -> None:
    page = client.get("/").content.decode()
    assert 'id="properament"' not in page
    assert 'href="/tramits/"' in page and "Catàleg de tràmits" in page
    # La meva carpeta now promises the case files, which exist.
    carpeta = re.search(r'<li id="seccio-carpeta">(.*?)</li>', page, re.S)
    assert carpeta and "expedients" in carpeta.group(1)
