"""Whether stored bytes are the document they are served as (art. 10, 30.1): what a file tells of
the CSV it belongs to. Pure functions over bytes; ``documents.services`` reads the bytes, compares
their SHA-256 with the stored one, and records what fails.

The seal names the document's verification address (``/verificar/<csv>/``) in its signature
dictionary's /ContactInfo: it is covered by the seal, so it cannot be changed without breaking
it, and reading it costs nothing once the signatures are read. Documents sealed before the seal
carried it are checked by the CSV printed on their first page (every page prints it), read with
pypdf: slower (some 10 ms a page), so it is only the fallback.
"""

from __future__ import annotations

import logging
from io import BytesIO
from urllib.parse import urlsplit

from documents import verification_code

logger = logging.getLogger(__name__)

VERIFICATION_PATH = "/verificar/"


def code_in_address(address: str) -> str | None:
    """The CSV of a verification address (``…/verificar/<csv>/``), or None if it is none. The
    host is not compared: the portal's address may change; the path names the document."""
    path = urlsplit(address).path
    if VERIFICATION_PATH not in path:
        return None
    code = path.rsplit(VERIFICATION_PATH, 1)[1].strip("/")
    return code or None


def sealed_address(pdf: bytes) -> str:
    """The /ContactInfo of the town hall's seal in ``pdf`` (the signature, not a document
    timestamp, that names a verification address; else the first): empty if there is none or the
    file cannot be read."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        addresses = [
            str(signature.sig_object.get("/ContactInfo", ""))
            for signature in reader.embedded_signatures
            if signature.sig_object_type != "/DocTimeStamp"
        ]
        # The seal is the signature that names a verification address (an uploaded act may
        # carry its author's signatures before it); else the first.
        return next((found for found in addresses if code_in_address(found)), "") or (
            addresses[0] if addresses else ""
        )
    except Exception:
        logger.warning("integrity: could not read the signatures of a stored PDF", exc_info=True)
    return ""


def prints_code(pdf: bytes, csv: str) -> bool:
    """``csv`` is printed on the first page of ``pdf`` (as shown, in groups of four)."""
    from pypdf import PdfReader

    try:
        text = PdfReader(BytesIO(pdf), strict=False).pages[0].extract_text()
    except Exception:
        logger.warning("integrity: could not read the text of a stored PDF", exc_info=True)
        return False
    return verification_code.display(csv) in text


def carries_code(pdf: bytes, csv: str, *, sealed: str | None = None) -> bool:
    """``pdf`` is the document whose CSV is ``csv``: its seal names that CSV's verification
    address or, for a seal that names none, its first page prints it. ``sealed`` is the seal's
    /ContactInfo when the caller has already read it (``trust.validate_pdf``)."""
    address = sealed_address(pdf) if sealed is None else sealed
    if address:
        return code_in_address(address) == csv
    return prints_code(pdf, csv)
