"""Documents a person attaches to a registry entry (art. 33.f): which are accepted, and why not.

A file is recognised by what it contains, never by its name or by the content type the browser
claims: PDF (and PDF/A), JPEG, PNG, ODT, DOCX, XML, and signed files (XAdES ``.xsig``, CAdES
``.csig``). Each is also opened with a library that reads that format, so a truncated or damaged
file is refused instead of registered. The limits per file, per entry and on the number of files
come from the settings and are shown in the form. A PDF passes the checks of every PDF the seu
takes (``documents.intake``, the notice board's too): one that needs a password to open it, or with
active content (JavaScript, an action that launches a program, embedded files), is refused. The
signatures in a signed PDF, CAdES or XAdES file are checked against the accepted citizen issuers
(``documents.signatures``: valid, not valid or not checked, and why) so that the receipt can say so.

The name a person gives a file is kept only for display: storage is addressed by SHA-256.
"""

from __future__ import annotations

import io
import unicodedata
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from asn1crypto import cms
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from PIL import Image

from documents import intake
from documents import services as documents
from documents import signatures as signature_checks
from documents.models import Blob
from seu.errors import InvalidInput

# What the disallowed-type message lists: the formats of art. 33.f's "estàndards de format".
ALLOWED_FORMATS = "PDF, PDF/A, JPEG, PNG, ODT, DOCX, XML, XAdES (.xsig), CAdES (.csig)"
# For the file picker only (a hint to the browser); acceptance is decided by the content.
ACCEPT_ATTRIBUTE = ".pdf,.jpg,.jpeg,.png,.odt,.docx,.xml,.xsig,.csig,.p7s,.p7m"

MAX_NAME_LENGTH = 200  # EntryAttachment.name
# An image is decoded to check it is whole; beyond this many pixels it would take too much memory.
MAX_IMAGE_PIXELS = 60_000_000
# A ZIP-based document is decompressed to check every member: refuse one that expands beyond this
# (a "zip bomb"), or holds an absurd number of members.
MAX_UNZIPPED_BYTES = 300 * 1024 * 1024
MAX_ZIP_MEMBERS = 10_000

XMLDSIG_NS = "http://www.w3.org/2000/09/xmldsig#"
XADES_NAMESPACES = ("http://uri.etsi.org/01903/v1.3.2#", "http://uri.etsi.org/01903/v1.4.1#")
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
CONTENT_TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
SIGNED_DATA_OID = bytes.fromhex("06092a864886f70d010702")  # 1.2.840.113549.1.7.2, DER-encoded


@dataclass(frozen=True)
class IncomingAttachment:
    """A file already checked and stored (``registre.attachments``), ready to be registered."""

    name: str
    content_type: str
    format_label: str
    blob: Blob
    signatures: list[dict[str, Any]] = field(default_factory=list)


class AttachmentRefused(InvalidInput):
    """A file that cannot be registered; the message names the file and the rule it breaks."""

    code = "attachment_refused"

    def __init__(self, message: str | Promise, *, name: str, rule: str) -> None:
        super().__init__(message)
        self.name = name
        self.rule = rule


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int
    max_entry_bytes: int
    max_files: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            max_file_bytes=settings.REGISTRY_MAX_FILE_BYTES,
            max_entry_bytes=settings.REGISTRY_MAX_ENTRY_BYTES,
            max_files=settings.REGISTRY_MAX_FILES,
        )


@dataclass(frozen=True)
class Recognised:
    content_type: str
    format_label: str
    has_signatures: bool = False  # a PDF with signature fields, to report on


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed every check, not stored yet."""

    name: str
    data: bytes
    content_type: str
    format_label: str
    signatures: list[dict[str, Any]] = field(default_factory=list)


# --- Names ---------------------------------------------------------------------------------------


def _refuse_name(raw: str) -> AttachmentRefused:
    shown = "".join(ch if ch.isprintable() else "\N{REPLACEMENT CHARACTER}" for ch in raw)[:120]
    return AttachmentRefused(
        _(
            "El nom de fitxer «%(name)s» no és vàlid: ha de ser només el nom del fitxer, sense "
            "carpetes, unitats de disc ni caràcters de control."
        )
        % {"name": shown},
        name=shown,
        rule="name",
    )


def display_name(raw: str) -> str:
    """The file's own name, for display only. A name that tries a path (``../x.pdf``, ``a/b.pdf``,
    ``C:\\x``), or holds NUL, control or bidirectional-override characters, is refused."""
    if not raw or not raw.strip():
        raise _refuse_name(raw)
    for character in raw:
        # Cc: control characters (NUL included); Cf: format characters such as U+202E, which
        # can make "gpj.exe" look like "exe.jpg".
        if unicodedata.category(character) in {"Cc", "Cf"}:
            raise _refuse_name(raw)
    if any(separator in raw for separator in ("/", "\\", ":")) or raw.strip() in {".", ".."}:
        raise _refuse_name(raw)
    name = unicodedata.normalize("NFC", raw.strip())
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            name = stem[: MAX_NAME_LENGTH - len(extension) - 1] + "." + extension
        else:
            name = name[:MAX_NAME_LENGTH]
    return name


# --- Recognising the content ---------------------------------------------------------------------


def _disallowed(name: str) -> AttachmentRefused:
    return AttachmentRefused(
        _(
            "«%(name)s» no és d'un format admès. Formats admesos: %(formats)s. El format es "
            "reconeix pel contingut del fitxer, no pel nom."
        )
        % {"name": name, "formats": ALLOWED_FORMATS},
        name=name,
        rule="type",
    )


def _refused(refused: intake.RefusedFile) -> AttachmentRefused:
    """The registry's refusal for a file ``documents.intake`` refuses: its rule is the code."""
    return AttachmentRefused(refused.message, name=refused.name, rule=refused.code)


def _corrupted(name: str, format_label: str) -> AttachmentRefused:
    return _refused(intake.corrupted(name, format_label))


def _recognise_pdf(data: bytes, name: str) -> Recognised:
    # The same checks as every PDF the seu takes (``documents.intake``); the size was checked
    # for every format by ``check_file`` (or before reading the upload).
    try:
        checked = intake.check_pdf(data, name=name, max_bytes=None)
    except intake.RefusedFile as refused:
        raise _refused(refused) from None
    return Recognised(
        "application/pdf", checked.format_label, has_signatures=checked.has_signatures
    )


def _too_many_pixels(name: str) -> AttachmentRefused:
    return AttachmentRefused(
        _(
            "«%(name)s» és una imatge de massa píxels (més de %(megapixels)d megapíxels). "
            "Reduïu-ne la resolució i adjuntau-la de nou."
        )
        % {"name": name, "megapixels": MAX_IMAGE_PIXELS // 1_000_000},
        name=name,
        rule="pixels",
    )


def _recognise_image(data: bytes, name: str, kind: str) -> Recognised:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[kind]) as image:
                image.verify()  # structure and, for PNG, every chunk's checksum
            with Image.open(io.BytesIO(data), formats=[kind]) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise _too_many_pixels(name)
                if kind == "JPEG":
                    # Decoding at 1/8 scale still reads every byte of the compressed data.
                    image.draft(image.mode, (max(1, width // 8), max(1, height // 8)))
                image.load()  # a truncated image fails here
    except AttachmentRefused:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise _too_many_pixels(name) from None
    except Exception:
        raise _corrupted(name, kind) from None
    return Recognised("image/jpeg" if kind == "JPEG" else "image/png", kind)


def _recognise_zip(data: bytes, name: str) -> Recognised:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise _corrupted(name, "ODT/DOCX") from None
    names = {member.filename for member in members}
    with archive:
        if "mimetype" in names:
            mimetype = archive.read("mimetype").strip() if _small(archive, "mimetype") else b""
            if mimetype != ODT_MIMETYPE:
                raise _disallowed(name)  # a spreadsheet, a presentation, another ODF type
            if not {"content.xml", "META-INF/manifest.xml"} <= names:
                raise _corrupted(name, "ODT")
            recognised = Recognised("application/vnd.oasis.opendocument.text", "ODT")
        elif "[Content_Types].xml" in names:
            if not _is_word_document(archive) or "word/document.xml" not in names:
                raise _disallowed(name)  # a macro-enabled document, a workbook, a plain ZIP...
            recognised = Recognised(
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "DOCX"
            )
        else:
            raise _disallowed(name)
        if len(members) > MAX_ZIP_MEMBERS or (
            sum(member.file_size for member in members) > MAX_UNZIPPED_BYTES
        ):
            raise _corrupted(name, recognised.format_label)
        try:
            damaged = archive.testzip()  # decompresses every member and checks its CRC
        except Exception:
            damaged = "?"
        if damaged is not None:
            raise _corrupted(name, recognised.format_label)
    return recognised


def _small(archive: zipfile.ZipFile, member: str, limit: int = 1024 * 1024) -> bool:
    return archive.getinfo(member).file_size <= limit


def _is_word_document(archive: zipfile.ZipFile) -> bool:
    if not _small(archive, "[Content_Types].xml"):
        return False
    try:
        root = SafeET.fromstring(archive.read("[Content_Types].xml"), forbid_dtd=True)
    except Exception:
        return False
    for override in root.iter(f"{{{CONTENT_TYPES_NS}}}Override"):
        if (
            override.get("PartName") == "/word/document.xml"
            and override.get("ContentType") == DOCX_MAIN
        ):
            return True
    return False


def _recognise_cms(data: bytes, name: str) -> Recognised:
    try:
        info = cms.ContentInfo.load(data, strict=True)
        if info["content_type"].native != "signed_data":
            raise _disallowed(name)
        signed = info["content"]
        signer_infos = signed["signer_infos"].native  # parses every signer
        content = signed["encap_content_info"]["content"]
        detached = content.native is None
    except AttachmentRefused:
        raise
    except Exception:
        if SIGNED_DATA_OID in data[:32]:
            raise _corrupted(name, "CAdES") from None
        raise _disallowed(name) from None
    if not signer_infos:
        raise _disallowed(name)  # a certificate bundle (.p7b), not a signed file
    content_type = "application/pkcs7-signature" if detached else "application/pkcs7-mime"
    return Recognised(content_type, "CAdES")


def _recognise_xml(data: bytes, name: str) -> Recognised:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<!doctype html") or b"<html" in head:
        raise _disallowed(name)
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise AttachmentRefused(
            _(
                "«%(name)s» conté una declaració de tipus de document (DTD) o entitats, que no "
                "s'admeten en fitxers XML per seguretat."
            )
            % {"name": name},
            name=name,
            rule="xml_dtd",
        ) from None
    except SafeET.ParseError:
        raise _corrupted(name, "XML") from None
    local_name = root.tag.rpartition("}")[2].lower()
    if local_name in {"html", "svg"}:
        raise _disallowed(name)  # markup that a browser would run, not a data document
    if root.tag == f"{{{XMLDSIG_NS}}}Signature" or next(
        root.iter(f"{{{XMLDSIG_NS}}}Signature"), None
    ):
        xades = any(
            element.tag.startswith(tuple("{" + ns for ns in XADES_NAMESPACES))
            for element in root.iter()
        )
        return Recognised("application/xml", "XAdES" if xades else "XMLDSig")
    return Recognised("application/xml", "XML")


def recognise(data: bytes, *, name: str) -> Recognised:
    """The format of ``data``, by its content; refuses disallowed and damaged files."""
    if data.startswith(b"%PDF-"):
        return _recognise_pdf(data, name)
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _recognise_image(data, name, "PNG")
    if data.startswith(b"\xff\xd8\xff"):
        return _recognise_image(data, name, "JPEG")
    if data.startswith(b"PK\x03\x04"):
        return _recognise_zip(data, name)
    if data[:1] == b"\x30":
        return _recognise_cms(data, name)
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<":
        return _recognise_xml(data, name)
    raise _disallowed(name)


def pdf_signatures(data: bytes) -> list[dict[str, Any]]:
    """The signatures embedded in a PDF, as the attachment stores them (see ``signatures``)."""
    return [check.as_row() for check in signature_checks.check_pdf(data)]


def signatures(
    data: bytes, format_label: str, *, has_signatures: bool = False, contents: Sequence[bytes] = ()
) -> list[dict[str, Any]]:
    """Who signed the file and whether each signature holds (``documents.signatures``): valid,
    invalid or not checked, with the reason. A detached CAdES signature is checked against the
    file it signed when that is among ``contents``."""
    if format_label.startswith("PDF"):
        return pdf_signatures(data) if has_signatures else []
    if format_label == "CAdES":
        return [c.as_row() for c in signature_checks.check_cms(data, contents=contents)]
    if format_label in {"XAdES", "XMLDSig"}:
        return [c.as_row() for c in signature_checks.check_xml(data)]
    return []


# --- Checking and storing ------------------------------------------------------------------------


def _too_big(name: str, size: int, limits: Limits) -> AttachmentRefused:
    return _refused(intake.too_large(name, size=size, limit=limits.max_file_bytes))


def check_upload(upload: UploadedFile, *, limits: Limits | None = None) -> CheckedFile:
    """``check_file`` for an uploaded file: one over the per-file limit is refused before it is
    read into memory."""
    limits = limits or Limits.from_settings()
    size = upload.size or 0
    if size > limits.max_file_bytes:
        raise _too_big(display_name(upload.name or ""), size, limits)
    return check_file(upload.name or "", b"".join(upload.chunks()), limits=limits)


def check_file(name: str, data: bytes, *, limits: Limits | None = None) -> CheckedFile:
    """Every check of one file on its own (name, size, format, integrity), storing nothing."""
    limits = limits or Limits.from_settings()
    shown = display_name(name)
    if not data:
        raise AttachmentRefused(
            _("«%(name)s» és buit.") % {"name": shown}, name=shown, rule="empty"
        )
    if len(data) > limits.max_file_bytes:
        raise _too_big(shown, len(data), limits)
    recognised = recognise(data, name=shown)
    return CheckedFile(
        name=shown,
        data=data,
        content_type=recognised.content_type,
        format_label=recognised.format_label,
        signatures=signatures(
            data, recognised.format_label, has_signatures=recognised.has_signatures
        ),
    )


def store(checked: CheckedFile) -> IncomingAttachment:
    """Store the bytes (addressed by SHA-256, whatever the person called the file)."""
    try:
        with transaction.atomic():
            blob = documents.store_blob(checked.data, checked.content_type)
    except IntegrityError:
        # The same bytes were being stored at the same moment by another submission.
        blob = Blob.objects.get(sha256=documents.sealing.sha256_hex(checked.data))
    return IncomingAttachment(
        name=checked.name,
        content_type=checked.content_type,
        format_label=checked.format_label,
        blob=blob,
        signatures=checked.signatures,
    )


def accept(name: str, data: bytes, *, limits: Limits | None = None) -> IncomingAttachment:
    """Check one file and store it; raises ``AttachmentRefused`` with the reason."""
    return store(check_file(name, data, limits=limits))


def check_uploads(
    uploads: Sequence[UploadedFile],
    *,
    already_hashes: Sequence[str] = (),
    already_bytes: int = 0,
    limits: Limits | None = None,
) -> tuple[list[CheckedFile], list[AttachmentRefused]]:
    """Every check of the files of one submission, storing nothing: each file on its own (name,
    size, format, integrity) and beside the others and those attached before (their SHA-256 in
    ``already_hashes``, ``already_bytes`` in all): the number of files, their total size, the
    same content twice. Each file is passed or refused on its own, in order. A detached CAdES
    signature is checked against the file it signs when that comes in the same submission or
    was attached before."""
    limits = limits or Limits.from_settings()
    checked: list[CheckedFile] = []
    refused: list[AttachmentRefused] = []
    seen = set(already_hashes)
    total = already_bytes
    for upload in uploads:
        raw_name = upload.name or ""
        try:
            shown = display_name(raw_name)
            size = upload.size or 0
            if size > limits.max_file_bytes:  # refused before reading it into memory
                raise _too_big(shown, size, limits)
            if len(seen) + 1 > limits.max_files:
                raise AttachmentRefused(
                    _(
                        "«%(name)s» no s'ha adjuntat: es poden adjuntar com a màxim %(max)d "
                        "documents a cada presentació."
                    )
                    % {"name": shown, "max": limits.max_files},
                    name=shown,
                    rule="file_count",
                )
            if total + size > limits.max_entry_bytes:
                raise AttachmentRefused(
                    _(
                        "«%(name)s» no s'ha adjuntat: amb aquest document els adjunts sumarien "
                        "%(total)s, i el límit és de %(limit)s per presentació."
                    )
                    % {
                        "name": shown,
                        "total": filesizeformat(total + size),
                        "limit": filesizeformat(limits.max_entry_bytes),
                    },
                    name=shown,
                    rule="entry_size",
                )
            passed = check_file(raw_name, b"".join(upload.chunks()), limits=limits)
            digest = documents.sealing.sha256_hex(passed.data)
            if digest in seen:
                raise AttachmentRefused(
                    _("«%(name)s» ja està adjuntat (hi ha un document amb el mateix contingut).")
                    % {"name": shown},
                    name=shown,
                    rule="duplicate",
                )
        except AttachmentRefused as refusal:
            refused.append(refusal)
            continue
        checked.append(passed)
        seen.add(digest)
        total += len(passed.data)
    for index, item in enumerate(checked):
        if any(row.get("reason") == "content_not_attached" for row in item.signatures):
            others = [other.data for position, other in enumerate(checked) if position != index]
            others += _attached_before(item.data, already_hashes)
            rows = signatures(item.data, item.format_label, contents=others)
            checked[index] = replace(item, signatures=rows)
    return checked, refused


def accept_uploads(
    uploads: Sequence[UploadedFile],
    *,
    already_hashes: Sequence[str] = (),
    already_bytes: int = 0,
    limits: Limits | None = None,
) -> tuple[list[IncomingAttachment], list[AttachmentRefused]]:
    """Check the files of one submission (``check_uploads``) and store those that pass: they are
    kept even when another is refused, so the person only sends that one again."""
    checked, refused = check_uploads(
        uploads, already_hashes=already_hashes, already_bytes=already_bytes, limits=limits
    )
    return [store(item) for item in checked], refused


def _attached_before(detached: bytes, already_hashes: Sequence[str]) -> list[bytes]:
    """The files attached in an earlier step that a detached signature signed (by SHA-256)."""
    wanted = {
        digest.hex()
        for algorithm, digest in signature_checks.signed_digest(detached)
        if algorithm == "sha256"
    } & set(already_hashes)
    return [blob.read() for blob in Blob.objects.filter(sha256__in=wanted)]
