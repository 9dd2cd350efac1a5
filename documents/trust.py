"""Timestamps from the TSA (art. 30.1) and the signature report of a sealed PDF.

Validation never fetches anything: the trust anchors are the configured roots
(``TRUST_ROOTS_FILE``), and no URL found inside a document or certificate is followed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass, field
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko_certvalidator import ValidationContext

from documents.sync import off_event_loop
from seu.errors import Unavailable

logger = logging.getLogger(__name__)


class TsaUnavailable(Unavailable):
    code = "tsa_unavailable"


@lru_cache(maxsize=4)
def _load_roots(path: str, mtime: float) -> tuple[asn1_x509.Certificate, ...]:
    data = Path(path).read_bytes()
    certs = [asn1_x509.Certificate.load(der) for _, _, der in pem.unarmor(data, multiple=True)]
    return tuple(certs)


def trust_roots() -> tuple[asn1_x509.Certificate, ...]:
    path = Path(settings.TRUST_ROOTS_FILE)
    try:
        return _load_roots(str(path), path.stat().st_mtime)
    except FileNotFoundError:
        logger.error("TRUST_ROOTS_FILE %s does not exist; nothing will be trusted", path)
        return ()


def validation_context() -> ValidationContext:
    return ValidationContext(
        trust_roots=list(trust_roots()),
        allow_fetching=False,
        revocation_mode="soft-fail",
    )


def timestamp_pdf(pdf: bytes) -> bytes:
    """Add an RFC 3161 document timestamp (with the validation data at hand) as an incremental
    update: the sealed bytes stay as they were, the new version is a superset."""
    if not settings.TSA_URL:
        raise TsaUnavailable(_("No hi ha cap autoritat de segellat de temps configurada."))
    timestamper = RequestsHTTPTimeStamper(settings.TSA_URL, timeout=settings.TSA_TIMEOUT_SECONDS)
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    try:
        stamper = signers.PdfTimeStamper(timestamper)
        context = validation_context()
        output = off_event_loop(
            lambda: stamper.timestamp_pdf(
                writer, "sha256", validation_context=context, in_place=False
            )
        )
    except (TimestampRequestError, SigningError, OSError) as exc:
        raise TsaUnavailable(_("L'autoritat de segellat de temps no ha respost.")) from exc
    return output.getvalue()


@dataclass(frozen=True)
class DigestTimestamp:
    """An RFC 3161 timestamp token over a digest: the DER of the token and the time it states."""

    token: bytes
    at: dt.datetime


def timestamp_digest(digest: bytes) -> DigestTimestamp:
    """Ask the TSA for a timestamp token over a SHA-256 ``digest`` (evidence of a record that is
    not a PDF: the access to a notification). ``TsaUnavailable`` if it does not answer."""
    if not settings.TSA_URL:
        raise TsaUnavailable(_("No hi ha cap autoritat de segellat de temps configurada."))
    timestamper = RequestsHTTPTimeStamper(settings.TSA_URL, timeout=settings.TSA_TIMEOUT_SECONDS)
    try:
        token = off_event_loop(lambda: asyncio.run(timestamper.async_timestamp(digest, "sha256")))
    except (TimestampRequestError, OSError) as exc:
        raise TsaUnavailable(_("L'autoritat de segellat de temps no ha respost.")) from exc
    info = token["content"]["encap_content_info"]["content"].parsed
    return DigestTimestamp(token=token.dump(), at=info["gen_time"].native)


@dataclass
class SignatureReport:
    is_timestamp: bool
    field_name: str
    signer: str
    signer_common_name: str
    signed_at: dt.datetime | None
    intact: bool
    valid: bool
    trusted: bool
    covers_whole_document: bool
    cert_not_before: dt.datetime | None = None
    cert_not_after: dt.datetime | None = None
    timestamp_at: dt.datetime | None = None
    timestamp_valid: bool = False
    # Only timestamps and validation data were appended after this signature (pyHanko's
    # difference analysis), so the content it signed is what the file shows.
    only_permitted_changes_after: bool = False
    # What pyHanko's difference analysis found after this signature: the name of its
    # ``ModificationLevel`` (NONE, LTA_UPDATES, FORM_FILLING, ANNOTATIONS, OTHER; "" when the
    # analysis did not run), whether that agrees with the signature's DocMDP permissions, and
    # what kind of content was added (``CHANGES``), for a reader to be told what changed.
    modification_level: str = ""
    docmdp_ok: bool | None = None
    changes_after: tuple[str, ...] = ()
    # The signature dictionary's /ContactInfo: on the town hall's seals, the document's
    # verification address (``/verificar/<csv>/``), covered by the seal itself.
    contact_info: str = ""

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted

    @property
    def unchanged_after(self) -> bool:
        """The file is what this signature signed, give or take timestamps and validation
        data: what its "Integritat" row may say in green."""
        return (
            self.intact
            and self.valid
            and (self.only_permitted_changes_after or self.signed_over)
            and self.docmdp_ok is not False
        )

    @property
    def signed_over(self) -> bool:
        """What came after this signature is only signatures (pyHanko's form-filling level: a new
        signature field signed), which its certification level allows: an act signed by its
        author and then sealed by the town hall (``documents.services.seal_uploaded_pdf``)."""
        return (
            self.modification_level == "FORM_FILLING"
            and set(self.changes_after) <= {"form_fields"}
            and self.docmdp_ok is not False
        )


@dataclass
class DocumentReport:
    signatures: list[SignatureReport] = field(default_factory=list)
    readable: bool = True
    # Set by ``documents.services`` when the stored bytes are not what was sealed (their SHA-256,
    # the CSV they carry): an ``IntegrityIncident.Reason`` value; empty when they are.
    integrity_failure: str = ""

    @property
    def seal(self) -> SignatureReport | None:
        """The town hall's seal: the signature that names the document's verification address
        (an uploaded act may carry its author's signatures before it); else the first."""
        signatures = [s for s in self.signatures if not s.is_timestamp]
        return next((s for s in signatures if "/verificar/" in s.contact_info), None) or next(
            iter(signatures), None
        )

    @property
    def timestamps(self) -> list[SignatureReport]:
        return [s for s in self.signatures if s.is_timestamp]

    @property
    def unchanged_since_sealing(self) -> bool:
        """True when every signature is intact and valid, only timestamp/validation data was
        appended after the seal (the seal itself reports it as a permitted change), and what came
        after an earlier signature is the seal (``SignatureReport.signed_over``)."""
        return (
            self.readable
            and not self.integrity_failure
            and self.seal is not None
            and all(s.intact and s.valid for s in self.signatures)
            and self.seal.only_permitted_changes_after
            and all(s.unchanged_after for s in self.signatures)
        )


def _common_name(cert: asn1_x509.Certificate) -> str:
    return str(cert.subject.native.get("common_name", cert.subject.human_friendly))


def _whole(status: object) -> bool:
    coverage = getattr(status, "coverage", None)
    return coverage is not None and coverage.name == "ENTIRE_FILE"


def _permitted(status: object) -> bool:
    level = getattr(status, "modification_level", None)
    coverage = getattr(status, "coverage", None)
    if coverage is not None and coverage.name == "ENTIRE_FILE":
        return True
    return level is not None and level in (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES)


# What may have been added after a signature, as ``SignatureReport.changes_after`` names it.
CHANGES = ("form_fields", "annotations", "pages", "other")


def _level_name(status: object) -> str:
    level = getattr(status, "modification_level", None)
    return level.name if level is not None else ""


def _page_annotations(root: object) -> tuple[int, int, int]:
    """(pages, annotations other than form widgets, form widgets) of the document at ``root``
    (a catalogue as seen in one revision)."""
    pages = annotations = widgets = 0
    pending = [root["/Pages"]]  # type: ignore[index]
    while pending:
        node = pending.pop().get_object()
        if "/Kids" in node:
            pending.extend(node["/Kids"])
            continue
        pages += 1
        # Not ``.get``: pyHanko's dictionaries resolve indirect references only through [].
        for annotation in node["/Annots"] if "/Annots" in node else ():  # noqa: SIM401
            annotation = annotation.get_object()
            if "/Subtype" in annotation and annotation["/Subtype"] == "/Widget":
                widgets += 1
            else:
                annotations += 1
    return pages, annotations, widgets


def _changes_after(reader: PdfFileReader, signature: object, status: object) -> tuple[str, ...]:
    """What was added after ``signature``, comparing the revision it signed with the file: only
    worked out when something beyond timestamps and validation data was (pyHanko's analysis
    names a level, often OTHER, but not what changed)."""
    if _whole(status) or _permitted(status):
        return ()
    try:
        revision = signature.signed_revision  # type: ignore[attr-defined]
        then = _page_annotations(reader.get_historical_root(revision))
        now = _page_annotations(reader.root)
    except Exception:
        logger.warning("verification: could not compare revisions", exc_info=True)
        return ("other",)
    level = getattr(status, "modification_level", None)
    found = []
    if now[2] > then[2] or level == ModificationLevel.FORM_FILLING:
        found.append("form_fields")
    if now[1] > then[1] or level == ModificationLevel.ANNOTATIONS:
        found.append("annotations")
    if now[0] != then[0]:
        found.append("pages")
    return tuple(found) or ("other",)


def _contact_info(signature: object) -> str:
    sig_object = signature.sig_object  # type: ignore[attr-defined]
    return str(sig_object["/ContactInfo"]) if "/ContactInfo" in sig_object else ""


def validate_pdf(pdf: bytes) -> DocumentReport:
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception:
        logger.warning("verification: a stored PDF could not be parsed", exc_info=True)
        return DocumentReport(readable=False)
    report = DocumentReport()
    context = validation_context()
    usage = KeyUsageConstraints(key_usage={"non_repudiation"})
    for signature in embedded:
        try:
            if signature.sig_object_type == "/DocTimeStamp":
                ts_status = validate_pdf_timestamp(signature, validation_context=context)
                cert = ts_status.signing_cert
                report.signatures.append(
                    SignatureReport(
                        is_timestamp=True,
                        field_name=signature.field_name,
                        signer=cert.subject.human_friendly,
                        signer_common_name=_common_name(cert),
                        signed_at=ts_status.timestamp,
                        intact=ts_status.intact,
                        valid=ts_status.valid,
                        trusted=ts_status.trusted,
                        covers_whole_document=_whole(ts_status),
                        only_permitted_changes_after=_permitted(ts_status),
                        modification_level=_level_name(ts_status),
                        docmdp_ok=ts_status.docmdp_ok,
                        changes_after=_changes_after(reader, signature, ts_status),
                        cert_not_before=cert.not_valid_before,
                        cert_not_after=cert.not_valid_after,
                        timestamp_at=ts_status.timestamp,
                        timestamp_valid=ts_status.intact and ts_status.valid and ts_status.trusted,
                    )
                )
                continue
            status = validate_pdf_signature(
                signature,
                signer_validation_context=context,
                ts_validation_context=context,
                key_usage_settings=usage,
            )
            cert = status.signing_cert
            ts = status.timestamp_validity
            report.signatures.append(
                SignatureReport(
                    is_timestamp=False,
                    field_name=signature.field_name,
                    signer=cert.subject.human_friendly,
                    signer_common_name=_common_name(cert),
                    signed_at=status.signer_reported_dt,
                    intact=status.intact,
                    valid=status.valid,
                    trusted=status.trusted,
                    covers_whole_document=_whole(status),
                    only_permitted_changes_after=_permitted(status),
                    modification_level=_level_name(status),
                    docmdp_ok=status.docmdp_ok,
                    changes_after=_changes_after(reader, signature, status),
                    contact_info=_contact_info(signature),
                    cert_not_before=cert.not_valid_before,
                    cert_not_after=cert.not_valid_after,
                    timestamp_at=ts.timestamp if ts else None,
                    timestamp_valid=bool(ts and ts.valid and ts.intact),
                )
            )
        except Exception:
            logger.warning("verification: signature %s failed to validate", exc_info=True)
            report.signatures.append(
                SignatureReport(
                    is_timestamp=signature.sig_object_type == "/DocTimeStamp",
                    field_name=str(signature.field_name),
                    signer="",
                    signer_common_name="",
                    signed_at=None,
                    intact=False,
                    valid=False,
                    trusted=False,
                    covers_whole_document=False,
                )
            )
    return report
