"""The sealed evidence of a notification (art. 32.5, 25.4): the evidence of availability (or of
issue, on paper) sealed in the transaction that makes it available, through the documents
pipeline (render, seal, record; the RFC 3161 timestamp follows asynchronously, as for every
document).

Art. 25.4 makes a communication valid when there is proof of its transmission, its date, its
full content and who sent it to whom: the evidence names the organ (and the town hall, in the
document's heading), the holder and the representative with their NIF, the exit entry with its
number and instant (art. 33.g), the instant of availability and the expiry it sets (art. 32.6),
and identifies the content by each document's CSV and the SHA-256 of the file made available.
The certificate of the notification's whole life (``notificacions.certificates``) builds on the
same facts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from documents import services as documents
from documents.models import Document, DocumentVersion

if TYPE_CHECKING:
    from notificacions.models import Notification


@dataclass(frozen=True)
class VersionFact:
    """One stored version of a notified document: its stage (sealed, then timestamped) and the
    SHA-256 of its bytes."""

    number: int
    stage: str
    stage_label: str
    sha256: str
    created_at: dt.datetime


@dataclass(frozen=True)
class DocumentFact:
    """A notified document as the evidence names it: title, CSV and the SHA-256 of its file."""

    title: str
    csv: str
    sha256: str
    versions: tuple[VersionFact, ...]


def _version_fact(version: DocumentVersion) -> VersionFact:
    return VersionFact(
        number=version.number,
        stage=version.stage,
        stage_label=str(version.get_stage_display()),
        sha256=version.blob.sha256,
        created_at=version.created_at,
    )


def document_facts(notification: Notification) -> list[DocumentFact]:
    """Each notified document, in the clerk's order, with every version stored so far and
    ``sha256`` the latest one's: the file the person gets now. A document's later versions only
    add a timestamp to the sealed bytes (DESIGN "Documents and trust"), so a reader holding any
    of them finds it in the certificate, which lists them all."""
    items = notification.notification_documents.select_related("document").prefetch_related(
        Prefetch(
            "document__versions",
            queryset=DocumentVersion.objects.select_related("blob").order_by("number"),
            to_attr="stored_versions",
        )
    )
    facts = []
    for item in items:
        document = item.document
        stored = tuple(
            _version_fact(version)
            for version in document.stored_versions  # type: ignore[attr-defined]
        )
        facts.append(
            DocumentFact(
                title=document.title,
                csv=document.csv_display,
                sha256=stored[-1].sha256,
                versions=stored,
            )
        )
    return facts


def inbox_url() -> str:
    """Where the person finds it at the seu (in the active language)."""
    return settings.SEU_BASE_URL + reverse("notificacions:list")


def exit_number(notification: Notification) -> str:
    return notification.exit_entry.number or ""


def availability_title(notification: Notification) -> str:
    """The evidence's title, in the active language, with the exit number that identifies it."""
    number = exit_number(notification)
    if notification.channel == notification.Channel.PAPER:
        return gettext("Evidència d'emissió de la notificació en paper %(number)s") % {
            "number": number
        }
    if notification.kind == notification.Kind.COMMUNICATION:
        return gettext("Evidència de posada a disposició de la comunicació %(number)s") % {
            "number": number
        }
    return gettext("Evidència de posada a disposició de la notificació %(number)s") % {
        "number": number
    }


def issue_availability_evidence(notification: Notification, *, now: dt.datetime) -> Document:
    """Seal the evidence that the notification was put at the person's disposal (electronic)
    or issued for delivery on paper, in the caller's transaction."""
    with translation.override(notification.language):
        title = availability_title(notification).strip()
        url = inbox_url()
    return documents.issue_document(
        kind=Document.Kind.NOTIFICATION_EVIDENCE,
        title=title,
        template_name="notificacions/pdf/availability.html",
        context={
            "notification": notification,
            "documents": document_facts(notification),
            "available_at": now,
            "inbox_url": url,
        },
        organ=notification.organ,
        language=notification.language,
        now=now,
    )
