"""Demo data of the catalogue of procedures (issue #15, item 10): three procedures a Balearic
town hall offers at its seu, each with its form as data (``expedients.formdef``), its period and
the effect of silence, and the generic request (instància genèrica) as one more entry of the
catalogue. Real-looking, invented for the demo (the SIA codes have the catalogue's form, seven
digits, but are not real ones), in Catalan with its Spanish and English translations.

Idempotent: a procedure that exists is left as it is (its form too: what staff changed in the
back-office survives the next run); only empty translations are filled in, and a procedure
without a published form gets this one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from devtools.demo_information import Texts, fill_translations
from expedients import services
from expedients.models import Procedure, SilenceEffect
from seu.calendar import PeriodUnit
from seu.models import LoA, Organ, StaffMembership, StaffRole
from seu.translated import in_source_language


def _t(ca: str, es: str, en: str) -> Texts:
    return {"ca": ca, "es": es, "en": en}


@dataclass(frozen=True)
class DemoProcedure:
    code: str
    sia_code: str
    organ: str
    texts: dict[str, Texts]  # name, topic, summary, who_may_file, fees, legal_basis
    form: dict[str, Any]
    period: int
    unit: str
    silence: str
    required_loa: str = LoA.SUBSTANTIAL
    filers: str = Procedure.Filers.ANYONE
    automated_organ: str | None = None
    automated_withdrawal: bool = False
    is_generic: bool = False


# --- Certificat d'empadronament ----------------------------------------------------------------

PADRO_FORM: dict[str, Any] = {
    "fields": [
        {
            "key": "tipus",
            "type": "choice",
            "label": _t("Tipus de certificat", "Tipo de certificado", "Type of certificate"),
            "required": True,
            "choices": [
                {
                    "value": "individual",
                    "label": _t(
                        "Individual: només la persona sol·licitant",
                        "Individual: solo la persona solicitante",
                        "Individual: the applicant only",
                    ),
                },
                {
                    "value": "collectiu",
                    "label": _t(
                        "Col·lectiu: totes les persones empadronades al domicili",
                        "Colectivo: todas las personas empadronadas en el domicilio",
                        "Household: everyone registered at the address",
                    ),
                },
                {
                    "value": "historic",
                    "label": _t(
                        "Històric: tots els domicilis on heu estat empadronat al municipi",
                        "Histórico: todos los domicilios en los que ha estado empadronado en el "
                        "municipio",
                        "Historical: every address in the municipality you were registered at",
                    ),
                },
            ],
        },
        {
            "key": "finalitat",
            "type": "choice",
            "label": _t("Per a què el necessitau", "Para qué lo necesita", "What you need it for"),
            "required": True,
            "choices": [
                {
                    "value": "tramit",
                    "label": _t(
                        "Un tràmit davant una altra administració",
                        "Un trámite ante otra administración",
                        "A procedure with another administration",
                    ),
                },
                {
                    "value": "escolaritzacio",
                    "label": _t("Escolarització", "Escolarización", "School enrolment"),
                },
                {
                    "value": "ajudes",
                    "label": _t(
                        "Ajudes o prestacions socials",
                        "Ayudas o prestaciones sociales",
                        "Grants or social benefits",
                    ),
                },
                {
                    "value": "estrangeria",
                    "label": _t(
                        "Estrangeria (arrelament, reagrupament)",
                        "Extranjería (arraigo, reagrupación)",
                        "Immigration (settlement, family reunification)",
                    ),
                },
                {
                    "value": "residencia",
                    "label": _t(
                        "Descompte de resident en el transport",
                        "Descuento de residente en el transporte",
                        "Resident's travel discount",
                    ),
                },
                {"value": "altres", "label": _t("Altres", "Otros", "Other")},
            ],
        },
        {
            "key": "des_de",
            "type": "date",
            "label": _t(
                "Des de quina data (només per al certificat històric)",
                "Desde qué fecha (solo para el certificado histórico)",
                "From which date (historical certificate only)",
            ),
            "required": False,
        },
        {
            "key": "observacions",
            "type": "textarea",
            "label": _t("Observacions", "Observaciones", "Remarks"),
            "required": False,
            "max_length": 1000,
        },
    ]
}

PADRO = DemoProcedure(
    code="PADRO",
    sia_code="2064531",
    # The register of inhabitants is kept by Secretaria, whose secretary certifies it.
    organ="secretaria",
    texts={
        "name": _t(
            "Certificat d'empadronament",
            "Certificado de empadronamiento",
            "Certificate of census registration",
        ),
        "topic": _t("Padró d'habitants", "Padrón de habitantes", "Register of inhabitants"),
        "summary": _t(
            "Certificat que acredita el domicili on resideix una persona, o totes les que viuen "
            "en un mateix domicili, segons el padró municipal d'habitants. És un document públic "
            "i fefaent per a qualsevol tràmit administratiu.",
            "Certificado que acredita el domicilio en el que reside una persona, o todas las "
            "que viven en un mismo domicilio, según el padrón municipal de habitantes. Es un "
            "documento público y fehaciente para cualquier trámite administrativo.",
            "A certificate of the address where a person, or everyone in a household, lives "
            "according to the municipal register of inhabitants. It is a public document and "
            "proof for any administrative procedure.",
        ),
        "who_may_file": _t(
            "La persona empadronada, o una persona major d'edat empadronada al mateix domicili "
            "per al certificat col·lectiu; també el seu representant.",
            "La persona empadronada, o una persona mayor de edad empadronada en el mismo "
            "domicilio para el certificado colectivo; también su representante.",
            "The registered person, or an adult registered at the same address for the "
            "household certificate; also their representative.",
        ),
        "fees": _t(
            "Gratuït quan es demana per la seu electrònica (Ordenança fiscal de la taxa per "
            "expedició de documents administratius).",
            "Gratuito cuando se pide por la sede electrónica (Ordenanza fiscal de la tasa por "
            "expedición de documentos administrativos).",
            "Free when requested at the e-office (tax by-law on the fee for issuing "
            "administrative documents).",
        ),
        "legal_basis": _t(
            "Llei 7/1985, de 2 d'abril, reguladora de les bases del règim local, art. 15 a 17. "
            "Reglament de població i demarcació territorial de les entitats locals (Reial decret "
            "1690/1986, d'11 de juliol). Resolució de 17 de febrer de 2020, d'instruccions "
            "tècniques als ajuntaments sobre la gestió del padró municipal.",
            "Ley 7/1985, de 2 de abril, reguladora de las bases del régimen local, arts. 15 a "
            "17. Reglamento de población y demarcación territorial de las entidades locales "
            "(Real decreto 1690/1986, de 11 de julio). Resolución de 17 de febrero de 2020, de "
            "instrucciones técnicas a los ayuntamientos sobre la gestión del padrón municipal.",
            "Law 7/1985 of 2 April on the basis of local government, arts. 15 to 17. "
            "Regulation on population and territorial division of local entities (Royal Decree "
            "1690/1986 of 11 July). Resolution of 17 February 2020 with technical instructions "
            "to town halls on managing the municipal register.",
        ),
    },
    form=PADRO_FORM,
    # No norm sets a period for a certificate of the register: the general three months (Law
    # 39/2015 art. 21.3), although the office issues it in a few days. Silence is positive: it is
    # a request of the person and none of the exceptions of art. 24.1 applies.
    period=3,
    unit=PeriodUnit.MONTHS,
    silence=SilenceEffect.POSITIVE,
    # Personal data of a household: the level personal data need (art. 8.2); only people are
    # registered inhabitants.
    required_loa=LoA.SUBSTANTIAL,
    filers=Procedure.Filers.NATURAL,
    # A certificate request left unremedied is withdrawn by an automated action (art. 23), for
    # which Secretaria answers: nothing is left to weigh.
    automated_organ="secretaria",
    automated_withdrawal=True,
)


# --- Comunicació prèvia d'obres menors ---------------------------------------------------------

OBRES_FORM: dict[str, Any] = {
    "fields": [
        {
            "key": "adreca_obra",
            "type": "address",
            "label": _t("Adreça de l'obra", "Dirección de la obra", "Address of the works"),
            "required": True,
        },
        {
            "key": "referencia_cadastral",
            "type": "cadastral",
            "label": _t(
                "Referència cadastral de l'immoble",
                "Referencia catastral del inmueble",
                "Cadastral reference of the property",
            ),
            "help": _t(
                "20 caràcters; és al rebut de l'IBI (per exemple, 9872023VH5797S0001WX).",
                "20 caracteres; figura en el recibo del IBI (por ejemplo, 9872023VH5797S0001WX).",
                "20 characters; it is on the property tax bill (e.g. 9872023VH5797S0001WX).",
            ),
            "required": True,
        },
        {
            "key": "tipus_obra",
            "type": "choice",
            "label": _t("Tipus d'obra", "Tipo de obra", "Kind of works"),
            "required": True,
            "choices": [
                {
                    "value": "cuina_bany",
                    "label": _t(
                        "Reforma de cuina o bany",
                        "Reforma de cocina o baño",
                        "Kitchen or bathroom refurbishment",
                    ),
                },
                {
                    "value": "paviments",
                    "label": _t(
                        "Canvi de paviments o revestiments interiors",
                        "Cambio de pavimentos o revestimientos interiores",
                        "New floors or interior finishes",
                    ),
                },
                {
                    "value": "fusteria",
                    "label": _t(
                        "Substitució de fusteria exterior sense canviar-ne les dimensions",
                        "Sustitución de carpintería exterior sin cambiar sus dimensiones",
                        "Replacing exterior windows and doors of the same size",
                    ),
                },
                {
                    "value": "facana",
                    "label": _t(
                        "Pintura o reparació de façana",
                        "Pintura o reparación de fachada",
                        "Painting or repairing the façade",
                    ),
                },
                {
                    "value": "coberta",
                    "label": _t(
                        "Reparació de coberta sense alterar-ne l'estructura",
                        "Reparación de cubierta sin alterar su estructura",
                        "Roof repair without structural changes",
                    ),
                },
                {
                    "value": "altres",
                    "label": _t("Altres obres menors", "Otras obras menores", "Other minor works"),
                },
            ],
        },
        {
            "key": "descripcio",
            "type": "textarea",
            "label": _t(
                "Descripció de les obres", "Descripción de las obras", "Description of the works"
            ),
            "required": True,
            "max_length": 2000,
        },
        {
            "key": "pressupost",
            "type": "number",
            "label": _t(
                "Pressupost d'execució material (euros)",
                "Presupuesto de ejecución material (euros)",
                "Construction budget (euros)",
            ),
            "help": _t(
                "Sobre aquesta xifra es calculen l'ICIO i la taxa.",
                "Sobre esta cifra se calculan el ICIO y la tasa.",
                "The works tax and the fee are worked out on this figure.",
            ),
            "required": True,
            "min": 0,
            "max": 1000000,
        },
        {
            "key": "inici",
            "type": "date",
            "label": _t("Data prevista d'inici", "Fecha prevista de inicio", "Expected start date"),
            "required": True,
        },
        {
            "key": "durada_setmanes",
            "type": "number",
            "label": _t(
                "Durada prevista (setmanes)",
                "Duración prevista (semanas)",
                "Expected duration (weeks)",
            ),
            "required": True,
            "min": 1,
            "max": 52,
        },
        {
            "key": "ocupa_via_publica",
            "type": "boolean",
            "label": _t(
                "Ocupareu la via pública (contenidor, bastida, materials)?",
                "¿Ocupará la vía pública (contenedor, andamio, materiales)?",
                "Will you use the public road (skip, scaffolding, materials)?",
            ),
            "help": _t(
                "Si és que sí, cal demanar-ne l'autorització a part.",
                "Si es que sí, hay que pedir su autorización aparte.",
                "If so, its permit is requested separately.",
            ),
            "required": True,
        },
        {
            "key": "nif_contractista",
            "type": "nif",
            "label": _t(
                "NIF de l'empresa constructora (si n'hi ha)",
                "NIF de la empresa constructora (si la hay)",
                "Tax ID of the builder (if any)",
            ),
            "required": False,
        },
        {
            # Art. 28.2: a document the person may replace by a responsible declaration.
            "key": "pressupost_detallat",
            "type": "file",
            "label": _t(
                "Pressupost detallat de l'empresa o del contractista",
                "Presupuesto detallado de la empresa o del contratista",
                "Itemised quote from the builder",
            ),
            "required": True,
            "allowed_types": ["pdf"],
            "max_size_mb": 10,
            "replaceable_by_declaration": True,
            "declaration": _t(
                "Declar que dispòs del pressupost detallat de les obres i que el presentaré quan "
                "l'Ajuntament el requereixi.",
                "Declaro que dispongo del presupuesto detallado de las obras y que lo presentaré "
                "cuando el Ayuntamiento lo requiera.",
                "I declare that I hold the itemised quote for the works and will present it "
                "when the Town Hall asks for it.",
            ),
        },
        {
            "key": "fotografies",
            "type": "file",
            "label": _t(
                "Fotografies de l'estat actual",
                "Fotografías del estado actual",
                "Photographs of the current state",
            ),
            "required": False,
            "allowed_types": ["jpeg", "png", "pdf"],
            "max_size_mb": 10,
        },
        {
            # Art. 28.1: held by another administration (the Cadastre): the town hall fetches
            # it, and the procedure's page says so.
            "key": "certificacio_cadastral",
            "type": "file",
            "label": _t(
                "Certificació cadastral descriptiva i gràfica",
                "Certificación catastral descriptiva y gráfica",
                "Descriptive and graphic cadastral certificate",
            ),
            "held_by_town_hall": True,
        },
        {
            "key": "declaracio_responsable",
            "type": "declaration",
            "label": _t(
                "Declaració responsable", "Declaración responsable", "Responsible declaration"
            ),
            "declaration": _t(
                "Declar sota la meva responsabilitat que les obres són menors: no afecten "
                "l'estructura, la distribució ni l'aspecte exterior de l'edifici, que no és "
                "catalogat; que compleixen la normativa urbanística; i que dispòs de la "
                "documentació que ho acredita (art. 69 de la Llei 39/2015).",
                "Declaro bajo mi responsabilidad que las obras son menores: no afectan a la "
                "estructura, la distribución ni el aspecto exterior del edificio, que no está "
                "catalogado; que cumplen la normativa urbanística; y que dispongo de la "
                "documentación que lo acredita (art. 69 de la Ley 39/2015).",
                "I declare on my own responsibility that the works are minor: they do not "
                "affect the structure, layout or outward appearance of the building, which is "
                "not listed; that they comply with the planning rules; and that I hold the "
                "documents proving it (Law 39/2015, art. 69).",
            ),
        },
    ]
}

OBRES = DemoProcedure(
    code="OBRES",
    sia_code="2181405",
    organ="urbanisme",
    texts={
        "name": _t(
            "Comunicació prèvia d'obres menors",
            "Comunicación previa de obras menores",
            "Prior notice of minor works",
        ),
        "topic": _t("Urbanisme i obres", "Urbanismo y obras", "Town planning and works"),
        "summary": _t(
            "Per fer obres petites a un habitatge o local (reformar la cuina o el bany, canviar "
            "paviments o fusteria, pintar la façana) que no en toquen l'estructura ni "
            "l'aspecte exterior. Es presenta abans de començar les obres; l'Ajuntament en "
            "comprova la documentació i, si hi falta res, us ho requereix.",
            "Para hacer obras pequeñas en una vivienda o local (reformar la cocina o el baño, "
            "cambiar pavimentos o carpintería, pintar la fachada) que no afecten a su "
            "estructura ni a su aspecto exterior. Se presenta antes de empezar las obras; el "
            "Ayuntamiento comprueba la documentación y, si falta algo, se lo requiere.",
            "For small works in a home or premises (a new kitchen or bathroom, floors or "
            "windows, painting the façade) that touch neither the structure nor the outward "
            "appearance. It is filed before the works start; the Town Hall checks the "
            "documents and asks you for anything missing.",
        ),
        "who_may_file": _t(
            "La persona propietària o usuària de l'immoble que promou les obres, o qui la "
            "representi.",
            "La persona propietaria o usuaria del inmueble que promueve las obras, o quien la "
            "represente.",
            "The owner or occupier of the property who commissions the works, or their "
            "representative.",
        ),
        "fees": _t(
            "Impost sobre construccions, instal·lacions i obres (ICIO): 3,2 % del pressupost "
            "d'execució material. Taxa per la tramitació: 1 % del pressupost, amb un mínim de "
            "30 €. Es paguen per autoliquidació abans de començar les obres.",
            "Impuesto sobre construcciones, instalaciones y obras (ICIO): 3,2 % del presupuesto "
            "de ejecución material. Tasa por la tramitación: 1 % del presupuesto, con un mínimo "
            "de 30 €. Se pagan por autoliquidación antes de empezar las obras.",
            "Tax on construction, installations and works (ICIO): 3.2% of the construction "
            "budget. Processing fee: 1% of the budget, at least 30 euros. Both are self-"
            "assessed and paid before the works start.",
        ),
        "legal_basis": _t(
            "Llei 12/2017, de 29 de desembre, d'urbanisme de les Illes Balears, art. 146 i "
            "següents. Llei 39/2015, d'1 d'octubre, del procediment administratiu comú, art. "
            "69 (declaració responsable i comunicació). Reial decret legislatiu 2/2004 (Llei "
            "reguladora de les hisendes locals), art. 100 a 103 (ICIO).",
            "Ley 12/2017, de 29 de diciembre, de urbanismo de las Illes Balears, arts. 146 y "
            "siguientes. Ley 39/2015, de 1 de octubre, del procedimiento administrativo común, "
            "art. 69 (declaración responsable y comunicación). Real decreto legislativo 2/2004 "
            "(Ley reguladora de las haciendas locales), arts. 100 a 103 (ICIO).",
            "Law 12/2017 of 29 December on town planning of the Balearic Islands, arts. 146 "
            "ff. Law 39/2015 of 1 October on the common administrative procedure, art. 69 "
            "(responsible declaration and prior notice). Royal Legislative Decree 2/2004 (local "
            "finance law), arts. 100 to 103 (works tax).",
        ),
    },
    form=OBRES_FORM,
    # A prior notice asks for no act: it enables the works by itself (Law 39/2015 art. 69.3), so
    # silence has no effect. What the period measures is the town hall's check of the notice and
    # its documents, fifteen working days, before the works are expected to start.
    period=15,
    unit=PeriodUnit.WORKING_DAYS,
    silence=SilenceEffect.NOT_APPLICABLE,
)


# --- Queixes i suggeriments --------------------------------------------------------------------

QUEIXES_FORM: dict[str, Any] = {
    "fields": [
        {
            "key": "tipus",
            "type": "choice",
            "label": _t("Què voleu fer", "Qué quiere hacer", "What you want to do"),
            "required": True,
            "choices": [
                {
                    "value": "queixa",
                    "label": _t("Presentar una queixa", "Presentar una queja", "Make a complaint"),
                },
                {
                    "value": "suggeriment",
                    "label": _t("Fer un suggeriment", "Hacer una sugerencia", "Make a suggestion"),
                },
                {
                    "value": "felicitacio",
                    "label": _t(
                        "Fer arribar una felicitació",
                        "Enviar una felicitación",
                        "Send a compliment",
                    ),
                },
            ],
        },
        {
            "key": "servei",
            "type": "choice",
            "label": _t("Servei municipal", "Servicio municipal", "Municipal service"),
            "required": True,
            "choices": [
                {
                    "value": "atencio",
                    "label": _t(
                        "Atenció a la ciutadania", "Atención a la ciudadanía", "Citizen service"
                    ),
                },
                {
                    "value": "via_publica",
                    "label": _t(
                        "Via pública i enllumenat",
                        "Vía pública y alumbrado",
                        "Streets and lighting",
                    ),
                },
                {
                    "value": "residus",
                    "label": _t(
                        "Recollida de residus i neteja",
                        "Recogida de residuos y limpieza",
                        "Waste collection and cleaning",
                    ),
                },
                {
                    "value": "policia",
                    "label": _t("Policia Local", "Policía Local", "Local Police"),
                },
                {
                    "value": "esports_cultura",
                    "label": _t("Esports i cultura", "Deportes y cultura", "Sports and culture"),
                },
                {
                    "value": "serveis_socials",
                    "label": _t("Serveis socials", "Servicios sociales", "Social services"),
                },
                {
                    "value": "urbanisme",
                    "label": _t("Urbanisme i obres", "Urbanismo y obras", "Planning and works"),
                },
                {"value": "altres", "label": _t("Altres", "Otros", "Other")},
            ],
        },
        {
            "key": "data_fets",
            "type": "date",
            "label": _t("Data dels fets", "Fecha de los hechos", "Date of the events"),
            "required": False,
        },
        {
            "key": "lloc",
            "type": "address",
            "label": _t("Lloc", "Lugar", "Place"),
            "help": _t(
                "El carrer o l'equipament, si la queixa o el suggeriment es refereix a un lloc.",
                "La calle o el equipamiento, si la queja o la sugerencia se refiere a un lugar.",
                "The street or facility, if the complaint or suggestion is about a place.",
            ),
            "required": False,
        },
        {
            "key": "descripcio",
            "type": "textarea",
            "label": _t("Exposició", "Exposición", "Description"),
            "required": True,
            "max_length": 4000,
        },
        {
            "key": "proposta",
            "type": "textarea",
            "label": _t("Proposta de millora", "Propuesta de mejora", "Suggested improvement"),
            "required": False,
            "max_length": 2000,
        },
        {
            "key": "imatge",
            "type": "file",
            "label": _t(
                "Fotografia o document", "Fotografía o documento", "Photograph or document"
            ),
            "required": False,
            "allowed_types": ["jpeg", "png", "pdf"],
            "max_size_mb": 5,
        },
    ]
}

QUEIXES = DemoProcedure(
    code="QUEIXES",
    sia_code="2290117",
    # The office that takes citizens' communications in (art. 20.2.c) answers them.
    organ="oac",
    texts={
        "name": _t("Queixes i suggeriments", "Quejas y sugerencias", "Complaints and suggestions"),
        "topic": _t("Atenció a la ciutadania", "Atención a la ciudadanía", "Citizen service"),
        "summary": _t(
            "Per fer saber a l'Ajuntament què no ha funcionat bé en un servei municipal, "
            "proposar-ne millores o agrair una bona atenció. Us respondrem per escrit. Una "
            "queixa no és un recurs: no atura cap termini d'un altre procediment.",
            "Para hacer saber al Ayuntamiento qué no ha funcionado bien en un servicio "
            "municipal, proponer mejoras o agradecer una buena atención. Le responderemos por "
            "escrito. Una queja no es un recurso: no detiene ningún plazo de otro "
            "procedimiento.",
            "To tell the Town Hall what went wrong with a municipal service, suggest "
            "improvements or thank someone for good service. We will answer in writing. A "
            "complaint is not an appeal: it stops no period of any other procedure.",
        ),
        "who_may_file": _t(
            "Qualsevol persona, física o jurídica.",
            "Cualquier persona, física o jurídica.",
            "Anyone, a person or an organisation.",
        ),
        "fees": _t("Gratuït.", "Gratuito.", "Free of charge."),
        "legal_basis": _t(
            "Ordenança reguladora de l'administració electrònica de l'Ajuntament de Sant "
            "Llorenç des Cardassar, art. 20.2.c. Llei 39/2015, d'1 d'octubre, art. 13. Reial "
            "decret 951/2005, de 29 de juliol, marc general per a la millora de la qualitat "
            "(model del servei de queixes i suggeriments).",
            "Ordenanza reguladora de la administración electrónica del Ayuntamiento de Sant "
            "Llorenç des Cardassar, art. 20.2.c. Ley 39/2015, de 1 de octubre, art. 13. Real "
            "decreto 951/2005, de 29 de julio, marco general para la mejora de la calidad "
            "(modelo del servicio de quejas y sugerencias).",
            "By-law on electronic administration of the Town Hall of Sant Llorenç des "
            "Cardassar, art. 20.2.c. Law 39/2015 of 1 October, art. 13. Royal Decree 951/2005 "
            "of 29 July, general framework for quality improvement (the model of a complaints "
            "and suggestions service).",
        ),
    },
    form=QUEIXES_FORM,
    # No norm binds the town hall to a period: it follows the twenty working days of Royal
    # Decree 951/2005 art. 16. A complaint asks for no act, so silence has no effect.
    period=20,
    unit=PeriodUnit.WORKING_DAYS,
    silence=SilenceEffect.NOT_APPLICABLE,
    # Anyone may write in with the basic level (art. 8.2): it reveals no one's personal data.
    required_loa=LoA.LOW,
)


# --- Instància genèrica ------------------------------------------------------------------------

# The catalogue sends the generic request to the registry's own form (``is_generic``); this
# version is what the catalogue's page lists, never filed through ``file_procedure``.
GENERICA_FORM: dict[str, Any] = {
    "fields": [
        {
            "key": "assumpte",
            "type": "text",
            "label": _t("Assumpte", "Asunto", "Subject"),
            "required": True,
        },
        {
            "key": "exposa",
            "type": "textarea",
            "label": _t("Exposa", "Expone", "States"),
            "required": True,
        },
        {
            "key": "sollicita",
            "type": "textarea",
            "label": _t("Sol·licita", "Solicita", "Requests"),
            "required": True,
        },
        {
            "key": "annex",
            "type": "file",
            "label": _t("Documents annexos", "Documentos anexos", "Attached documents"),
            "required": False,
            "allowed_types": ["pdf", "jpeg", "png", "odt", "docx", "xml"],
            "max_size_mb": 20,
        },
    ]
}

GENERICA = DemoProcedure(
    code="GENERICA",
    sia_code="2115170",
    # The general registry is Secretaria's; the entry goes to whichever organ the person names.
    organ="secretaria",
    texts={
        "name": _t("Instància genèrica", "Instancia genérica", "General request"),
        "topic": _t("Registre", "Registro", "Registry"),
        "summary": _t(
            "Per adreçar a l'Ajuntament qualsevol sol·licitud, escrit o comunicació que no "
            "tengui un tràmit propi en aquest catàleg.",
            "Para dirigir al Ayuntamiento cualquier solicitud, escrito o comunicación que no "
            "tenga un trámite propio en este catálogo.",
            "To send the Town Hall any request, letter or notice that has no procedure of its "
            "own in this catalogue.",
        ),
        "who_may_file": _t(
            "Qualsevol persona, física o jurídica, o qui la representi.",
            "Cualquier persona, física o jurídica, o quien la represente.",
            "Anyone, a person or an organisation, or their representative.",
        ),
        "fees": _t(
            "Gratuït (el tràmit que s'hi sol·liciti pot tenir taxes pròpies).",
            "Gratuito (el trámite que se solicite puede tener tasas propias).",
            "Free (what is requested may have fees of its own).",
        ),
        "legal_basis": _t(
            "Llei 39/2015, d'1 d'octubre, art. 16 i 66. Ordenança reguladora de "
            "l'administració electrònica, art. 33 (registre telemàtic).",
            "Ley 39/2015, de 1 de octubre, arts. 16 y 66. Ordenanza reguladora de la "
            "administración electrónica, art. 33 (registro telemático).",
            "Law 39/2015 of 1 October, arts. 16 and 66. By-law on electronic administration, "
            "art. 33 (electronic registry).",
        ),
    },
    form=GENERICA_FORM,
    # What is asked decides the period and the silence; the catalogue can only state the
    # general rule (Law 39/2015 art. 21.3: three months).
    period=3,
    unit=PeriodUnit.MONTHS,
    silence=SilenceEffect.NOT_APPLICABLE,
    is_generic=True,
)

PROCEDURES = (PADRO, OBRES, QUEIXES, GENERICA)

# The post each head signs their resolutions with (art. 11, 31), printed beside their name.
HEAD_POSTS = {
    "secretaria": "Secretària de l'Ajuntament",
    "urbanisme": "Regidor d'Urbanisme i Obres",
    "oac": "Cap de l'Oficina d'Atenció a la Ciutadania",
}


@in_source_language()  # the original columns hold the Catalan text
def load_procedures() -> list[Procedure]:
    """The demo's procedures, each with a published form; returns them in ``PROCEDURES``'
    order. Organs come from the demo's own (``devtools.demo.ORGANS``)."""
    organs = {organ.code: organ for organ in Organ.objects.all()}
    loaded = []
    for demo in PROCEDURES:
        procedure = Procedure.objects.filter(code=demo.code).first()
        if procedure is None:
            procedure = Procedure.objects.create(
                code=demo.code,
                sia_code=demo.sia_code,
                organ=organs[demo.organ],
                filers=demo.filers,
                required_loa=demo.required_loa,
                resolution_period=demo.period,
                resolution_period_unit=demo.unit,
                silence_effect=demo.silence,
                automated_organ=organs[demo.automated_organ] if demo.automated_organ else None,
                automated_withdrawal=demo.automated_withdrawal,
                is_generic=demo.is_generic,
                **{field: texts["ca"] for field, texts in demo.texts.items()},
            )
        fill_translations(procedure, **demo.texts)
        if procedure.current_version_id is None:
            services.publish_version(procedure=procedure, form=demo.form, acting_user=None)
        loaded.append(procedure)
    # Kept when staff changed it: only an empty post is filled in.
    for code, post in HEAD_POSTS.items():
        StaffMembership.objects.filter(
            user__username=f"responsable-{code}", organ__code=code, role=StaffRole.HEAD, post=""
        ).update(post=post)
    return loaded
