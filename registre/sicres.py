"""Export of a registry entry in SICRES 3, the national exchange format of registry entries.

The document is a ``Fichero_Intercambio_SICRES_3`` as the schema of the Norma Técnica de
Interoperabilidad de Modelo de Datos para el intercambio de asientos entre las Entidades Registrales
defines it (``registre/schemas/SICRES3_INTERCAMBIO_APL.xsd``, see the README there): the segments
follow the schema's order, values are cut to the schema's lengths, and what we build is validated
against the schema before anybody gets it.

Choices the schema leaves to the issuer:

- ``Fecha_Hora_Entrada`` is the effective instant (art. 33.h) in local time, ``yyyyMMddHHmmss``.
  The schema leaves no room for the UTC offset, without which the hour repeated when the clocks
  go back reads the same twice, so ``Observaciones_Apunte`` states it (``Entrada +01:00``); when
  the entry was presented on a non-working day the instant of presentation, with its offset,
  follows there (``; presentacion 20261025023000 +02:00``).
- ``Identificador_Intercambio`` is ``<DIR3 of the town hall>_<yy>_<8 digits>``, the digits being the
  entry's database id, unique across both books; ``Identificador_Fichero`` is that identifier,
  ``_01_``, the attachment's position in 4 digits and its extension.
- ``Hash`` is the SHA-256 of the attachment (its raw 32 bytes, base64 as ``xs:base64Binary`` wants).
- The related entry of an exit (art. 33.g) travels in ``Referencia_Externa``; the addressee of an
  exit who is not a known person in ``Observaciones`` of ``De_Interesado``.
- The procedure an entry was filed in (its catalogue code) travels in
  ``Codigo_Asunto_Segun_Destino``, its case file's number in ``Numero_Expediente``.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from lxml import etree
from stdnum.es import cif, dni, nie

from registre.models import Direction, EntryAttachment, Party, RegistryEntry
from seu import calendar
from seu.errors import InvalidInput
from seu.models import TownHall

SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "SICRES3_INTERCAMBIO_APL.xsd"
ROOT_ELEMENT = "Fichero_Intercambio_SICRES_3"

# Codes of the standard (the schema only says how long they are).
ENTRY_TYPE = {Direction.IN: "0", Direction.OUT: "1"}  # Tipo_Registro: entrada / salida
ANNOTATION_SENDING = "02"  # Tipo_Anotacion: envío
NO_PHYSICAL_DOCUMENTS = "3"  # Documentacion_Fisica: no acompaña documentación física
TRANSPORT_BY_HAND = "05"  # Tipo_Transporte_Entrada: en mano (presented at the office)
ATTACHED_DOCUMENT = "02"  # Tipo_Documento: documento adjunto al formulario
VALIDITY_COPY = "01"  # Validez_Documento: copia (a scan of paper made at the office)
FILE_TYPE_CODE = "01"  # in Identificador_Fichero

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SURNAME_PARTICLES = {
    "de",
    "del",
    "la",
    "las",
    "los",
    "y",
    "i",
    "d'",
    "da",
    "das",
    "dos",
    "sa",
    "es",
}


class ExportRefused(InvalidInput):
    code = "sicres_export_refused"


@dataclass(frozen=True)
class RegistryOffice:
    """A registry entity of the exchange: its DIR3 code and name, and optionally a unit of it."""

    code: str
    name: str = ""
    unit_code: str = ""
    unit_name: str = ""


@lru_cache(maxsize=1)
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


def _fit(value: object, length: int) -> str:
    """The text as XML can carry it, cut to what the schema allows."""
    text = _NOT_XML.sub("", str(value or "")).strip()
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _fit_file_name(name: str, length: int) -> str:
    """A file name cut to ``length`` keeping its extension."""
    name = _NOT_XML.sub("", name).strip()
    if len(name) <= length:
        return name
    suffix = PurePosixPath(name).suffix
    if len(suffix) >= length // 2:
        suffix = ""
    return name[: length - len(suffix)] + suffix


def _add(parent: etree._Element, tag: str, value: object, length: int | None = None) -> None:
    """Add ``<tag>value</tag>`` when there is a value (the optional elements are left out)."""
    text = str(value or "") if length is None else _fit(value, length)
    if text:
        etree.SubElement(parent, tag).text = text


def _required(parent: etree._Element, tag: str, value: object, length: int) -> None:
    etree.SubElement(parent, tag).text = _fit(value, length)


def _timestamp(instant: dt.datetime) -> str:
    return calendar.to_local(instant).strftime("%Y%m%d%H%M%S")


def _instants_note(entry: RegistryEntry) -> str:
    """The UTC offset of ``Fecha_Hora_Entrada`` and, for an entry presented on a non-working day
    (art. 33.h), the instant of presentation with its own: ``Entrada +01:00; presentacion
    20261025023000 +02:00`` (50 characters at most, as the schema allows)."""
    assert entry.effective_at is not None
    note = f"Entrada {calendar.utc_offset(entry.effective_at)}"
    if entry.counts_later:
        presented = entry.presented_at
        note += f"; presentacion {_timestamp(presented)} {calendar.utc_offset(presented)}"
    return note


def identity_document_type(nif: str) -> str:
    """N (DNI/NIF), E (NIE) or C (CIF), as Tipo_Documento_Identificacion."""
    if dni.is_valid(nif):
        return "N"
    if nie.is_valid(nif):
        return "E"
    if cif.is_valid(nif):
        return "C"
    return "X"


def split_surnames(surnames: str) -> tuple[str, str]:
    """First and second surname from one field, keeping particles with the name they belong to
    ("de la Fuente Mas" -> "de la Fuente", "Mas")."""
    words = surnames.split()
    first: list[str] = []
    while words:
        word = words.pop(0)
        first.append(word)
        if word.lower() not in _SURNAME_PARTICLES:
            break
    return " ".join(first), " ".join(words)


def _person(parent: etree._Element, person: Party, role: str) -> None:
    _add(parent, f"Tipo_Documento_Identificacion_{role}", identity_document_type(person.nif), 1)
    _add(parent, f"Documento_Identificacion_{role}", person.nif, 17)
    if person.is_legal:
        _add(parent, f"Razon_Social_{role}", person.legal_name or person.nif, 80)
        return
    first, second = split_surnames(person.surnames)
    _add(parent, f"Nombre_{role}", person.given_name, 30)
    _add(parent, f"Primer_Apellido_{role}", first, 30)
    _add(parent, f"Segundo_Apellido_{role}", second, 30)


def _origin_office() -> RegistryOffice:
    town_hall = TownHall.objects.current()
    if not town_hall.dir3_code:
        raise ExportRefused(
            _(
                "Per exportar en SICRES 3 cal el codi DIR3 de l'Ajuntament: indicau-lo a la "
                "fitxa de l'ajuntament."
            )
        )
    return RegistryOffice(code=town_hall.dir3_code, name=town_hall.name)


def exchange_identifier(entry: RegistryEntry, origin: RegistryOffice) -> str:
    year = entry.year or calendar.to_local(entry.presented_at).year
    return f"{origin.code}_{year % 100:02d}_{entry.pk % 10**8:08d}"


def file_identifier(exchange_id: str, attachment: EntryAttachment) -> str:
    extension = re.sub(r"[^a-z0-9]", "", PurePosixPath(attachment.name).suffix.lower())[:5]
    if not extension:
        extension = {
            "application/pdf": "pdf",
            "image/jpeg": "jpg",
            "image/png": "png",
            "application/xml": "xml",
        }.get(attachment.content_type, "bin")
    return f"{exchange_id}_{FILE_TYPE_CODE}_{attachment.position:04d}.{extension}"


def build(
    entry: RegistryEntry,
    *,
    destination: RegistryOffice | None = None,
    include_content: bool = False,
) -> etree._Element:
    """The ``Fichero_Intercambio_SICRES_3`` of a registered entry or exit, not yet validated."""
    if not entry.number or entry.effective_at is None:
        raise ExportRefused(
            _("Només es poden exportar assentaments registrats: aquest encara no té número.")
        )
    origin = _origin_office()
    destination = destination or RegistryOffice(
        code=origin.code, name=origin.name, unit_name=entry.organ.name
    )
    exchange_id = exchange_identifier(entry, origin)
    outgoing = entry.direction == Direction.OUT

    root = etree.Element(ROOT_ELEMENT)

    sender = etree.SubElement(root, "De_Origen_o_Remitente")
    _required(sender, "Codigo_Entidad_Registral_Origen", origin.code, 21)
    _add(sender, "Decodificacion_Entidad_Registral_Origen", origin.name, 80)
    _required(sender, "Numero_Registro_Entrada", entry.number, 20)
    _required(sender, "Fecha_Hora_Entrada", _timestamp(entry.effective_at), 14)
    if outgoing:
        _add(sender, "Decodificacion_Unidad_Tramitacion_Origen", entry.organ.name, 80)

    addressee = etree.SubElement(root, "De_Destino")
    _required(addressee, "Codigo_Entidad_Registral_Destino", destination.code, 21)
    _add(addressee, "Decodificacion_Entidad_Registral_Destino", destination.name, 80)
    _add(addressee, "Codigo_Unidad_Tramitacion_Destino", destination.unit_code, 21)
    _add(addressee, "Decodificacion_Unidad_Tramitacion_Destino", destination.unit_name, 80)

    # The persons as the entry recorded them when it was made (art. 33.f-g), not as they are now.
    interested_party, representative_party = entry.interested_party, entry.representative_party
    interested = etree.SubElement(root, "De_Interesado")
    if interested_party is not None:
        _person(interested, interested_party, "Interesado")
    if representative_party is not None:
        _person(interested, representative_party, "Representante")
    if interested_party is not None and interested_party.email:
        # Pais/Provincia/.../Correo come after the representative's names in the schema.
        _add(interested, "Correo_Electronico_Interesado", interested_party.email, 160)
    if representative_party is not None and representative_party.email:
        _add(interested, "Correo_Electronico_Representante", representative_party.email, 160)
    if outgoing and interested_party is None and entry.addressee:
        _add(interested, "Observaciones", entry.addressee, 160)

    subject = etree.SubElement(root, "De_Asunto")
    _required(subject, "Resumen", entry.subject, 240)
    # The procedure it was filed in (its catalogue code) and its case file, when one (#16: what a
    # power for some procedures or one case file reaches travels with the entry).
    if entry.procedure_code:
        _add(subject, "Codigo_Asunto_Segun_Destino", entry.procedure_code, 16)
    if entry.related_entry is not None:
        _add(subject, "Referencia_Externa", entry.related_entry.number, 16)
    if entry.case_reference:
        _add(subject, "Numero_Expediente", entry.case_reference, 80)

    paper = entry.channel == RegistryEntry.Channel.IN_PERSON
    for attachment in entry.attachments.select_related("blob").order_by("position"):
        annex = etree.SubElement(root, "De_Anexo")
        _required(annex, "Nombre_Fichero_Anexado", _fit_file_name(attachment.name, 80), 80)
        _required(annex, "Identificador_Fichero", file_identifier(exchange_id, attachment), 50)
        if paper:
            _add(annex, "Validez_Documento", VALIDITY_COPY, 2)
        _required(annex, "Tipo_Documento", ATTACHED_DOCUMENT, 2)
        hash_element = etree.SubElement(annex, "Hash")
        hash_element.text = base64.b64encode(bytes.fromhex(attachment.sha256)).decode("ascii")
        if len(attachment.content_type) <= 20:
            _add(annex, "Tipo_MIME", attachment.content_type)
        if include_content:
            content = etree.SubElement(annex, "Anexo")
            content.text = base64.b64encode(attachment.blob.read()).decode("ascii")

    control = etree.SubElement(root, "De_Internos_Control")
    if paper:
        _add(control, "Tipo_Transporte_Entrada", TRANSPORT_BY_HAND, 2)
    if entry.created_by is not None:
        user = entry.created_by
        _add(control, "Nombre_Usuario", user.get_full_name() or user.get_username(), 80)
        _add(control, "Contacto_Usuario", user.email, 160)
    _required(control, "Identificador_Intercambio", exchange_id, 33)
    _required(control, "Tipo_Anotacion", ANNOTATION_SENDING, 2)
    _required(control, "Tipo_Registro", ENTRY_TYPE[Direction(entry.direction)], 1)
    _required(control, "Documentacion_Fisica", NO_PHYSICAL_DOCUMENTS, 1)
    _add(control, "Observaciones_Apunte", _instants_note(entry), 50)
    _required(control, "Indicador_Prueba", "0" if settings.PRODUCTION else "1", 1)
    _required(control, "Codigo_Entidad_Registral_Inicio", origin.code, 21)
    _add(control, "Decodificacion_Entidad_Registral_Inicio", origin.name, 80)

    form = etree.SubElement(root, "De_Formulario_Generico")
    _required(form, "Expone", entry.exposition, 4000)
    _required(form, "Solicita", entry.request, 4000)
    return root


def export_entry(
    entry: RegistryEntry,
    *,
    destination: RegistryOffice | None = None,
    include_content: bool = False,
) -> bytes:
    """The SICRES 3 exchange file of ``entry`` as UTF-8 XML, valid against the national schema."""
    root = build(entry, destination=destination, include_content=include_content)
    schema().assertValid(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def file_name(entry: RegistryEntry) -> str:
    return f"{(entry.number or 'pendent').replace('/', '-')}.sicres3.xml"
