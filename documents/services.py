"""Use cases of the document pipeline: issue (render -> store -> seal), timestamp, verify.

Every document the town hall issues goes through ``render_document`` (HTML, WeasyPrint) or
``render_sheet`` (the registry receipt's fixed layout, ReportLab), then ``seal_rendered`` and
``record_document``; ``issue_document`` does all three for an HTML document. The registry takes
the steps apart to render its receipt before the book's lock (DESIGN "Documents and trust").
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from documents import integrity, rendering, sealing, sheets, trust, verification_code
from documents.models import Blob, Document, DocumentVersion, IntegrityIncident, SealCertificate
from seu import caching, calendar, throttle
from seu.core import outbox
from seu.core.sweeps import claim_due, claim_one
from seu.errors import NotFound, RateLimited, SeuError
from seu.models import Organ, TownHall

logger = logging.getLogger(__name__)
security_log = logging.getLogger("seu.security")

# Back-off between timestamp attempts after the TSA failed (the sweep retries when due).
TIMESTAMP_RETRY_DELAYS = [60, 300, 900, 3600]


def verification_url(csv: str) -> str:
    return settings.SEU_BASE_URL + reverse("documents:verify_code", args=[csv])


def qr_data_uri(url: str) -> str:
    """The QR code of ``url`` as a PNG (printed with ``image-rendering: pixelated``): WeasyPrint
    embeds a small PNG as it is, but parses and draws an SVG path of some 600 segments."""
    return sheets.qr_code(url).png_data_uri(scale=4, border=2)


def store_blob(data: bytes, content_type: str) -> Blob:
    """Store ``data`` once, addressed by its SHA-256; storing the same bytes again is a no-op."""
    digest = sealing.sha256_hex(data)
    existing = Blob.objects.filter(sha256=digest).first()
    if existing is not None:
        return existing
    blob = Blob(sha256=digest, size=len(data), content_type=content_type)
    blob.file.save(digest, ContentFile(data), save=False)
    blob.save(force_insert=True)
    return blob


# --- Stored contents nothing refers to -----------------------------------------------------------

# Higher apps that refer to blobs by hash outside a foreign key (a registry draft's attachments)
# register here what they still need; ``documents`` imports none of them (DESIGN: hooks).
_blob_keepers: list[Callable[[], Iterable[str]]] = []


def keep_blobs(keeper: Callable[[], Iterable[str]]) -> None:
    """Register ``keeper``: the SHA-256 of every blob it returns is never purged."""
    if keeper not in _blob_keepers:
        _blob_keepers.append(keeper)


def _referenced() -> Q:
    """A blob some row points to: every foreign key to ``Blob``, whichever app declares it."""
    condition = Q(pk__in=[])
    for relation in Blob._meta.get_fields(include_hidden=True):
        if relation.auto_created and not relation.concrete and relation.related_model:
            model = relation.related_model
            field = relation.field.name  # type: ignore[union-attr]
            condition |= Q(Exists(model._default_manager.filter(**{field: OuterRef("pk")})))
    return condition


def purge_orphan_blobs(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Delete stored contents that no entry, document, edict or draft refers to, stored more than
    ``BLOB_ORPHAN_GRACE_HOURS`` ago: files attached to requests that were never filed (personal
    data kept for nothing). The grace covers a submission between storing its files and
    committing its entry; were an old orphan attached again at the very moment it is purged, the
    entry's commit fails on the foreign key and nothing is registered (art. 33.f), never an
    entry without its file. The file goes after the row's deletion commits."""
    now = now or calendar.now()
    kept = {digest for keeper in _blob_keepers for digest in keeper()}
    candidates = list(
        Blob.objects.filter(
            created_at__lt=now - dt.timedelta(hours=settings.BLOB_ORPHAN_GRACE_HOURS)
        )
        .exclude(_referenced())
        .exclude(pk__in=kept)
        .values_list("pk", flat=True)[:limit]
    )
    purged = 0
    for digest in candidates:
        try:
            with transaction.atomic():
                blob = claim_one(Blob.objects.filter(pk=digest).exclude(_referenced()))
                if blob is None:
                    continue
                storage, name = blob.file.storage, str(blob.file.name)
                blob.delete()
                transaction.on_commit(functools.partial(storage.delete, name))
        except IntegrityError:  # referenced by a row committed meanwhile: it stays
            continue
        purged += 1
    if purged:
        logger.info("purged %d stored contents nobody refers to", purged)
    return purged


def seal_certificate_row() -> SealCertificate:
    """The row of this process's seal certificate (created on its first use)."""
    seal = sealing.get_seal()
    cert = seal.certificate
    row, _ = SealCertificate.objects.get_or_create(
        fingerprint=seal.fingerprint,
        defaults={
            "subject": cert.subject.rfc4514_string(),
            "issuer": cert.issuer.rfc4514_string(),
            "serial_number": format(cert.serial_number, "X"),
            "not_before": cert.not_valid_before_utc,
            "not_after": cert.not_valid_after_utc,
            "pem": cert.public_bytes(serialization.Encoding.PEM).decode(),
        },
    )
    return row


@dataclass(frozen=True)
class RenderedDocument:
    """A document laid out with its CSV, not sealed yet."""

    csv: str
    pdf: bytes
    issued_at: dt.datetime
    location: str


@dataclass(frozen=True)
class PreparedDocument:
    csv: str
    sealed_pdf: bytes
    issued_at: dt.datetime


def _verification_page() -> str:
    """Where a reader types the CSV printed on a document."""
    return settings.SEU_BASE_URL + reverse("documents:verify")


def _rendered(*, csv: str, pdf: bytes, now: dt.datetime, town_hall: TownHall) -> RenderedDocument:
    return RenderedDocument(
        csv=csv, pdf=pdf, issued_at=now, location=town_hall.municipality or town_hall.name
    )


def render_document(
    *,
    template_name: str,
    context: dict[str, Any],
    title: str,
    organ: Organ | None,
    language: str,
    now: dt.datetime,
) -> RenderedDocument:
    """Lay a document out with its CSV and QR code, touching no database row."""
    csv = verification_code.new_code()
    url = verification_url(csv)
    town_hall = caching.town_hall()
    pdf = rendering.render_pdf(
        template_name,
        {
            **context,
            "title": title,
            "organ": organ,
            "town_hall": town_hall,
            "csv": verification_code.display(csv),
            "verification_url": url,
            # Kept on one line: a reader types it from the paper.
            "verification_base_url": format_html(
                '<span class="url">{}</span>', _verification_page()
            ),
            "qr_code": qr_data_uri(url),
            "issued_at": now,
        },
        language,
    )
    return _rendered(csv=csv, pdf=pdf, now=now, town_hall=town_hall)


def render_sheet(
    *, sheet: sheets.Sheet, organ: Organ | None, language: str, now: dt.datetime
) -> RenderedDocument:
    """Lay out a fixed-layout document (``sheets``: the registry receipt) with the issuer, CSV and
    QR code every document carries (the same texts as ``documents/pdf/base.html``), touching no
    database row."""
    csv = verification_code.new_code()
    town_hall = caching.town_hall()
    with translation.override(language):
        footer = sheets.Footer(
            csv_label=str(_("Codi segur de verificació (CSV)")),
            csv=verification_code.display(csv),
            verify_text=str(
                _(
                    "Podeu comprovar l'autenticitat i la integritat d'aquest document a "
                    "%(verification_base_url)s"
                )
                % {"verification_base_url": _verification_page()}
            ),
            verification_url=verification_url(csv),
            sealed_by=str(
                _(
                    "Document segellat electrònicament per l'%(name)s (art. 10 i 30 de "
                    "l'ordenança d'administració electrònica)."
                )
                % {"name": town_hall.name}
            ),
        )
    issuer = f"{town_hall.name} — {organ.name}" if organ else town_hall.name
    pdf = rendering.sheet_to_pdf(sheet.with_issuer(issuer, footer))
    return _rendered(csv=csv, pdf=pdf, now=now, town_hall=town_hall)


def seal_rendered(
    rendered: RenderedDocument, *, reason: str, stamp: sealing.PageStamp | None = None
) -> PreparedDocument:
    """Seal a rendered document, with ``stamp`` printed on its first page in the same update."""
    sealed = sealing.seal_pdf(
        rendered.pdf,
        reason=reason,
        location=rendered.location,
        stamp=stamp,
        contact_info=verification_url(rendered.csv),
    )
    return PreparedDocument(csv=rendered.csv, sealed_pdf=sealed, issued_at=rendered.issued_at)


# Inside a caller's transaction no savepoint of its own: a failure here fails the caller's whole
# transaction, which is what every caller wants (a registry entry never keeps half a receipt), and
# a registry submission records its receipt under the book's lock, where round trips count.
@transaction.atomic(savepoint=False)
def record_document(
    *,
    prepared: PreparedDocument,
    kind: str,
    title: str,
    organ: Organ | None,
    language: str,
    acting_user: AbstractBaseUser | None,
    seal_certificate: SealCertificate | None = None,
) -> Document:
    """Record a sealed document; ``seal_certificate`` may be looked up beforehand
    (``seal_certificate_row``), out of a lock the caller is about to take."""
    document = Document.objects.create(  # type: ignore[misc]  # any user model
        csv=prepared.csv,
        kind=kind,
        title=title,
        organ=organ,
        language=language,
        issued_at=prepared.issued_at,
        issued_by=acting_user,
        seal_certificate=seal_certificate or seal_certificate_row(),
        timestamp_due_at=prepared.issued_at,
    )
    DocumentVersion.objects.create(
        document=document,
        number=1,
        stage=DocumentVersion.Stage.SEALED,
        blob=store_blob(prepared.sealed_pdf, "application/pdf"),
        created_at=prepared.issued_at,
    )
    # If the broker is down, the periodic sweep timestamps it later (timestamp_due_at is set).
    outbox.after_commit("documents.tasks.timestamp_document", document.pk)
    return document


def issue_document(
    *,
    kind: str,
    title: str,
    template_name: str,
    context: dict[str, Any],
    organ: Organ | None = None,
    language: str = "ca",
    acting_user: AbstractBaseUser | None = None,
    now: dt.datetime | None = None,
) -> Document:
    """Render, seal and record a document; its timestamp follows asynchronously.

    When called inside a transaction (an edict's publication), the document is recorded in it and
    its timestamp task is queued only if that transaction commits.
    """
    rendered = render_document(
        template_name=template_name,
        context=context,
        title=title,
        organ=organ,
        language=language,
        now=now or calendar.now(),
    )
    return record_document(
        prepared=seal_rendered(rendered, reason=str(title)),
        kind=kind,
        title=title,
        organ=organ,
        language=language,
        acting_user=acting_user,
    )


# Where the CSV is printed on an uploaded act's first page (points from the lower left corner).
UPLOAD_STAMP_X, UPLOAD_STAMP_Y, UPLOAD_STAMP_SIZE = 36.0, 14.0, 7


def seal_uploaded_pdf(
    *,
    data: bytes,
    name: str,
    title: str,
    organ: Organ | None,
    kind: str = Document.Kind.ACT,
    language: str = "ca",
    max_bytes: int | None = None,
    acting_user: AbstractBaseUser | None = None,
    now: dt.datetime | None = None,
) -> Document:
    """Seal a PDF an organ uploads (a resolution signed by its holder) as a document of the town
    hall with its own CSV, in the caller's transaction: checked first like every upload
    (``intake.check_pdf``: size, format, no active content, not encrypted; ``RefusedFile``).

    Its bytes are kept as they came, the seal added as an incremental update whose
    /ContactInfo is the CSV's verification address, so signatures already in it stay valid. A PDF
    that carries no signature also gets the CSV printed at the foot of its first page, in the
    same update; one that is signed does not (a new page content would show as a change after its
    signatures): its CSV is bound by the seal."""
    from documents import intake

    checked = intake.check_pdf(data, name=name, max_bytes=max_bytes)
    now = now or calendar.now()
    csv = verification_code.new_code()
    town_hall = caching.town_hall()
    stamp = None
    if not checked.has_signatures:
        with translation.override(language):
            text = str(
                _("CSV %(csv)s — Verificació: %(url)s")
                % {"csv": verification_code.display(csv), "url": _verification_page()}
            )
        stamp = sealing.PageStamp(
            text=text, x=UPLOAD_STAMP_X, y=UPLOAD_STAMP_Y, font_size=UPLOAD_STAMP_SIZE
        )
    rendered = _rendered(csv=csv, pdf=data, now=now, town_hall=town_hall)
    return record_document(
        prepared=seal_rendered(rendered, reason=str(title), stamp=stamp),
        kind=kind,
        title=title,
        organ=organ,
        language=language,
        acting_user=acting_user,
    )


def add_timestamp(*, document_id: int, now: dt.datetime | None = None) -> bool:
    """Timestamp a document's sealed version as a new version. Idempotent: returns False when
    there is nothing to do (already timestamped, or another worker holds it right now).

    A TSA failure leaves the document pending with a later ``timestamp_due_at``; the periodic
    sweep picks it up then.
    """
    now = now or calendar.now()
    with transaction.atomic():
        document = claim_one(
            Document.objects.filter(pk=document_id, timestamp_state=Document.TimestampState.PENDING)
        )
        if document is None:
            return False
        current = document.current_version()
        try:
            stamped = trust.timestamp_pdf(current.blob.read())
        except trust.TsaUnavailable as exc:
            delay = TIMESTAMP_RETRY_DELAYS[
                min(document.timestamp_attempts, len(TIMESTAMP_RETRY_DELAYS) - 1)
            ]
            document.timestamp_attempts += 1
            document.timestamp_due_at = now + dt.timedelta(seconds=delay)
            document.timestamp_error = str(exc.__cause__ or exc)[:300]
            document.save(
                update_fields=["timestamp_attempts", "timestamp_due_at", "timestamp_error"]
            )
            logger.warning("timestamp of document %s failed: %s", document_id, exc.__cause__)
            return False
        DocumentVersion.objects.create(
            document=document,
            number=current.number + 1,
            stage=DocumentVersion.Stage.TIMESTAMPED,
            blob=store_blob(stamped, "application/pdf"),
            created_at=now,
        )
        document.timestamp_state = Document.TimestampState.DONE
        document.timestamped_at = now
        document.timestamp_due_at = None
        document.timestamp_error = ""
        document.save(
            update_fields=[
                "timestamp_state",
                "timestamped_at",
                "timestamp_due_at",
                "timestamp_error",
            ]
        )
        return True


def due_timestamp_ids(*, now: dt.datetime | None = None, limit: int = 100) -> list[int]:
    return list(
        Document.objects.timestamp_due(at=now or calendar.now()).values_list("pk", flat=True)[
            :limit
        ]
    )


# --- Public verification (art. 30.4) --------------------------------------------------------------


THROTTLE_SCOPE = "verify-failures"


def check_not_throttled(*, address: str) -> None:
    if throttle.count(scope=THROTTLE_SCOPE, key=address) >= settings.VERIFY_MAX_FAILURES:
        raise RateLimited(
            _(
                "Massa intents fallits des d'aquesta adreça. Tornau-ho a provar d'aquí a "
                "%(minutes)d minuts."
            )
            % {"minutes": max(1, settings.VERIFY_FAILURE_WINDOW_SECONDS // 60)}
        )


def record_failed_lookup(*, address: str, typed: str) -> None:
    failures = throttle.record(
        scope=THROTTLE_SCOPE, key=address, window_seconds=settings.VERIFY_FAILURE_WINDOW_SECONDS
    )
    security_log.warning(
        "csv verification failed address=%s failures=%d typed=%r", address, failures, typed[:40]
    )


def find_document(*, text: str, address: str) -> Document:
    """The document whose CSV is typed in ``text``. Typos are caught by the check symbol and cost
    nothing; an unknown well-formed code counts as a failed guess for ``address``."""
    check_not_throttled(address=address)
    code = verification_code.parse(text)
    document = Document.objects.select_related("organ", "seal_certificate").filter(csv=code).first()
    if document is None:
        record_failed_lookup(address=address, typed=text)
        raise NotFound(_("No hi ha cap document amb aquest CSV."))
    return document


def verification_report(
    document: Document, *, channel: str = IntegrityIncident.Channel.VERIFICATION
) -> trust.DocumentReport:
    """The signature report of the document's current version, once its stored bytes are shown
    to be what was sealed (``checked_bytes``); if they are not, a report of that failure alone
    (the signatures of other bytes say nothing of this document) and an incident."""
    version = document.current_version()
    data, failure, found = _read_checked(version)
    if data is None or failure:
        _integrity_failed(version=version, reason=failure, found=found, channel=channel)
        return trust.DocumentReport(readable=data is not None, integrity_failure=failure)
    report = trust.validate_pdf(data)
    sealed = report.seal.contact_info if report.seal is not None else ""
    if not integrity.carries_code(data, document.csv, sealed=sealed):
        failure = IntegrityIncident.Reason.WRONG_DOCUMENT
        _integrity_failed(version=version, reason=failure, found=found, channel=channel)
        return trust.DocumentReport(integrity_failure=failure)
    return report


# --- Integrity of the stored bytes (art. 10, 30.1) ------------------------------------------------

# How long a version's stored bytes go without being re-hashed by the sweep.
INTEGRITY_RECHECK = dt.timedelta(days=1)

INTEGRITY_MESSAGES: dict[str, Promise] = {
    IntegrityIncident.Reason.CONTENT_MISMATCH: _(
        "El fitxer que conserva l'Ajuntament no és el que es va segellar: el seu contingut ha "
        "canviat."
    ),
    IntegrityIncident.Reason.MISSING: _("El fitxer que conserva l'Ajuntament no es pot llegir."),
    IntegrityIncident.Reason.WRONG_DOCUMENT: _(
        "El fitxer que conserva l'Ajuntament no porta el CSV d'aquest document: és el d'un altre."
    ),
}


class IntegrityFailure(SeuError):
    """The stored bytes of a document are not what was sealed: they are not served."""

    code = "integrity_failure"
    # Not the client's fault, but no 5xx either: the request is understood and refused for the
    # state the stored file is in, until the town hall restores it (RFC 9110, 15.5.10).
    http_status = 409

    def __init__(self, *, reason: str) -> None:
        super().__init__(
            _(
                "El fitxer que conserva l'Ajuntament no coincideix amb el que es va segellar, i "
                "no us el podem lliurar com a original. L'Ajuntament n'ha estat avisat."
            )
        )
        self.reason = reason


def integrity_message(reason: str) -> str:
    """What a reader is told when the stored bytes fail for ``reason``."""
    return str(
        INTEGRITY_MESSAGES.get(
            reason, INTEGRITY_MESSAGES[IntegrityIncident.Reason.CONTENT_MISMATCH]
        )
    )


def _read_checked(version: DocumentVersion) -> tuple[bytes | None, str, str]:
    """(bytes, failure reason or "", their SHA-256) of ``version``'s stored file."""
    try:
        data = version.blob.read()
    except (OSError, ValueError):
        return None, IntegrityIncident.Reason.MISSING, ""
    found = sealing.sha256_hex(data)
    if found != version.blob_id:
        return data, IntegrityIncident.Reason.CONTENT_MISMATCH, found
    return data, "", found


def checked_bytes(
    *, document: Document, channel: str = IntegrityIncident.Channel.DOWNLOAD
) -> bytes:
    """The bytes of the document's current version, after checking that they are what was
    sealed: their SHA-256 is the stored one, and they carry the document's CSV. Raises
    ``IntegrityFailure`` (and records the incident) if not."""
    version = document.current_version()
    data, failure, found = _read_checked(version)
    if data is not None and not failure and not integrity.carries_code(data, document.csv):
        failure = IntegrityIncident.Reason.WRONG_DOCUMENT
    if data is None or failure:
        _integrity_failed(version=version, reason=failure, found=found, channel=channel)
        raise IntegrityFailure(reason=failure)
    return data


def _integrity_failed(
    *,
    version: DocumentVersion,
    reason: str,
    found: str,
    channel: str,
    now: dt.datetime | None = None,
) -> bool:
    """Record that ``version``'s stored bytes failed, once while the incident stays open, and
    log it for security; returns True if the incident is new."""
    now = now or calendar.now()
    document = version.document
    with translation.override(settings.LANGUAGE_CODE):  # staff's record, not the reader's language
        detail = str(
            _(
                "Versió %(number)d del document %(csv)s: %(reason)s. SHA-256 segellat "
                "%(expected)s, trobat %(found)s."
            )
            % {
                "number": version.number,
                "csv": document.csv_display,
                "reason": IntegrityIncident.Reason(reason).label,
                "expected": version.blob_id,
                "found": found or _("(fitxer il·legible)"),
            }
        )
    try:
        with transaction.atomic():
            incident, created = IntegrityIncident.objects.get_or_create(
                version=version,
                resolved_at=None,
                defaults={
                    "document": document,
                    "reason": reason,
                    "expected_sha256": version.blob_id,
                    "found_sha256": found,
                    "detail": detail,
                    "detected_by": channel,
                    "detected_at": now,
                },
            )
    except IntegrityError:  # recorded by another request at the same moment
        created = False
    if created:
        security_log.error(
            "document integrity failure csv=%s version=%s reason=%s expected=%s found=%s "
            "channel=%s incident=%s",
            document.csv,
            version.number,
            reason,
            version.blob_id,
            found or "-",
            channel,
            incident.pk,
        )
    elif channel != IntegrityIncident.Channel.SWEEP:
        security_log.warning(
            "document with an open integrity incident read csv=%s version=%s reason=%s channel=%s",
            document.csv,
            version.number,
            reason,
            channel,
        )
    return created


def _file_sha256(version: DocumentVersion) -> str | None:
    digest = hashlib.sha256()
    try:
        with version.blob.file.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1024 * 1024), b""):
                digest.update(chunk)
    except (OSError, ValueError):
        return None
    return digest.hexdigest()


def check_stored_documents(
    *, now: dt.datetime | None = None, batch_size: int = 200, limit: int = 5000
) -> int:
    """Re-hash the stored bytes of every document version not re-hashed within
    ``INTEGRITY_RECHECK`` (at most ``limit`` per run, the longest unchecked first, in batches
    claimed with ``SKIP LOCKED`` so two sweepers share the work): a mismatch or a missing file
    opens an incident, once while it stays open; bytes found matching again (restored from a
    backup) close it. Returns how many versions failed."""
    now = now or calendar.now()
    failed = checked = 0
    while checked < limit:
        with transaction.atomic():
            batch = claim_due(
                DocumentVersion.objects.integrity_due(
                    checked_before=now - INTEGRITY_RECHECK
                ).select_related("blob", "document"),
                limit=min(batch_size, limit - checked),
            )
            if not batch:
                break
            for version in batch:
                found = _file_sha256(version)
                if found == version.blob_id:
                    _close_incidents(version=version, now=now)
                    continue
                failed += 1
                _integrity_failed(
                    version=version,
                    reason=IntegrityIncident.Reason.MISSING
                    if found is None
                    else IntegrityIncident.Reason.CONTENT_MISMATCH,
                    found=found or "",
                    channel=IntegrityIncident.Channel.SWEEP,
                    now=now,
                )
            DocumentVersion.objects.filter(pk__in=[v.pk for v in batch]).update(
                integrity_checked_at=now
            )
        checked += len(batch)
    return failed


def _close_incidents(*, version: DocumentVersion, now: dt.datetime) -> None:
    # Only what a hash can settle: bytes of another document (WRONG_DOCUMENT) hash as stored.
    closed = IntegrityIncident.objects.filter(
        version=version,
        resolved_at__isnull=True,
        reason__in=[IntegrityIncident.Reason.CONTENT_MISMATCH, IntegrityIncident.Reason.MISSING],
    ).update(resolved_at=now)
    if closed:
        security_log.warning(
            "document integrity restored csv=%s version=%s",
            version.document.csv,
            version.number,
        )
