"""Notifying PDFs a clerk uploads (issue 14 item 2): each one checked and sealed as a town hall
document with its own CSV (``documents.services.seal_uploaded_pdf``), then sent
(``notificacions.sending.notify``), all in one transaction: a refused file or an invalid
notification leaves nothing (no document, no exit entry, no notification)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from notificacions import sending
from notificacions.models import Notification
from seu import calendar
from seu.models import Organ


def document_title(subject: str, index: int, count: int) -> str:
    subject = " ".join(subject.split())
    return subject if count == 1 else f"{subject} ({index + 1}/{count})"


@transaction.atomic
def notify_uploaded(
    *,
    organ: Organ,
    files: Sequence[UploadedFile],
    subject: str,
    acting_user: AbstractBaseUser,
    language: str = "ca",
    now: dt.datetime | None = None,
    **notify: Any,
) -> Notification:
    """Seal ``files`` (raises ``documents.intake.RefusedFile`` naming the file at fault) and send
    them with ``sending.notify(**notify)`` (raises ``sending.InvalidNotification``)."""
    now = now or calendar.now()
    sealed = [
        sending.seal_upload(
            upload,
            title=document_title(subject, index, len(files)),
            organ=organ,
            language=language,
            acting_user=acting_user,
            now=now,
        )
        for index, upload in enumerate(files)
    ]
    return sending.notify(
        organ=organ,
        documents=sealed,
        subject=subject,
        acting_user=acting_user,
        language=language,
        now=now,
        **notify,
    )
