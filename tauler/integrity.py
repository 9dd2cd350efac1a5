"""The integrity of the documents on display (art. 17.2, 18.4): the stored bytes of every edict's
document must hash to the SHA-256 that its sealed edict names. The beat re-hashes them
(``check_integrity``) and every download checks them (``attachment_bytes``); a mismatch or a
missing file opens one integrity incident, shown to staff and listed on the exposure
certificate."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from documents import services as documents
from documents.models import IntegrityIncident
from seu import calendar
from tauler.models import Edict, EdictAttachment, Incident

logger = logging.getLogger(__name__)


def _file_sha256(attachment: EdictAttachment) -> str | None:
    digest = hashlib.sha256()
    try:
        with attachment.blob.file.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1024 * 1024), b""):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def _integrity_failed(attachment: EdictAttachment, *, found: str | None, now: dt.datetime) -> None:
    """Open an integrity incident for the edict's document whose stored bytes hash to ``found``
    (``None``: unreadable), unless one is open; shown to staff and on the exposure certificate."""
    edict = attachment.edict
    with transaction.atomic():
        # The attachment's row is the lock: two checks at once open one incident.
        EdictAttachment.objects.select_for_update().filter(pk=attachment.pk).first()
        already = Incident.objects.filter(
            kind=Incident.Kind.INTEGRITY, attachment=attachment, ended_at__isnull=True
        ).exists()
        if already:
            return
        Incident.objects.create(
            kind=Incident.Kind.INTEGRITY,
            edict=edict,
            attachment=attachment,
            started_at=edict.last_integrity_check_at or edict.published_at or now,
            detected_at=now,
            detail=str(
                _(
                    "El document «%(name)s» emmagatzemat no coincideix amb el publicat: "
                    "SHA-256 esperat %(expected)s, trobat %(found)s."
                )
                % {
                    "name": attachment.name,
                    "expected": attachment.sha256,
                    "found": found or _("(fitxer il·legible)"),
                }
            ),
        )
    logger.error(
        "tauler integrity: edict %s attachment %s does not match its hash",
        edict.pk,
        attachment.pk,
    )


def check_integrity(*, now: dt.datetime | None = None) -> int:
    """Re-hash the stored documents of every edict on display; a mismatch (or a missing file)
    opens an integrity incident, shown to staff and listed on the exposure certificate. Returns
    how many documents failed."""
    now = now or calendar.now()
    failed = 0
    edicts = Edict.objects.filter(state=Edict.State.PUBLISHED).prefetch_related("attachments__blob")
    for edict in edicts.iterator(chunk_size=200):
        ok = True
        for attachment in edict.attachments.all():
            found = _file_sha256(attachment)
            if found == attachment.sha256:
                continue
            ok = False
            failed += 1
            attachment.edict = edict
            _integrity_failed(attachment, found=found, now=now)
        Edict.objects.filter(pk=edict.pk).update(last_integrity_check_at=now, last_integrity_ok=ok)
    return failed


def attachment_bytes(*, attachment: EdictAttachment, now: dt.datetime | None = None) -> bytes:
    """The stored bytes of an edict's document, once their SHA-256 is the one the sealed edict
    names (art. 18.4: what is offered is what was published). Otherwise the integrity incident
    is opened as the sweep would, and ``documents.IntegrityFailure`` says the file is refused."""
    try:
        data: bytes | None = attachment.blob.read()
    except OSError:
        data = None
    found = documents.sealing.sha256_hex(data) if data is not None else None
    if data is not None and found == attachment.sha256:
        return data
    _integrity_failed(attachment, found=found, now=now or calendar.now())
    raise documents.IntegrityFailure(
        reason=IntegrityIncident.Reason.MISSING
        if data is None
        else IntegrityIncident.Reason.CONTENT_MISMATCH
    )
