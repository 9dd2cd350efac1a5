"""SICRES 3 export (issue 4, item 7): the national exchange file of an entry, valid against the
official schema and carrying the entry's number, instants, persons and attachment hashes."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from lxml import etree

from documents.services import store_blob
from registre import services, sicres
from registre.models import RegistryEntry
from seu.identity import PersonData
from seu.models import Organ, TownHall
from tests import actors
from tests.conftest import log_in_to_back_office
from tests.factories import UserFactory
from tests.support.filing import DIR3

pytestmark = pytest.mark.django_db

MADRID = ZoneInfo("Europe/Madrid")
SCHEMA_FILE = (
    Path(__file__).resolve().parents[2] / "registre" / "schemas" / "SICRES3_INTERCAMBIO_APL.xsd"
)
# As recorded in registre/schemas/README.md: the vendored schema is the official one, unedited.
SCHEMA_SHA256 = "10e24aa465e80f9328a659e2f837fc9c935f20b0b6b872f0739e3720594980e7"
# The citizen, with surnames that begin with particles and an e-mail address for the exchange.
CITIZEN = replace(actors.CITIZEN, surnames="de la Fuente Ferrer", email="maria@example.org")
REPRESENTATIVE = PersonData(nif="X1234567L", given_name="Pere", surnames="Oliver")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"  # stored as is: not re-checked
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0):
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=MADRID)


def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_FILE)))


def parse_valid(xml: bytes) -> etree._Element:
    document = etree.fromstring(xml)
    schema().assertValid(document)
    return document


def text(document: etree._Element, path: str) -> str | None:
    return document.findtext(path)


@pytest.fixture
def town_hall(db: None) -> TownHall:
    from tests.factories import TownHallFactory

    return cast(TownHall, TownHallFactory.create(dir3_code=DIR3))


def attachment(name: str, data: bytes, content_type: str, label: str):
    return services.IncomingAttachment(
        name=name,
        content_type=content_type,
        format_label=label,
        blob=store_blob(data, content_type),
    )


@pytest.fixture
def sunday_entry(town_hall: TownHall, organ: Organ) -> RegistryEntry:
    """Filed on a Sunday with a representative and two attachments: counts from Monday 00:00:01."""
    sunday = local(2026, 11, 22, 18, 30, 5)
    return services.register_entry(
        organ=organ,
        subject="Sol·licitud de llicència de gual",
        exposition="Que visc al carrer Major, 1.",
        request="Que se'm concedeixi la llicència.",
        interested=CITIZEN,
        representative=REPRESENTATIVE,
        attachments=[
            attachment("plànol.pdf", PDF, "application/pdf", "PDF"),
            attachment("fotografia.png", PNG, "image/png", "PNG"),
        ],
        presented_at=sunday,
        now=sunday,
    )


def test_the_vendored_schema_is_the_official_file_unedited() -> None:
    assert hashlib.sha256(SCHEMA_FILE.read_bytes()).hexdigest() == SCHEMA_SHA256


def test_an_entry_with_two_attachments_exports_valid_sicres3(
    sunday_entry: RegistryEntry,
) -> None:
    document = parse_valid(sicres.export_entry(sunday_entry))

    assert document.tag == "Fichero_Intercambio_SICRES_3"
    origin = "De_Origen_o_Remitente/"
    assert text(document, origin + "Codigo_Entidad_Registral_Origen") == DIR3
    assert text(document, origin + "Decodificacion_Entidad_Registral_Origen") == (
        "Ajuntament de Sant Llorenç des Cardassar"
    )
    assert text(document, origin + "Numero_Registro_Entrada") == "E/2026/000001"
    # The effective instant (art. 33.h) in local time; the Sunday presentation kept beside it.
    assert text(document, origin + "Fecha_Hora_Entrada") == "20261123000001"
    assert "20261122183005" in (text(document, "De_Internos_Control/Observaciones_Apunte") or "")
    assert text(document, "De_Destino/Codigo_Entidad_Registral_Destino") == DIR3
    assert text(document, "De_Destino/Decodificacion_Unidad_Tramitacion_Destino") == "Secretaria"

    person = "De_Interesado/"
    assert text(document, person + "Tipo_Documento_Identificacion_Interesado") == "N"
    assert text(document, person + "Documento_Identificacion_Interesado") == "12345678Z"
    assert text(document, person + "Nombre_Interesado") == "Maria"
    assert text(document, person + "Primer_Apellido_Interesado") == "de la Fuente"
    assert text(document, person + "Segundo_Apellido_Interesado") == "Ferrer"
    assert text(document, person + "Correo_Electronico_Interesado") == "maria@example.org"
    assert text(document, person + "Tipo_Documento_Identificacion_Representante") == "E"
    assert text(document, person + "Documento_Identificacion_Representante") == "X1234567L"
    assert text(document, person + "Primer_Apellido_Representante") == "Oliver"

    assert text(document, "De_Asunto/Resumen") == "Sol·licitud de llicència de gual"
    assert text(document, "De_Formulario_Generico/Expone") == "Que visc al carrer Major, 1."
    assert text(document, "De_Formulario_Generico/Solicita") == "Que se'm concedeixi la llicència."

    control = "De_Internos_Control/"
    exchange_id = text(document, control + "Identificador_Intercambio")
    assert exchange_id == f"{DIR3}_26_{sunday_entry.pk:08d}"
    assert text(document, control + "Tipo_Registro") == "0"
    assert text(document, control + "Codigo_Entidad_Registral_Inicio") == DIR3
    assert text(document, control + "Indicador_Prueba") == "1"  # not the production seu

    annexes = document.findall("De_Anexo")
    assert [text(annex, "Nombre_Fichero_Anexado") for annex in annexes] == [
        "plànol.pdf",
        "fotografia.png",
    ]
    assert [text(annex, "Identificador_Fichero") for annex in annexes] == [
        f"{exchange_id}_01_0001.pdf",
        f"{exchange_id}_01_0002.png",
    ]
    assert [base64.b64decode(text(annex, "Hash") or "") for annex in annexes] == [
        hashlib.sha256(PDF).digest(),
        hashlib.sha256(PNG).digest(),
    ]
    assert [text(annex, "Tipo_MIME") for annex in annexes] == ["application/pdf", "image/png"]
    assert all(annex.find("Anexo") is None for annex in annexes)  # content only when asked


def test_the_export_can_carry_the_attachments_content(sunday_entry: RegistryEntry) -> None:
    document = parse_valid(sicres.export_entry(sunday_entry, include_content=True))

    contents = [
        base64.b64decode(text(annex, "Anexo") or "") for annex in document.findall("De_Anexo")
    ]
    assert contents == [PDF, PNG]


def test_an_exit_exports_as_an_exit_with_its_related_entry(
    sunday_entry: RegistryEntry, organ: Organ
) -> None:
    exit_ = services.register_exit(
        organ=organ,
        addressee="Maria de la Fuente Ferrer",
        subject="Resolució de la llicència de gual",
        related_entry=sunday_entry,
        acting_user=None,
        now=local(2026, 11, 24, 9, 0),
    )

    document = parse_valid(sicres.export_entry(exit_))

    assert text(document, "De_Origen_o_Remitente/Numero_Registro_Entrada") == "S/2026/000001"
    assert text(document, "De_Origen_o_Remitente/Fecha_Hora_Entrada") == "20261124090000"
    assert text(document, "De_Internos_Control/Tipo_Registro") == "1"
    assert text(document, "De_Asunto/Referencia_Externa") == "E/2026/000001"
    assert text(document, "De_Interesado/Observaciones") == "Maria de la Fuente Ferrer"
    assert document.find("De_Anexo") is None


def test_values_longer_than_the_schema_allows_are_cut_and_still_valid(
    town_hall: TownHall, organ: Organ
) -> None:
    entry = services.register_entry(
        organ=organ,
        subject="A" * 300,
        exposition="B" * 5000,
        request="",
        interested=PersonData(nif="B12345674", legal_name="Cooperativa " + "C" * 100),
        attachments=[attachment("D" * 150 + ".pdf", PDF, "application/pdf", "PDF")],
        presented_at=local(2026, 11, 23, 10, 0),
        now=local(2026, 11, 23, 10, 0),
    )

    document = parse_valid(sicres.export_entry(entry))

    assert len(text(document, "De_Asunto/Resumen") or "") == 240
    assert len(text(document, "De_Formulario_Generico/Expone") or "") == 4000
    assert text(document, "De_Interesado/Tipo_Documento_Identificacion_Interesado") == "C"
    assert (text(document, "De_Interesado/Razon_Social_Interesado") or "").startswith("Cooperativa")
    name = text(document, "De_Anexo/Nombre_Fichero_Anexado") or ""
    assert len(name) == 80 and name.endswith(".pdf")


def test_a_pending_exit_or_a_town_hall_without_dir3_code_is_refused_with_a_message(
    town_hall: TownHall, organ: Organ, sunday_entry: RegistryEntry
) -> None:
    pending = services.register_exit(
        organ=organ,
        addressee="Joan",
        subject="Notificació",
        acting_user=None,
        now=local(2026, 11, 21, 12, 0),  # a Saturday: waits for Monday
    )
    with pytest.raises(sicres.ExportRefused, match="encara no té número"):
        sicres.export_entry(pending)

    TownHall.objects.update(dir3_code="")
    with pytest.raises(sicres.ExportRefused, match="codi DIR3"):
        sicres.export_entry(sunday_entry)


# --- From the back-office ------------------------------------------------------------------------


@pytest.fixture
def reader(db: None) -> User:
    user = cast(User, UserFactory.create(username="lectora", staff=True, supervisor=True))
    user.user_permissions.add(Permission.objects.get(codename="view_registryentry"))
    return user


def test_staff_download_an_entrys_sicres3_file_from_the_back_office(
    client: Client, reader: User, sunday_entry: RegistryEntry
) -> None:
    log_in_to_back_office(client, reader)

    response = client.get(f"/gestio/registre/registryentry/{sunday_entry.pk}/sicres3/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    assert 'filename="E-2026-000001.sicres3.xml"' in response["Content-Disposition"]
    document = parse_valid(response.content)
    assert text(document, "De_Origen_o_Remitente/Numero_Registro_Entrada") == "E/2026/000001"


def test_the_export_action_gives_one_file_per_selected_entry(
    client: Client, reader: User, sunday_entry: RegistryEntry, organ: Organ
) -> None:
    second = services.register_entry(
        organ=organ,
        subject="Queixa",
        interested=CITIZEN,
        presented_at=local(2026, 11, 23, 10, 0),
        now=local(2026, 11, 23, 10, 0),
    )
    log_in_to_back_office(client, reader)

    response = client.post(
        "/gestio/registre/registryentry/",
        {"action": "export_sicres", "_selected_action": [sunday_entry.pk, second.pk]},
    )

    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == ["E-2026-000001.sicres3.xml", "E-2026-000002.sicres3.xml"]
    numbers: list[Any] = [
        text(parse_valid(archive.read(name)), "De_Origen_o_Remitente/Numero_Registro_Entrada")
        for name in sorted(archive.namelist())
    ]
    assert numbers == ["E/2026/000001", "E/2026/000002"]


def test_the_export_of_an_entry_without_dir3_code_tells_staff_what_is_missing(
    client: Client, reader: User, sunday_entry: RegistryEntry
) -> None:
    TownHall.objects.update(dir3_code="")
    log_in_to_back_office(client, reader)

    response = client.get(f"/gestio/registre/registryentry/{sunday_entry.pk}/sicres3/", follow=True)

    assert response.status_code == 200
    assert any("codi DIR3" in str(message) for message in response.context["messages"])
