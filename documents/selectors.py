"""Reads of the document store other apps make (DESIGN: cross-app calls go through services and
selectors, never through another app's models)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from documents.models import Document
from seu.models import Organ


def issued_for_organ(organ: Organ, codes: Iterable[str]) -> QuerySet[Document]:
    """The documents issued for ``organ`` whose CSV is among ``codes`` (another organ's are not
    found, as codes that do not exist)."""
    return Document.objects.filter(organ=organ, csv__in=set(codes))
