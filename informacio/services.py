"""Use cases of the information sections (art. 15, 16, 19).

The organisation, the services and the official journals are configuration that staff keep in the
back-office; what has a rule of its own is the file of a transparency document: only a PDF that
passes the seu's checks of every PDF it takes (``documents.intake``), and its update date moves
with it (art. 15.3)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from documents import intake
from documents import services as documents
from informacio.models import InformationDocument
from seu import calendar
from seu.errors import NotFound

User = AbstractBaseUser | AnonymousUser


def check_pdf(*, name: str, data: bytes) -> None:
    """Raise ``documents.intake.RefusedFile`` (an ``InvalidInput`` naming the file, in the
    reader's language) unless ``data`` is a PDF the seu publishes. The size limit is the notice
    board's: the same kind of public PDF, on the same storage."""
    intake.check_pdf(data, name=name, max_bytes=settings.TAULER_MAX_ATTACHMENT_BYTES)


@transaction.atomic
def attach_document_file(
    *,
    document_id: int,
    name: str,
    data: bytes,
    acting_user: User | None,
    today: dt.date | None = None,
) -> InformationDocument:
    """Store a PDF for a transparency document (art. 16) and move its update date (art. 15.3)."""
    check_pdf(name=name, data=data)
    document = InformationDocument.objects.select_for_update().filter(pk=document_id).first()
    if document is None:
        raise NotFound(_("Aquest document no existeix."), code="not_found")
    document.blob = documents.store_blob(data, "application/pdf")
    document.updated_on = today or calendar.to_local(calendar.now()).date()
    document.save(update_fields=["blob", "updated_on"])
    return document
