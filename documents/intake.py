"""What an uploaded PDF must be before the seu keeps it, checked in one place for every app that
takes one (the registry, art. 33.f; the notice board, art. 18.4).

A PDF is recognised by its content: the ``%PDF-`` header, an end-of-file marker (a truncated file
has lost it, the cross-reference table comes last), a parse by pyHanko's reader, a password that is
not needed to open it (the town hall could not read it otherwise), at least one page, and no active
content (``documents.pdf_content``: JavaScript, launch actions, embedded files). It also says what
the registry's receipt reports: the PDF/A part and conformance its XMP metadata declares (ISO
19005), and whether it carries signatures to check.

Every refusal is one ``RefusedFile`` whose ``code`` says which rule the file breaks and whose
message, in the reader's language, names the file.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from django.template.defaultfilters import filesizeformat
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from pyhanko.pdf_utils.crypt import AuthStatus
from pyhanko.pdf_utils.reader import PdfFileReader

from documents import pdf_content
from seu.errors import InvalidInput

PDFAID_NS = "http://www.aiim.org/pdfa/ns/id/"


class RefusedFile(InvalidInput):
    """An uploaded file the seu does not keep; ``code`` names the rule, ``name`` the file."""

    code = "refused_file"

    def __init__(self, message: str | Promise, *, name: str, code: str) -> None:
        super().__init__(message, code=code)
        self.name = name


@dataclass(frozen=True)
class CheckedPdf:
    format_label: str  # "PDF", or "PDF/A-<part><conformance>" as its metadata declares
    has_signatures: bool  # signature fields to check and report on
    pages: int


def too_large(name: str, *, size: int, limit: int) -> RefusedFile:
    return RefusedFile(
        _("«%(name)s» ocupa %(size)s i supera el límit de %(limit)s per document.")
        % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)},
        name=name,
        code="file_size",
    )


def corrupted(name: str, format_label: str) -> RefusedFile:
    return RefusedFile(
        _(
            "«%(name)s» està malmès o incomplet: no es pot llegir com a %(format)s. Tornau-lo a "
            "generar o a desar i adjuntau-lo de nou."
        )
        % {"name": name, "format": format_label},
        name=name,
        code="corrupted",
    )


def _encrypted(name: str) -> RefusedFile:
    return RefusedFile(
        _(
            "«%(name)s» està protegit amb contrasenya i l'Ajuntament no el podria obrir. "
            "Adjuntau-lo sense contrasenya."
        )
        % {"name": name},
        name=name,
        code="encrypted",
    )


def _not_pdf(name: str) -> RefusedFile:
    return RefusedFile(
        _("El document «%(name)s» no és un fitxer PDF vàlid.") % {"name": name},
        name=name,
        code="not_pdf",
    )


def pdfa_label(xmp: bytes) -> str | None:
    """ "PDF/A-<part><conformance>" when the XMP metadata declares PDF/A (ISO 19005)."""
    if not xmp or PDFAID_NS.encode() not in xmp:
        return None
    try:
        root = SafeET.fromstring(xmp, forbid_dtd=True)
    except (SafeET.ParseError, DefusedXmlException):
        return None
    values: dict[str, str] = {}
    for element in root.iter():
        for key in ("part", "conformance"):
            qualified = f"{{{PDFAID_NS}}}{key}"
            if qualified in element.attrib:
                values.setdefault(key, element.attrib[qualified].strip())
            if element.tag == qualified and element.text:
                values.setdefault(key, element.text.strip())
    part = values.get("part", "")
    if not part.isdigit():
        return None
    return f"PDF/A-{part}{values.get('conformance', '').lower()}"


def check_pdf(data: bytes, *, name: str, max_bytes: int | None) -> CheckedPdf:
    """Check the uploaded PDF ``data`` (``name`` as shown to the person) and say what it is;
    raises ``RefusedFile``. ``max_bytes`` is the caller's limit per file (``None``: the caller
    checked the size already, before reading the upload)."""
    if max_bytes is not None and len(data) > max_bytes:
        raise too_large(name, size=len(data), limit=max_bytes)
    if not data.startswith(b"%PDF-"):
        raise _not_pdf(name)
    if b"%%EOF" not in data[-2048:]:
        raise corrupted(name, "PDF")
    try:
        pdf_content.check_declared_size(data, name=name)
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        # A password only to change it (permissions) still lets anyone, and us, open the file.
        if reader.encrypted and reader.decrypt("").status == AuthStatus.FAILED:
            raise _encrypted(name)
        root = reader.root
        pages = int(root["/Pages"]["/Count"])
        if pages < 1:
            raise corrupted(name, "PDF")
        metadata = root.get("/Metadata")
        xmp = metadata.get_object().data if metadata is not None else b""
        has_signatures = bool(reader.embedded_signatures)
        pdf_content.check_active_content(root, name=name)
    except RefusedFile:
        raise
    except pdf_content.UnsafePdf as unsafe:
        raise RefusedFile(unsafe.message, name=name, code=unsafe.rule) from None
    except Exception:
        raise corrupted(name, "PDF") from None
    return CheckedPdf(
        format_label=pdfa_label(xmp) or "PDF", has_signatures=has_signatures, pages=pages
    )
