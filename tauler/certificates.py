"""Certified start of exposure and the exposure certificate (art. 18.4).

Publishing seals the edict's content through the ``documents`` pipeline (kind ``edict``: an HTML
rendering of the text and the SHA-256 of every attached PDF). The instant of publication written
into that sealed document, by the seu's clock, is when the edict becomes visible and is
``published_at``. The documents pipeline then adds an RFC 3161 timestamp to the sealed document
asynchronously (``documents.tasks``); ``certify_publications`` (a beat task) reads the timestamp's
genTime from the stamped PDF and records it as ``certified_at``, the certified instant shown on
the edict's page and on the exposure certificate. The two are seconds apart; should the timestamp
fall on a later local day than the publication (publication just before midnight), the end of
exposure is recomputed from the certified instant, so the certified period is never shorter than
the one announced.

When exposure ends, or an approver withdraws a published edict, ``tauler.services`` issues the
sealed certificate (``issue_certificate``) in the same transaction as the change of state: what
was on display, from and until when, and every incident of the board or of the seu meanwhile."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from documents import services as documents
from documents.models import Document
from seu import calendar
from seu.core.sweeps import sweep_each
from seu.models import Interruption
from tauler import caching
from tauler.models import Edict, HealthRecord, Incident
from tauler.periods import exposure_end

logger = logging.getLogger(__name__)


def issue_certificate(
    edict: Edict, *, now: dt.datetime, end: dt.datetime | None = None
) -> Document:
    """The sealed exposure certificate; ``end`` is the withdrawal instant of a withdrawn edict."""
    assert edict.published_at is not None and edict.exposure_ends_at is not None
    attachments = list(edict.attachments.select_related("blob"))
    incidents = list(
        Incident.objects.during(
            edict=edict, start=edict.published_at, end=end or edict.exposure_ends_at
        )
    )
    # Planned interruptions of the whole seu (art. 17.1) interrupt the board too.
    planned = list(
        Interruption.objects.overlapping(
            start=edict.published_at,
            end=end or edict.exposure_ends_at,
            scope=Interruption.Scope.SEU,
        )
    )
    monitored_since = (
        HealthRecord.objects.order_by("first_ok_at").values_list("first_ok_at", flat=True).first()
    )
    sealed = edict.sealed_document
    return documents.issue_document(
        kind=Document.Kind.EXPOSURE_CERTIFICATE,
        title=str(_("Diligència d'exposició de l'edicte %(ref)s") % {"ref": edict.reference}),
        template_name="tauler/pdf/exposure_certificate.html",
        context={
            "edict": edict,
            "attachments": attachments,
            "incidents": incidents,
            "planned_interruptions": planned,
            "sealed": sealed,
            "sealed_sha256": sealed.current_version().blob_id if sealed else "",
            "start_local": calendar.to_local(edict.published_at),
            "certified_local": calendar.to_local(edict.certified_at)
            if edict.certified_at
            else None,
            "last_day": edict.exposure_last_day,
            "withdrawn_local": calendar.to_local(end) if end else None,
            "monitored_since": monitored_since,
            "health_interval": settings.TAULER_HEALTH_INTERVAL_SECONDS,
        },
        organ=edict.organ,
        language="ca",
        now=now,
    )


def certify(edict: Edict) -> bool:
    """Read the timestamp's genTime from the stamped edict document (see the module docstring)."""
    document = edict.sealed_document
    if document is None or document.timestamp_state != Document.TimestampState.DONE:
        return False
    report = documents.verification_report(document)
    instants = [
        s.timestamp_at
        for s in report.timestamps
        if s.timestamp_at is not None and s.intact and s.valid
    ]
    if not instants:
        logger.error("edict %s: its sealed document has no valid timestamp", edict.pk)
        return False
    certified = min(instants)
    edict.certified_at = certified
    fields = ["certified_at"]
    assert edict.published_at is not None
    published_day = calendar.to_local(edict.published_at).date()
    if edict.state == Edict.State.PUBLISHED and calendar.to_local(certified).date() > published_day:
        edict.exposure_ends_at = exposure_end(
            kind=edict.period_kind,
            days=edict.period_days,
            until=edict.period_until,
            start=certified,
        )
        fields.append("exposure_ends_at")
    edict.save(update_fields=fields)
    caching.board_changed()
    return True


def certify_publications(*, limit: int = 100) -> int:
    """Record the certified instant of every published edict whose timestamp has arrived."""
    return sweep_each(
        Edict.objects.filter(
            certified_at__isnull=True,
            published_at__isnull=False,
            sealed_document__timestamp_state=Document.TimestampState.DONE,
        ).select_related("sealed_document"),
        certify,
        order_by=["pk"],
        limit=limit,
    )
