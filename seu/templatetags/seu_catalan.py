"""Names and dates with their preposition and article (``seu.catalan``), in the active language:

``{% load seu_catalan %}`` then, as the value of a ``blocktranslate`` placeholder,
``{{ town_hall.name|of_name }}`` ("de l'Ajuntament de ..."), ``{{ organ.name|by_name }}`` ("per la
Secretaria"), ``{{ day|on_date }}`` ("l'1 d'octubre de 2026"), ``{{ day|from_date }}``,
``{{ day|to_date }}``, ``{{ moment|until_date:"DATETIME_FORMAT" }}``,
``{{ when|instant|on_date }}`` (an instant already formatted with its offset).
"""

from __future__ import annotations

import datetime as dt

from django import template

from seu import catalan

register = template.Library()

DateValue = dt.date | dt.datetime | str | None


@register.filter
def of_name(value: str | None) -> str:
    return catalan.phrase("of", str(value)) if value else ""


@register.filter
def by_name(value: str | None) -> str:
    return catalan.phrase("by", str(value)) if value else ""


@register.filter
def of_date(value: DateValue, format_name: str = "DATE_FORMAT") -> str:
    return catalan.date_phrase("of_day", value, format_name)


@register.filter
def on_date(value: DateValue, format_name: str = "DATE_FORMAT") -> str:
    return catalan.date_phrase("on", value, format_name)


@register.filter
def from_date(value: DateValue, format_name: str = "DATE_FORMAT") -> str:
    return catalan.date_phrase("from", value, format_name)


@register.filter
def to_date(value: DateValue, format_name: str = "DATE_FORMAT") -> str:
    return catalan.date_phrase("to", value, format_name)


@register.filter
def until_date(value: DateValue, format_name: str = "DATE_FORMAT") -> str:
    return catalan.date_phrase("until", value, format_name)


@register.filter
def since_date(value: DateValue, format_name: str = "DATE_FORMAT") -> str:
    return catalan.date_phrase("since", value, format_name)
