"""Demo data of the information page (art. 15, 16, 19), so that a visitor of ``make run`` sees what
it is for: the organs' competences, the services the town hall provides, the official journals,
and a budget and an ordinance with their PDF (rendered here, stored through
``informacio.services``); and the appointment services with their texts. Real-looking, invented
for the demo, in Catalan with its Spanish and English translations (``seu.translated``: the pages
in Spanish and English show no Catalan data). Idempotent: what exists is left as it is, so that
edits made in the back-office survive the next run; only empty translations are filled in."""

from __future__ import annotations

import datetime as dt
from html import escape

from django.db import models

from cites.models import Service
from informacio import services
from informacio.models import InformationDocument, OfficialJournal, PublicService
from seu.models import Organ
from seu.translated import in_source_language

# A text in each language of the seu.
Texts = dict[str, str]

UPDATED_ON = dt.date(2026, 11, 2)

# Art. 15.1.a: the organisation and its competences (Law 7/1985, arts. 21-22 and 92 bis).
COMPETENCES: dict[str, Texts] = {
    "alcaldia": {
        "ca": (
            "Direcció del govern i de l'administració municipal; representació de l'Ajuntament; "
            "convocatòria i presidència del Ple i de la Junta de Govern Local; direcció de la "
            "Policia Local; contractació i concessions dins els límits legals."
        ),
        "es": (
            "Dirección del gobierno y de la administración municipal; representación del "
            "Ayuntamiento; convocatoria y presidencia del Pleno y de la Junta de Gobierno Local; "
            "dirección de la Policía Local; contratación y concesiones dentro de los límites "
            "legales."
        ),
        "en": (
            "Direction of the municipal government and administration; representation of the "
            "Town Hall; calling and chairing the Plenary and the Local Government Board; command "
            "of the Local Police; contracts and concessions within the legal limits."
        ),
    },
    "secretaria": {
        "ca": (
            "Fe pública i assessorament legal preceptiu; custòdia dels llibres d'actes i de "
            "resolucions; registre general d'entrada i sortida; padró municipal d'habitants."
        ),
        "es": (
            "Fe pública y asesoramiento legal preceptivo; custodia de los libros de actas y de "
            "resoluciones; registro general de entrada y salida; padrón municipal de habitantes."
        ),
        "en": (
            "Public attestation and mandatory legal advice; custody of the books of minutes and "
            "resolutions; general entry and exit registry; municipal register of inhabitants."
        ),
    },
    "intervencio": {
        "ca": (
            "Control i fiscalització interna de la gestió econòmica i pressupostària; "
            "comptabilitat; tresoreria i recaptació; gestió dels tributs municipals."
        ),
        "es": (
            "Control y fiscalización interna de la gestión económica y presupuestaria; "
            "contabilidad; tesorería y recaudación; gestión de los tributos municipales."
        ),
        "en": (
            "Internal control and audit of the economic and budgetary management; accounting; "
            "treasury and revenue collection; management of municipal taxes."
        ),
    },
    "urbanisme": {
        "ca": (
            "Llicències urbanístiques i comunicacions prèvies; disciplina urbanística; "
            "planejament i gestió urbanística; obres i manteniment de les vies públiques i dels "
            "edificis municipals."
        ),
        "es": (
            "Licencias urbanísticas y comunicaciones previas; disciplina urbanística; "
            "planeamiento y gestión urbanística; obras y mantenimiento de las vías públicas y de "
            "los edificios municipales."
        ),
        "en": (
            "Planning permits and prior notices; planning enforcement; urban planning and "
            "management; works and upkeep of public roads and municipal buildings."
        ),
    },
    "serveis-socials": {
        "ca": (
            "Serveis socials comunitaris bàsics; servei d'ajuda a domicili; ajudes d'urgència "
            "social; atenció a la gent gran, a la infància i a les famílies."
        ),
        "es": (
            "Servicios sociales comunitarios básicos; servicio de ayuda a domicilio; ayudas de "
            "urgencia social; atención a las personas mayores, a la infancia y a las familias."
        ),
        "en": (
            "Basic community social services; home help service; emergency social aid; care for "
            "older people, children and families."
        ),
    },
    "oac": {
        "ca": (
            "Informació i orientació a la ciutadania; assistència en l'ús dels mitjans "
            "electrònics; oficina d'assistència en matèria de registres; oficina d'acreditació "
            "de certificats digitals i Cl@ve."
        ),
        "es": (
            "Información y orientación a la ciudadanía; asistencia en el uso de los medios "
            "electrónicos; oficina de asistencia en materia de registros; oficina de "
            "acreditación de certificados digitales y Cl@ve."
        ),
        "en": (
            "Information and guidance for citizens; help with electronic means; registry "
            "assistance office; accreditation office for digital certificates and Cl@ve."
        ),
    },
}

# Art. 15.1.b: the services, with what they provide and when (organ's code, and the name,
# description and availability in each language).
SERVICES: list[tuple[str, Texts, Texts, Texts]] = [
    (
        "oac",
        {
            "ca": "Oficina d'Atenció a la Ciutadania",
            "es": "Oficina de Atención a la Ciudadanía",
            "en": "Citizen Service Office",
        },
        {
            "ca": (
                "Informació general, registre de documents, compulses i assistència en la "
                "tramitació electrònica."
            ),
            "es": (
                "Información general, registro de documentos, compulsas y asistencia en la "
                "tramitación electrónica."
            ),
            "en": (
                "General information, registration of documents, certified copies and help with "
                "online procedures."
            ),
        },
        {
            "ca": "De dilluns a divendres, de 9 a 14 h, a la planta baixa de l'Ajuntament.",
            "es": "De lunes a viernes, de 9 a 14 h, en la planta baja del Ayuntamiento.",
            "en": "Monday to Friday, 9 am to 2 pm, on the ground floor of the Town Hall.",
        },
    ),
    (
        "secretaria",
        {"ca": "Empadronament", "es": "Empadronamiento", "en": "Municipal register"},
        {
            "ca": (
                "Altes, baixes i canvis de domicili al padró municipal d'habitants; volants i "
                "certificats d'empadronament."
            ),
            "es": (
                "Altas, bajas y cambios de domicilio en el padrón municipal de habitantes; "
                "volantes y certificados de empadronamiento."
            ),
            "en": (
                "Registration, removal and change of address in the municipal register of "
                "inhabitants; register extracts and certificates."
            ),
        },
        {
            "ca": "A l'Oficina d'Atenció a la Ciutadania o per aquesta seu electrònica.",
            "es": "En la Oficina de Atención a la Ciudadanía o por esta sede electrónica.",
            "en": "At the Citizen Service Office or through this electronic office.",
        },
    ),
    (
        "urbanisme",
        {
            "ca": "Recollida de residus voluminosos",
            "es": "Recogida de residuos voluminosos",
            "en": "Bulky waste collection",
        },
        {
            "ca": "Recollida a domicili de mobles, electrodomèstics i altres residus voluminosos.",
            "es": (
                "Recogida a domicilio de muebles, electrodomésticos y otros residuos voluminosos."
            ),
            "en": (
                "Collection from your home of furniture, household appliances and other bulky "
                "waste."
            ),
        },
        {
            "ca": "Dimarts i dijous, amb cita prèvia al 971 83 83 83.",
            "es": "Martes y jueves, con cita previa en el 971 83 83 83.",
            "en": "Tuesdays and Thursdays, by appointment on 971 83 83 83.",
        },
    ),
    (
        "serveis-socials",
        {
            "ca": "Servei d'ajuda a domicili",
            "es": "Servicio de ayuda a domicilio",
            "en": "Home help service",
        },
        {
            "ca": (
                "Suport personal i domèstic a persones grans o amb dependència que viuen al "
                "municipi."
            ),
            "es": (
                "Apoyo personal y doméstico a personas mayores o en situación de dependencia que "
                "viven en el municipio."
            ),
            "en": (
                "Personal and household support for older or dependent people who live in the "
                "municipality."
            ),
        },
        {
            "ca": (
                "De dilluns a divendres, de 8 a 15 h; sol·licitud amb informe de la treballadora "
                "social."
            ),
            "es": (
                "De lunes a viernes, de 8 a 15 h; solicitud con informe de la trabajadora social."
            ),
            "en": "Monday to Friday, 8 am to 3 pm; apply with a report from the social worker.",
        },
    ),
    (
        "intervencio",
        {
            "ca": "Tributs i domiciliacions",
            "es": "Tributos y domiciliaciones",
            "en": "Taxes and direct debits",
        },
        {
            "ca": (
                "Consulta de rebuts, domiciliacions bancàries i fraccionaments de l'IBI, de "
                "l'impost de vehicles i de les taxes municipals."
            ),
            "es": (
                "Consulta de recibos, domiciliaciones bancarias y fraccionamientos del IBI, del "
                "impuesto de vehículos y de las tasas municipales."
            ),
            "en": (
                "Bills, direct debits and payment in instalments of the property tax (IBI), the "
                "vehicle tax and the municipal fees."
            ),
        },
        {
            "ca": "De dilluns a divendres, de 9 a 13 h.",
            "es": "De lunes a viernes, de 9 a 13 h.",
            "en": "Monday to Friday, 9 am to 1 pm.",
        },
    ),
]

# Art. 19: the official journals where the town hall publishes (address, position, name and
# what is published there). BOIB and BOE come with tauler's data migration 0003 too (and their
# translations with informacio's 0004); a flushed database gets them here.
JOURNALS: list[tuple[str, int, Texts, Texts]] = [
    (
        "https://www.caib.es/eboibfront/ca",
        1,
        {
            "ca": "Butlletí Oficial de les Illes Balears (BOIB)",
            "es": "Boletín Oficial de las Illes Balears (BOIB)",
            "en": "Official Gazette of the Balearic Islands (BOIB)",
        },
        {
            "ca": "Anuncis i disposicions de l'Ajuntament publicats al BOIB.",
            "es": "Anuncios y disposiciones del Ayuntamiento publicados en el BOIB.",
            "en": "Notices and provisions of the Town Hall published in the BOIB.",
        },
    ),
    (
        "https://www.boe.es/",
        2,
        {
            "ca": "Boletín Oficial del Estado (BOE)",
            "es": "Boletín Oficial del Estado (BOE)",
            "en": "Official State Gazette (BOE)",
        },
        {
            "ca": (
                "Anuncis de l'Ajuntament publicats al BOE (per exemple, notificacions "
                "infructuoses)."
            ),
            "es": (
                "Anuncios del Ayuntamiento publicados en el BOE (por ejemplo, notificaciones "
                "infructuosas)."
            ),
            "en": (
                "Notices of the Town Hall published in the BOE (for example, notifications that "
                "could not be delivered)."
            ),
        },
    ),
    (
        "https://eur-lex.europa.eu/oj/direct-access.html?locale=ca",
        3,
        {
            "ca": "Diari Oficial de la Unió Europea (DOUE)",
            "es": "Diario Oficial de la Unión Europea (DOUE)",
            "en": "Official Journal of the European Union (OJEU)",
        },
        {
            "ca": "Anuncis de licitació dels contractes subjectes a regulació harmonitzada.",
            "es": "Anuncios de licitación de los contratos sujetos a regulación armonizada.",
            "en": "Calls for tenders for contracts subject to harmonised regulation.",
        },
    ),
]

# Art. 16: documents that must be public (kind, organ's code, PDF's file name, the paragraphs of
# the PDF, the title and description in each language). The PDF is the Catalan original.
DOCUMENTS: list[tuple[str, str, str, list[str], Texts, Texts]] = [
    (
        InformationDocument.Kind.BUDGET,
        "intervencio",
        "pressupost-2026.pdf",
        [
            "Estat d'ingressos: 9.842.300,00 euros.",
            "Estat de despeses: 9.842.300,00 euros.",
            "Inclou les bases d'execució, la plantilla de personal i l'annex d'inversions.",
        ],
        {
            "ca": "Pressupost general de l'exercici 2026",
            "es": "Presupuesto general del ejercicio 2026",
            "en": "General budget for 2026",
        },
        {
            "ca": "Aprovat definitivament pel Ple en la sessió de 18 de desembre de 2025.",
            "es": "Aprobado definitivamente por el Pleno en la sesión de 18 de diciembre de 2025.",
            "en": "Finally approved by the Plenary at its meeting of 18 December 2025.",
        },
    ),
    (
        InformationDocument.Kind.ORDINANCES,
        "secretaria",
        "ordenanca-administracio-electronica.pdf",
        [
            "Capítol primer. Disposicions generals.",
            "Capítol quart. La seu electrònica: informació sobre l'organització i els serveis "
            "(art. 15), informació administrativa (art. 16), tauler d'edictes (art. 18) i "
            "publicació oficial (art. 19).",
        ],
        {
            "ca": "Ordenança reguladora de l'administració electrònica",
            "es": "Ordenanza reguladora de la administración electrónica",
            "en": "Ordinance on electronic administration",
        },
        {
            "ca": (
                "Regula la seu electrònica, el registre telemàtic, les notificacions i el tauler "
                "d'edictes electrònic."
            ),
            "es": (
                "Regula la sede electrónica, el registro telemático, las notificaciones y el "
                "tablón de edictos electrónico."
            ),
            "en": (
                "Governs the electronic office, the online registry, notifications and the "
                "electronic notice board."
            ),
        },
    ),
]

# Seed 000: the accreditation office's services (``cites`` 0002 creates them, 0007 translates
# them); a flushed database gets them here. Code, position, whether it is offered, whether it asks
# for the FNMT request code, name and description.
APPOINTMENT_SERVICES: list[tuple[str, int, bool, bool, Texts, Texts]] = [
    (
        "fnmt",
        1,
        True,
        True,
        {
            "ca": "Acreditació d'identitat per al certificat FNMT",
            "es": "Acreditación de identidad para el certificado FNMT",
            "en": "Identity accreditation for the FNMT certificate",
        },
        {
            "ca": "Per obtenir el certificat digital de persona física de la FNMT.",
            "es": "Para obtener el certificado digital de persona física de la FNMT.",
            "en": "To obtain the FNMT digital certificate for individuals.",
        },
    ),
    (
        "clave",
        2,
        False,
        False,
        {
            "ca": "Registre a Cl@ve",
            "es": "Registro en Cl@ve",
            "en": "Registration in Cl@ve",
        },
        {
            "ca": "Registre presencial de nivell avançat al sistema Cl@ve.",
            "es": "Registro presencial de nivel avanzado en el sistema Cl@ve.",
            "en": "In-person registration at the advanced level in the Cl@ve system.",
        },
    ),
]


def fill_translations(obj: models.Model, **fields: Texts) -> None:
    """Write the texts of ``obj`` whose column is still empty (``name=Texts`` fills ``name_ca``,
    ``name_es``, ``name_en``): what staff wrote is kept."""
    empty = [
        (f"{field}_{language}", text)
        for field, texts in fields.items()
        for language, text in texts.items()
        if not getattr(obj, f"{field}_{language}")
    ]
    for column, text in empty:
        setattr(obj, column, text)
    if empty:
        obj.save(update_fields=[column for column, _text in empty])


@in_source_language()  # lookups by name or title read the Catalan column
def load_information() -> None:
    for code, competences in COMPETENCES.items():
        organ = Organ.objects.filter(code=code).first()
        if organ is not None:
            fill_translations(organ, competences=competences)
    organs = {organ.code: organ for organ in Organ.objects.filter(code__in=COMPETENCES)}
    for position, (code, name, description, availability) in enumerate(SERVICES, start=1):
        service, _ = PublicService.objects.get_or_create(
            name=name["ca"],  # the Catalan column: the demo is loaded in Catalan
            defaults={
                "description": description["ca"],
                "availability": availability["ca"],
                "organ": organs[code],
                "updated_on": UPDATED_ON,
                "position": position,
            },
        )
        fill_translations(service, name=name, description=description, availability=availability)
    for url, position, name, description in JOURNALS:
        journal, _ = OfficialJournal.objects.get_or_create(
            url=url,
            defaults={"name": name["ca"], "description": description["ca"], "position": position},
        )
        fill_translations(journal, name=name, description=description)
    for kind, code, file_name, paragraphs, title, description in DOCUMENTS:
        document, _ = InformationDocument.objects.get_or_create(
            kind=kind,
            title=title["ca"],
            defaults={
                "description": description["ca"],
                "organ": organs[code],
                "updated_on": UPDATED_ON,
            },
        )
        fill_translations(document, title=title, description=description)
        if document.blob_id is None:
            services.attach_document_file(
                document_id=document.pk,
                name=file_name,
                data=_pdf(title["ca"], organs[code].name, paragraphs),  # in Catalan
                acting_user=None,
                today=document.updated_on,
            )


@in_source_language()
def load_appointment_services() -> None:
    for code, position, is_active, asks_request_code, name, description in APPOINTMENT_SERVICES:
        service, _ = Service.objects.get_or_create(
            code=code,
            defaults={
                "name": name["ca"],
                "description": description["ca"],
                "is_active": is_active,
                "asks_request_code": asks_request_code,
                "position": position,
            },
        )
        fill_translations(service, name=name, description=description)


def _pdf(title: str, organ: str, paragraphs: list[str]) -> bytes:
    """A small PDF that looks like the town hall's document (the demo has no real one)."""
    import weasyprint

    body = "".join(f"<p>{escape(paragraph)}</p>" for paragraph in paragraphs)
    html = (
        '<html lang="ca"><head><meta charset="utf-8"><title>'
        f"{escape(title)}</title></head><body>"
        "<p>Ajuntament de Sant Llorenç des Cardassar</p>"
        f"<h1>{escape(title)}</h1><p>{escape(organ)}</p>{body}"
        "<p><em>Document de demostració de la seu electrònica.</em></p></body></html>"
    )
    data: bytes = weasyprint.HTML(string=html).write_pdf()
    return data
