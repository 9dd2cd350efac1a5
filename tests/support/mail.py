"""E-mails of the outbox as a test reads them: delivered as the beat's sweep does (to Django's
locmem outbox), and the appointment links they carry."""

from __future__ import annotations

import re

from django.core import mail

from seu.core import outbox


def deliver() -> list[mail.EmailMessage]:
    """What the beat sweep does: deliver the stored e-mails; the ones sent now."""
    before = len(mail.outbox)
    outbox.deliver_pending_emails()
    return list(mail.outbox[before:])


def link(message: mail.EmailMessage, kind: str) -> str:
    """The path of the appointment link of ``kind`` (``confirmar``, ``cita``...) in ``message``."""
    found = re.search(rf"https?://\S+(/cita-previa/{kind}/[^/\s]+/)", str(message.body))
    assert found, message.body
    return found.group(1)
