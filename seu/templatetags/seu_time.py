"""Instants in templates: ``{% load seu_time %}{{ entry.presented_at|instant }}``."""

from __future__ import annotations

import datetime as dt

from django import template

from seu import calendar

register = template.Library()


@register.filter
def instant(value: dt.datetime | None) -> str:
    """An instant with legal effect with its UTC offset (``seu.calendar.format_instant``)."""
    return calendar.format_instant(value) if isinstance(value, dt.datetime) else ""


@register.filter
def utc_offset(value: dt.datetime | None) -> str:
    """The UTC offset of an instant in the seu's time, ``+01:00`` or ``+02:00``."""
    return calendar.utc_offset(value) if isinstance(value, dt.datetime) else ""
