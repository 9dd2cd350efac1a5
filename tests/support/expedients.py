"""Procedures and case files for tests, through the services every channel calls."""

from __future__ import annotations

import datetime as dt
from typing import Any

from expedients import services
from expedients.models import Expedient, Procedure, SilenceEffect
from seu import people
from seu.calendar import PeriodUnit
from seu.models import Identification, LoA, Organ

# A form with one field of each kind a clerk defines most (art. 24.1).
FORM: dict[str, Any] = {
    "fields": [
        {
            "key": "titular_nif",
            "type": "nif",
            "label": {"ca": "NIF del titular", "es": "NIF del titular", "en": "Holder's tax ID"},
            "required": True,
        },
        {
            "key": "adreca_obra",
            "type": "address",
            "label": {"ca": "Adreça de l'obra", "es": "Dirección de la obra", "en": "Address"},
            "required": True,
        },
        {
            "key": "referencia_cadastral",
            "type": "cadastral",
            "label": {"ca": "Referència cadastral", "es": "Referencia catastral"},
            "required": False,
        },
        {
            "key": "pressupost",
            "type": "number",
            "label": {"ca": "Pressupost (euros)", "es": "Presupuesto (euros)"},
            "required": True,
            "min": 0,
        },
        {
            "key": "inici",
            "type": "date",
            "label": {"ca": "Data d'inici", "es": "Fecha de inicio"},
            "required": False,
        },
        {
            "key": "tipus",
            "type": "choice",
            "label": {"ca": "Tipus d'obra", "es": "Tipo de obra"},
            "required": True,
            "choices": [
                {
                    "value": "interior",
                    "label": {"ca": "Reforma interior", "es": "Reforma interior"},
                },
                {"value": "facana", "label": {"ca": "Façana", "es": "Fachada"}},
            ],
        },
        {
            "key": "pressupost_doc",
            "type": "file",
            "label": {"ca": "Pressupost detallat", "es": "Presupuesto detallado"},
            "required": True,
            "allowed_types": ["pdf"],
            "max_size_mb": 5,
            "replaceable_by_declaration": True,
            "declaration": {
                "ca": "Declar que dispòs del pressupost i el present quan se'm requereixi.",
                "es": "Declaro que dispongo del presupuesto y lo presentaré cuando se me requiera.",
            },
        },
        {
            "key": "compliment",
            "type": "declaration",
            "label": {"ca": "Declaració responsable", "es": "Declaración responsable"},
            "declaration": {
                "ca": "Declar sota la meva responsabilitat que l'obra compleix la normativa.",
                "es": "Declaro bajo mi responsabilidad que la obra cumple la normativa.",
            },
        },
    ]
}

ANSWERS: dict[str, Any] = {
    "titular_nif": "12345678Z",
    "adreca_obra": "Carrer Major, 1, Sant Llorenç des Cardassar",
    "pressupost": "1200.50",
    "tipus": "interior",
    "pressupost_doc": {"declared": True},
    "compliment": True,
}


def make_procedure(
    organ: Organ,
    *,
    code: str = "OBRA",
    name: str = "Comunicació prèvia d'obres menors",
    form: dict[str, Any] | None = None,
    period: int = 3,
    unit: str = PeriodUnit.MONTHS,
    silence: str = SilenceEffect.POSITIVE,
    required_loa: str = LoA.SUBSTANTIAL,
    **fields: Any,
) -> Procedure:
    procedure = Procedure.objects.create(
        code=code,
        name=name,
        topic="Urbanisme",
        organ=organ,
        resolution_period=period,
        resolution_period_unit=unit,
        silence_effect=silence,
        required_loa=required_loa,
        **fields,
    )
    services.publish_version(procedure=procedure, form=form or FORM, acting_user=None)
    return procedure


def file_case(
    identification: Identification,
    procedure: Procedure,
    *,
    answers: dict[str, Any] | None = None,
    files: dict[str, tuple[str, bytes]] | None = None,
    presented_at: dt.datetime | None = None,
    contact_email: str = "maria@exemple.cat",
    language: str = "ca",
    now: dt.datetime | None = None,
) -> Expedient:
    """File ``procedure`` as ``identification`` through the draft and the filing services (what
    the web form and the API call). ``answers`` as a form sends them (strings, "on")."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {**_as_typed(answers if answers is not None else ANSWERS)}
    uploads = {
        key: SimpleUploadedFile(name, content) for key, (name, content) in (files or {}).items()
    }
    result = services.save_procedure_draft(
        identification=identification,
        procedure=procedure,
        draft=None,
        data=data,
        files=uploads,
        contact=people.ContactDetails(email=contact_email),
        language=language,
        now=now,
    )
    assert result.is_valid, result.form.errors
    from seu import calendar

    return services.file_procedure(
        identification=identification,
        public_id=result.draft.public_id,
        presented_at=presented_at or now or calendar.now(),
        language=language,
        now=now,
    )


def _as_typed(answers: dict[str, Any]) -> dict[str, Any]:
    typed: dict[str, Any] = {}
    for key, value in answers.items():
        if isinstance(value, dict) and value.get("declared"):
            typed[f"{key}__declared"] = "on"
        elif value is True:
            typed[key] = "on"
        elif isinstance(value, dict):
            continue
        else:
            typed[key] = str(value)
    return typed
