"""Instants in templates: ``{% load seu_time %}{{ entry.presented_at|instant }}``.

A date without legal effect uses Django's filter with a named format of ``seu/formats``:
``{{ day|date }}``, ``{{ day|date:"WEEKDAY_DATE_FORMAT" }}``,
``{{ moment|date:"DATETIME_FORMAT" }}``.
"""

from __future__ import annotations

import datetime as dt

from django import template

from seu import calendar

register = template.Library()


@register.filter
def instant(value: dt.datetime | None, arg: str = "") -> str:
    """An instant with legal effect with its UTC offset (``seu.calendar.format_instant``):
    ``{{ when|instant }}``, or ``{{ when|instant:"weekday" }}`` to name the day of the week."""
    if not isinstance(value, dt.datetime):
        return ""
    return calendar.format_instant(value, weekday=arg == "weekday")


@register.filter
def utc_offset(value: dt.datetime | None) -> str:
    """The UTC offset of an instant in the seu's time, ``+01:00`` or ``+02:00``."""
    return calendar.utc_offset(value) if isinstance(value, dt.datetime) else ""
