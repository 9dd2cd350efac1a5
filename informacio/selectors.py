"""What the information page shows (art. 15, 16, 19): only what is public, each item with the
organ that provides it."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from django.db.models import QuerySet

from informacio.models import InformationDocument, OfficialJournal, PublicService
from seu.models import Organ


@dataclass(frozen=True)
class InformationPage:
    organs: list[Organ]
    services: list[PublicService]
    document_groups: list[tuple[str, list[InformationDocument]]]  # (kind's label, documents)
    journals: list[OfficialJournal]


def public_documents() -> QuerySet[InformationDocument]:
    return InformationDocument.objects.filter(is_public=True)


def information_page() -> InformationPage:
    """The organisation and its competences (art. 15.1.a), the services (15.1.b), the documents
    that must be public grouped by kind (16) and the official journals (19)."""
    documents = public_documents().select_related("organ").order_by("kind", "-updated_on", "title")
    labels = dict(InformationDocument.Kind.choices)
    return InformationPage(
        organs=list(Organ.objects.filter(is_active=True).select_related("parent")),
        services=list(PublicService.objects.select_related("organ")),
        document_groups=[
            (str(labels[kind]), list(items)) for kind, items in groupby(documents, lambda d: d.kind)
        ],
        journals=list(OfficialJournal.objects.all()),
    )


def document_file(*, document_id: int) -> InformationDocument | None:
    """A public document that has its PDF, or ``None`` (unpublished, no file, or no such one)."""
    return (
        public_documents().filter(blob__isnull=False, pk=document_id).select_related("blob").first()
    )
