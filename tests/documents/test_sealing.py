"""The seal's CMS as an independent reader sees it: the signing-certificate-v2 attribute (PAdES)
names the seal's certificate, whichever thread sealed (the attribute is prepared once per
process, sealing.py); and the receipt's fonts are checked at start-up."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature

from devtools.pki import DevPki
from documents import sealing, sheets
from tests.support.pki import independent_context


def _sheet_pdf(text: str) -> bytes:
    footer = sheets.Footer(
        csv_label="CSV",
        csv="TEST-0000",
        verify_text="https://seu.invalid/verificar/",
        verification_url="https://seu.invalid/verificar/TEST0000/",
        sealed_by="Ajuntament",
    )
    sheet = sheets.Sheet(title=text, language="ca", fields=(sheets.Field("Camp", text),))
    return sheets.draw(sheet.with_issuer("Ajuntament", footer), max_pages=5)


def _signing_certificate_v2(pdf: bytes) -> tuple[Any, Any]:
    (signature,) = PdfFileReader(BytesIO(pdf)).embedded_signatures
    attrs = signature.signer_info["signed_attrs"]
    (attr,) = [a for a in attrs if a["type"].native == "signing_certificate_v2"]
    return signature, attr["values"][0]["certs"][0]


@pytest.mark.usefixtures("db")
def test_the_seal_names_its_certificate_in_the_signed_attributes(dev_pki: DevPki) -> None:
    seal = sealing.get_seal()
    pdf = sealing.seal_pdf(_sheet_pdf("Prova"), reason="Prova", location="Sant Llorenç")
    signature, cert_id = _signing_certificate_v2(pdf)
    der = seal.certificate.public_bytes(serialization.Encoding.DER)
    assert cert_id["hash_algorithm"]["algorithm"].native == "sha256"
    assert cert_id["cert_hash"].native == hashlib.sha256(der).digest()
    issuer_serial = cert_id["issuer_serial"]
    assert issuer_serial["serial_number"].native == seal.certificate.serial_number
    assert issuer_serial["issuer"][0].chosen.native == signature.signer_cert.issuer.native
    status = validate_pdf_signature(
        signature, signer_validation_context=independent_context(dev_pki)
    )
    assert status.intact and status.valid and status.trusted


@pytest.mark.usefixtures("db")
def test_seals_made_at_once_by_several_threads_are_each_intact(dev_pki: DevPki) -> None:
    sources = [_sheet_pdf(f"Document {n}") for n in range(8)]

    def seal(pdf: bytes) -> bytes:
        return sealing.seal_pdf(pdf, reason="Prova", location="Sant Llorenç")

    with ThreadPoolExecutor(max_workers=4) as pool:
        sealed = list(pool.map(seal, sources))
    der = sealing.get_seal().certificate.public_bytes(serialization.Encoding.DER)
    for pdf in sealed:
        signature, cert_id = _signing_certificate_v2(pdf)
        assert cert_id["cert_hash"].native == hashlib.sha256(der).digest()
        context = independent_context(dev_pki)
        status = validate_pdf_signature(signature, signer_validation_context=context)
        assert status.intact and status.valid and status.trusted


def test_missing_receipt_fonts_are_named_at_start_up(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from documents import checks

    assert checks.sheet_fonts_installed() == []
    monkeypatch.setattr(sheets, "FONT_DIRS", (tmp_path,))
    (error,) = checks.sheet_fonts_installed()
    assert error.id == "documents.E005"
    assert "DejaVuSans.ttf" in error.msg and "fonts-dejavu-core" in error.msg
