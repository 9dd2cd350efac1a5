"""Signed files a citizen attaches to a registry entry (art. 10, 33.f): each signature is judged
against the accepted citizen issuers, with revocation, and the review page and the sealed receipt
say valid, not valid (and why) or not checked (and why).

The files are signed with the development citizens' keys (tests/documents/test_signatures.py makes
them); the receipt is read back with poppler as a person would read it.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from devtools.pki import CitizenPki
from devtools.servers import DevServicesServer
from registre import attachments
from registre.attachments import Limits
from registre.models import RegistryEntry
from seu.models import Organ
from tests.support.files import make_pdf
from tests.support.filing import (
    CONFIRM_URL,
    FILE_URL,
    REVIEW_URL,
    draft_of,
    fill,
    log_in,
    page_text,
)
from tests.support.signing import citizen_signer, sign_cades, sign_pdf, sign_xades

pytestmark = pytest.mark.django_db

LIMITS = Limits(max_file_bytes=10 * 1024 * 1024, max_entry_bytes=25 * 1024 * 1024, max_files=10)
MARIA = "GARCIA FERRER MARIA - 12345678Z"


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def receipt_text(entry: RegistryEntry, tmp_path: Path) -> str:
    assert entry.receipt is not None
    path = tmp_path / "receipt.pdf"
    path.write_bytes(entry.receipt.current_version().blob.read())
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    joined = re.sub(r"\s+", " ", text)
    # pdftotext joins a cell's lines and drops a hyphen that ends one: the signer reads "MARIA".
    return joined.replace(MARIA, "MARIA").replace(MARIA.replace(" -", ""), "MARIA")


def file_with(client: Client, organ: Organ, name: str, data: bytes) -> tuple[str, RegistryEntry]:
    """Attach through the form, read the review page, confirm; the review text and the entry."""
    response = client.post(FILE_URL, {**fill(organ), "attachments": [upload(name, data)]})
    assert response.status_code == 302 and response["Location"] == REVIEW_URL, page_text(response)
    review = re.sub(r"\s+", " ", page_text(client.get(REVIEW_URL)))
    response = client.post(CONFIRM_URL, {"draft": str(draft_of(client).public_id)})
    assert response.status_code == 302
    return review, RegistryEntry.objects.get()


# --- Through the form, to the sealed receipt ------------------------------------------------------


def test_a_pdf_a_citizen_signed_is_valid_on_the_review_page_and_the_sealed_receipt(
    client: Client, town_hall, organ, citizen_pki: CitizenPki, citizen_trust: Path, tmp_path
) -> None:
    log_in(client)
    signed = sign_pdf(make_pdf("Sol·licitud signada"), citizen_signer(citizen_pki, "fnmt-natural"))
    review, entry = file_with(client, organ, "signada.pdf", signed)
    assert f"Signat per {MARIA}: signatura vàlida" in review
    [attachment] = entry.attachments.all()
    [row] = attachment.signatures
    assert (row["status"], row["reason"], row["valid"]) == ("valid", "", True)
    assert "Signat per MARIA: signatura vàlida" in receipt_text(entry, tmp_path)


def test_a_pdf_signed_with_a_revoked_certificate_says_why_it_is_not_valid(
    client: Client, town_hall, organ, citizen_pki: CitizenPki, citizen_trust: Path, tmp_path
) -> None:
    log_in(client)
    signed = sign_pdf(make_pdf(), citizen_signer(citizen_pki, "revoked"))
    review, entry = file_with(client, organ, "revocada.pdf", signed)
    [row] = entry.attachments.get().signatures
    assert (row["status"], row["reason"], row["valid"]) == ("invalid", "revoked", False)
    expected = "signatura NO vàlida (el certificat estava revocat quan es va signar)"
    assert expected in review
    assert expected in receipt_text(entry, tmp_path)


def test_a_signature_by_an_issuer_not_accepted_is_printed_as_not_checked(
    client: Client, town_hall, organ, citizen_pki: CitizenPki, citizen_trust: Path, tmp_path
) -> None:
    log_in(client)
    signed = sign_pdf(make_pdf(), citizen_signer(citizen_pki, "untrusted"))
    review, entry = file_with(client, organ, "desconeguda.pdf", signed)
    [row] = entry.attachments.get().signatures
    assert (row["status"], row["reason"], row["valid"]) == (
        "unchecked",
        "issuer_not_accepted",
        False,
    )
    expected = "signatura no comprovada (emissor no acceptat)"
    assert expected in review
    text = receipt_text(entry, tmp_path)
    assert expected in text and "NO vàlida" not in text


def test_when_no_revocation_service_answers_the_signature_is_printed_as_not_checked(
    client: Client,
    town_hall,
    organ,
    citizen_pki: CitizenPki,
    citizen_trust: Path,
    responders: DevServicesServer,
    tmp_path,
) -> None:
    log_in(client)
    responders.ocsp_failing = True
    responders.crl_failing = True
    signed = sign_pdf(make_pdf(), citizen_signer(citizen_pki, "fnmt-natural"))
    review, entry = file_with(client, organ, "signada.pdf", signed)
    expected = "signatura no comprovada (no s'ha pogut comprovar la revocació)"
    assert expected in review
    assert expected in receipt_text(entry, tmp_path)


# --- Signed files of other formats ----------------------------------------------------------------


def test_an_attached_cades_and_an_xades_file_are_verified(
    citizen_pki: CitizenPki, citizen_trust: Path
) -> None:
    cades = sign_cades(b"Sol.licitud de gual", citizen_signer(citizen_pki, "fnmt-natural"))
    xades = sign_xades(citizen_pki, "fnmt-natural")
    accepted, refused = attachments.accept_uploads(
        [upload("sollicitud.csig", cades), upload("sollicitud.xsig", xades)], limits=LIMITS
    )
    assert refused == []
    assert [a.format_label for a in accepted] == ["CAdES", "XAdES"]
    assert [[s["status"] for s in a.signatures] for a in accepted] == [["valid"], ["valid"]]
    assert accepted[1].signatures[0]["reason"] == "xades_properties_not_checked"


def test_a_detached_cades_signature_is_verified_when_its_file_comes_in_the_same_submission(
    citizen_pki: CitizenPki, citizen_trust: Path
) -> None:
    content = make_pdf("Projecte tècnic")
    detached = sign_cades(content, citizen_signer(citizen_pki, "dnie"), detached=True)
    accepted, refused = attachments.accept_uploads(
        [upload("projecte.pdf", content), upload("projecte.pdf.csig", detached)], limits=LIMITS
    )
    assert refused == []
    assert accepted[1].signatures[0]["status"] == "valid"

    alone, _ = attachments.accept_uploads([upload("projecte.pdf.csig", detached)], limits=LIMITS)
    assert (alone[0].signatures[0]["status"], alone[0].signatures[0]["reason"]) == (
        "unchecked",
        "content_not_attached",
    )


def test_a_cades_file_whose_content_changed_is_reported_not_valid(
    citizen_pki: CitizenPki, citizen_trust: Path
) -> None:
    cades = sign_cades(b"Import: 100 euros", citizen_signer(citizen_pki, "fnmt-natural"))
    tampered = cades.replace(b"Import: 100 euros", b"Import: 900 euros")
    stored = attachments.accept("sollicitud.p7m", tampered, limits=LIMITS)
    assert [(s["status"], s["reason"]) for s in stored.signatures] == [("invalid", "modified")]
