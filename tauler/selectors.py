"""Reads of the notice board shared by the pages, the feed and the API."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from tauler.models import Category, Edict, EdictQuerySet


def board(
    *,
    at: dt.datetime,
    category: str = "",
    organ: str = "",
    text: str = "",
) -> EdictQuerySet:
    """Edicts on display at ``at``, newest first, filtered by category, organ code and text."""
    found = Edict.objects.on_display(at=at).select_related("organ").newest_first()
    if category and category in Category.values:
        found = found.filter(category=category)
    if organ:
        found = found.filter(organ__code=organ)
    for word in text.split()[:8]:
        found = found.filter(Q(title__icontains=word) | Q(text__icontains=word))
    return found


def published(*, year: int, number: int) -> Edict | None:
    """An edict by its public address, whatever its state now (the record stays)."""
    return (
        Edict.objects.public()
        .select_related("organ", "sealed_document", "certificate")
        .filter(year=year, number=number)
        .first()
    )
