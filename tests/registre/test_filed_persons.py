"""An entry keeps the interested person's and the representative's data as they were when it was
filed (issue 11, item B; art. 33.f-g): a later login under another name changes the person, never
the record. The receipt, the carpeta, the book, the API and the SICRES 3 export all say the same."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any, cast

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from lxml import etree
from rest_framework.test import APIClient

from registre import services, sicres
from registre.models import RegistryEntry
from seu import identity
from seu.models import Identification, LoA, Organ, Person, TownHall
from tests.actors import ENTITY
from tests.conftest import log_in_to_back_office
from tests.factories import UserFactory
from tests.registre.conftest import local
from tests.support.api import citizen_client, grant, token_client
from tests.support.filing import DIR3, file_and_confirm, log_in, page_text

pytestmark = pytest.mark.django_db

BOOK = "/gestio/registre/registryentry/"
NIF = "12345678Z"
AS_FILED = identity.PersonData(nif=NIF, given_name="Margalida", surnames="Bennàssar Riera")
LATER = identity.PersonData(nif=NIF, given_name="MARIA", surnames="GARCIA FERRER")
COMPANY = ENTITY
COMPANY_LATER = identity.PersonData(nif="B12345674", legal_name="LLEVANT SERVEIS GLOBALS SA")


@pytest.fixture
def town_hall(db: None) -> TownHall:
    from tests.factories import TownHallFactory

    return cast(TownHall, TownHallFactory.create(dir3_code=DIR3))


@pytest.fixture
def registrar(db: None) -> User:
    user = cast(User, UserFactory.create(username="registradora", staff=True, supervisor=True))
    grant(user, "view_registryentry")
    return cast(User, User.objects.get(pk=user.pk))


def receipt_text(entry: RegistryEntry, tmp_path: Path) -> str:
    assert entry.receipt is not None
    path = tmp_path / f"{entry.pk}.pdf"
    path.write_bytes(entry.receipt.current_version().blob.read())
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def entry_data(response: Any) -> str:
    """The entry's data on its page (the header greets whoever is logged in now, by their
    current name)."""
    text = page_text(response)
    start = text.index('id="dades-registre"')
    return text[start : text.index("</dl>", start)]


def sicres_person(entry: RegistryEntry) -> dict[str, str | None]:
    document = etree.fromstring(sicres.export_entry(entry))
    return {
        tag: document.findtext(f"De_Interesado/{tag}")
        for tag in (
            "Documento_Identificacion_Interesado",
            "Nombre_Interesado",
            "Primer_Apellido_Interesado",
            "Segundo_Apellido_Interesado",
            "Razon_Social_Interesado",
            "Documento_Identificacion_Representante",
            "Nombre_Representante",
            "Primer_Apellido_Representante",
        )
    }


def test_the_names_on_a_filed_entry_stay_as_filed_after_the_person_logs_in_as_someone_else(
    client: Client, town_hall: TownHall, organ: Organ, registrar: User, tmp_path: Path
) -> None:
    log_in(client, AS_FILED)
    entry = file_and_confirm(client, organ)
    assert "Margalida Bennàssar Riera" in receipt_text(entry, tmp_path)

    # The same NIF logs in again and the identity provider now gives other names.
    later = Client()
    log_in(later, LATER)
    assert Person.objects.get(nif=NIF).display_name == "MARIA GARCIA FERRER"

    # The carpeta.
    detail = entry_data(later.get(reverse("registre:entry", args=[entry.pk])))
    assert "Margalida Bennàssar Riera — 12345678Z" in detail
    assert "MARIA" not in detail

    # The book: the list and the entry's page.
    staff = Client()
    log_in_to_back_office(staff, registrar)
    book = page_text(staff.get(BOOK))
    assert "Margalida Bennàssar Riera" in book and "MARIA GARCIA FERRER" not in book
    change = page_text(staff.get(f"{BOOK}{entry.pk}/change/"))
    assert "Margalida Bennàssar Riera" in change and "MARIA GARCIA FERRER" not in change
    # Searching the book by the name as filed finds it; by the later name it does not.
    number = str(entry.number)
    assert number in page_text(staff.get(BOOK, {"q": "Bennàssar"}))
    assert number not in page_text(staff.get(BOOK, {"q": "GARCIA"}))

    # The API.
    api = citizen_client(LATER)
    body = api.get(f"/api/v1/registre/entrades/{number.replace('/', '-')}/").json()
    assert body["interested"] == {
        "nif": NIF,
        "kind": "natural",
        "name": "Margalida Bennàssar Riera",
        "given_name": "Margalida",
        "surnames": "Bennàssar Riera",
        "legal_name": "",
    }
    assert body["representative"] is None

    # SICRES 3.
    exported = sicres_person(entry)
    assert exported["Nombre_Interesado"] == "Margalida"
    assert exported["Primer_Apellido_Interesado"] == "Bennàssar"
    assert exported["Segundo_Apellido_Interesado"] == "Riera"

    # A new entry carries the names of its own filing.
    new = file_and_confirm(later, organ)
    assert "MARIA GARCIA FERRER" in receipt_text(new, tmp_path)
    assert "MARIA GARCIA FERRER — 12345678Z" in entry_data(
        later.get(reverse("registre:entry", args=[new.pk]))
    )
    assert sicres_person(new)["Nombre_Interesado"] == "MARIA"
    assert "MARIA GARCIA FERRER" in page_text(staff.get(f"{BOOK}{new.pk}/change/"))
    # ... and the first one still the names it was filed with.
    assert sicres_person(entry)["Nombre_Interesado"] == "Margalida"


def test_a_representative_and_the_entity_keep_the_data_of_the_filing(
    client: Client, town_hall: TownHall, organ: Organ, registrar: User
) -> None:
    log_in(client, AS_FILED, represented_entity=COMPANY)
    entry = file_and_confirm(client, organ)

    identity.record_identification(
        person=LATER,
        method=Identification.Method.CLAVE,
        loa=LoA.SUBSTANTIAL,
        evidence=identity.Evidence(provider="Cl@ve"),
        represented_entity=COMPANY_LATER,
    )

    detail = entry_data(client.get(reverse("registre:entry", args=[entry.pk])))
    assert "SERVEIS DEL LLEVANT SL — B12345674" in detail
    assert "Margalida Bennàssar Riera — 12345678Z" in detail
    assert "GLOBALS" not in detail and "MARIA" not in detail
    exported = sicres_person(entry)
    assert exported["Razon_Social_Interesado"] == "SERVEIS DEL LLEVANT SL"
    assert exported["Documento_Identificacion_Representante"] == NIF
    assert exported["Nombre_Representante"] == "Margalida"
    staff = Client()
    log_in_to_back_office(staff, registrar)
    change = page_text(staff.get(f"{BOOK}{entry.pk}/change/"))
    assert "SERVEIS DEL LLEVANT SL" in change and "Margalida Bennàssar Riera" in change
    assert "GLOBALS" not in change and "MARIA" not in change


def test_an_entry_filed_through_the_api_keeps_the_names_it_was_filed_with(
    town_hall: TownHall, organ: Organ
) -> None:
    account = UserFactory.create(username="gestor-expedients")
    grant(account, "add_registryentry")
    service: APIClient = token_client(account)
    form: dict[str, Any] = {
        "organ": organ.code,
        "subject": "Sol·licitud",
        "interested_nif": NIF,
        "interested_given_name": "Margalida",
        "interested_surnames": "Bennàssar Riera",
    }
    first = service.post("/api/v1/registre/entrades/", form, format="multipart").json()
    second = service.post(
        "/api/v1/registre/entrades/",
        {**form, "interested_given_name": "MARIA", "interested_surnames": "GARCIA FERRER"},
        format="multipart",
    ).json()

    assert service.get(first["url"]).json()["interested"]["name"] == "Margalida Bennàssar Riera"
    assert service.get(second["url"]).json()["interested"]["name"] == "MARIA GARCIA FERRER"


def test_a_paper_entry_and_an_exit_keep_the_names_they_were_made_with(
    town_hall: TownHall, organ: Organ
) -> None:
    paper = services.register_entry(
        organ=organ,
        subject="Sol·licitud en paper",
        interested=AS_FILED,
        channel=RegistryEntry.Channel.IN_PERSON,
        presented_at=local(2026, 11, 23, 9, 0),
        now=local(2026, 11, 23, 9, 0),
    )
    exit_ = services.register_exit(
        organ=organ,
        addressee="Margalida Bennàssar Riera",
        addressee_person=identity.PersonData(nif=NIF),
        subject="Resposta",
        related_entry=paper,
        acting_user=None,
        now=local(2026, 11, 24, 9, 0),
    )
    identity.upsert_person(LATER)

    for entry in (paper, exit_):
        entry.refresh_from_db()
        exported = sicres_person(entry)
        assert exported["Nombre_Interesado"] == "Margalida", entry
        assert exported["Primer_Apellido_Interesado"] == "Bennàssar", entry
