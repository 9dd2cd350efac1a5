"""Citizens' signatures (art. 10, 33.f): judged against the accepted citizen issuers
(``CITIZEN_TRUST_FILE``), with revocation asked only at the issuer's configured OCSP responder or
CRL, and three outcomes: valid, invalid (with why), not checked (with why).

Every signed file here is real: PAdES made with pyHanko, CAdES with pyHanko's CMS signer, XAdES
and XML-DSig with signxml, each with a development citizen's key. ``pdfsig`` (poppler) and
xmlsec1 give an independent verdict on the same bytes.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper

from devtools.pki import CitizenPki
from devtools.servers import DevServicesServer
from documents import sealing, signatures
from tests.support.files import make_pdf
from tests.support.signing import (
    citizen_signer,
    sign_cades,
    sign_pdf,
    sign_xades,
    sign_xmldsig,
)

pytestmark = pytest.mark.django_db


def only(found: list[signatures.SignatureCheck]) -> signatures.SignatureCheck:
    assert len(found) == 1, found
    return found[0]


# --- PAdES ----------------------------------------------------------------------------------------


def test_a_pdf_signed_by_an_accepted_citizen_certificate_is_valid(
    citizen_pki: CitizenPki, citizen_trust: Path, responders: DevServicesServer
) -> None:
    signed = sign_pdf(make_pdf(), citizen_signer(citizen_pki, "fnmt-natural"))
    check = only(signatures.check_pdf(signed))
    assert (check.status, check.reason) == ("valid", "")
    assert "GARCIA FERRER MARIA" in check.signer
    assert check.signed_at is not None
    # Revocation was asked where the trust file says, not at the address in the certificate.
    assert responders.ocsp_requests == {"fnmt-usuarios": 1}


def test_a_signature_timestamp_from_a_known_tsa_gives_the_signing_time(
    citizen_pki: CitizenPki, citizen_trust: Path, tsa_url: str
) -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(make_pdf()))
    signed = signers.sign_pdf(
        writer,
        signers.PdfSignatureMetadata(field_name="Signatura"),
        signer=citizen_signer(citizen_pki, "fnmt-natural"),
        timestamper=RequestsHTTPTimeStamper(tsa_url),
    ).getvalue()
    check = only(signatures.check_pdf(signed))
    assert (check.status, check.time_source) == ("valid", "timestamp")
    assert check.as_row()["signed_at_source"] == "timestamp"


def test_pdfsig_agrees_that_the_citizen_signature_is_intact(
    citizen_pki: CitizenPki, citizen_trust: Path, tmp_path: Path
) -> None:
    if shutil.which("pdfsig") is None:
        pytest.skip("poppler's pdfsig is not installed")
    signed = sign_pdf(make_pdf(), citizen_signer(citizen_pki, "fnmt-natural"))
    path = tmp_path / "signat.pdf"
    path.write_bytes(signed)
    report = subprocess.run(
        ["pdfsig", "-nocert", str(path)], capture_output=True, text=True, check=False
    ).stdout
    assert "Signature is Valid" in report
    assert only(signatures.check_pdf(signed)).status == "valid"


def test_a_pdf_changed_after_the_citizen_signed_it_is_invalid(
    citizen_pki: CitizenPki, citizen_trust: Path, tmp_path: Path
) -> None:
    signed = sign_pdf(make_pdf("Import: 100 euros"), citizen_signer(citizen_pki, "fnmt-natural"))
    tampered = signed.replace(b"Import: 100 euros", b"Import: 900 euros")
    assert tampered != signed
    check = only(signatures.check_pdf(tampered))
    assert (check.status, check.reason) == ("invalid", "modified")
    if shutil.which("pdfsig"):
        path = tmp_path / "modificat.pdf"
        path.write_bytes(tampered)
        report = subprocess.run(
            ["pdfsig", "-nocert", str(path)], capture_output=True, text=True, check=False
        ).stdout
        assert "Signature is Valid" not in report


def test_a_pdf_signed_with_a_revoked_certificate_is_invalid(
    citizen_pki: CitizenPki, citizen_trust: Path
) -> None:
    signed = sign_pdf(make_pdf(), citizen_signer(citizen_pki, "revoked"))
    check = only(signatures.check_pdf(signed))
    assert (check.status, check.reason) == ("invalid", "revoked")


def test_a_revoked_certificate_is_found_in_the_crl_when_ocsp_is_down(
    citizen_pki: CitizenPki, citizen_trust: Path, responders: DevServicesServer
) -> None:
    responders.ocsp_failing = True
    signed = sign_pdf(make_pdf(), citizen_signer(citizen_pki, "revoked"))
    check = only(signatures.check_pdf(signed))
    assert (check.status, check.reason) == ("invalid", "revoked")
    assert responders.crl_requests == {"fnmt-usuarios": 1}


@pytest.mark.parametrize("citizen", ["untrusted", "self-signed"])
def test_a_certificate_from_an_issuer_not_accepted_is_not_checked(
    citizen_pki: CitizenPki, citizen_trust: Path, responders: DevServicesServer, citizen: str
) -> None:
    signed = sign_pdf(make_pdf(), citizen_signer(citizen_pki, citizen))
    check = only(signatures.check_pdf(signed))
    assert (check.status, check.reason) == ("unchecked", "issuer_not_accepted")
    assert "emissor no acceptat" in signatures.describe(check.as_row())
    assert responders.ocsp_requests == {} and responders.crl_requests == {}


def test_the_town_halls_own_seal_is_not_a_citizen_issuer(citizen_trust: Path) -> None:
    sealed = sealing.seal_pdf(make_pdf(), reason="Prova", location="Sant Llorenç")
    check = only(signatures.check_pdf(sealed))
    assert (check.status, check.reason) == ("unchecked", "issuer_not_accepted")


def test_without_any_revocation_answer_the_signature_is_not_checked(
    citizen_pki: CitizenPki, citizen_trust: Path, responders: DevServicesServer
) -> None:
    responders.ocsp_failing = True
    responders.crl_failing = True
    signed = sign_pdf(make_pdf(), citizen_signer(citizen_pki, "fnmt-natural"))
    check = only(signatures.check_pdf(signed))
    assert (check.status, check.reason) == ("unchecked", "revocation_unavailable")
    assert "no s'ha pogut comprovar la revocació" in signatures.describe(check.as_row())


def test_a_tampered_pdf_is_invalid_even_when_revocation_cannot_be_asked(
    citizen_pki: CitizenPki, citizen_trust: Path, responders: DevServicesServer
) -> None:
    responders.ocsp_failing = True
    responders.crl_failing = True
    signed = sign_pdf(make_pdf("Import: 100 euros"), citizen_signer(citizen_pki, "fnmt-natural"))
    tampered = signed.replace(b"Import: 100 euros", b"Import: 900 euros")
    assert only(signatures.check_pdf(tampered)).status == "invalid"


def test_an_expired_certificate_without_a_timestamp_is_invalid_at_its_claimed_time(
    citizen_pki: CitizenPki, citizen_trust: Path
) -> None:
    # pyHanko writes the signing time as now, after the certificate expired.
    signed = sign_pdf(make_pdf(), citizen_signer(citizen_pki, "expired"))
    check = only(signatures.check_pdf(signed))
    assert (check.status, check.reason) == ("invalid", "expired")


# --- CAdES ----------------------------------------------------------------------------------------


def test_an_attached_cades_signature_by_a_citizen_is_valid(
    citizen_pki: CitizenPki, citizen_trust: Path
) -> None:
    signed = sign_cades(b"Sol.licitud de llicencia de gual", citizen_signer(citizen_pki, "dnie"))
    check = only(signatures.check_cms(signed))
    assert (check.status, check.reason) == ("valid", "")
    assert "PONS MARTI" in check.signer


def test_a_cades_signature_whose_content_changed_is_invalid(
    citizen_pki: CitizenPki, citizen_trust: Path
) -> None:
    content = b"Sol.licitud de llicencia de gual, import 100 euros"
    signed = sign_cades(content, citizen_signer(citizen_pki, "fnmt-natural"))
    tampered = signed.replace(b"import 100 euros", b"import 900 euros")
    assert tampered != signed
    check = only(signatures.check_cms(tampered))
    assert (check.status, check.reason) == ("invalid", "modified")


def test_openssl_agrees_that_the_cades_signature_is_intact(
    citizen_pki: CitizenPki, citizen_trust: Path, tmp_path: Path
) -> None:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    content = b"Sol.licitud de llicencia de gual"
    signed = sign_cades(content, citizen_signer(citizen_pki, "fnmt-natural"))
    (tmp_path / "s.p7m").write_bytes(signed)
    verified = subprocess.run(
        ["openssl", "cms", "-verify", "-noverify", "-inform", "DER", "-in", "s.p7m"],
        cwd=tmp_path,
        capture_output=True,
        check=False,
    )
    assert verified.returncode == 0 and verified.stdout == content
    assert only(signatures.check_cms(signed)).status == "valid"


def test_a_detached_cades_signature_is_checked_against_the_content_given(
    citizen_pki: CitizenPki, citizen_trust: Path
) -> None:
    content = make_pdf("Projecte de gual")
    signed = sign_cades(content, citizen_signer(citizen_pki, "fnmt-natural"), detached=True)
    assert only(signatures.check_cms(signed, contents=[content])).status == "valid"
    alone = only(signatures.check_cms(signed))
    assert (alone.status, alone.reason) == ("unchecked", "content_not_attached")
    other = only(signatures.check_cms(signed, contents=[make_pdf("Un altre document")]))
    assert (other.status, other.reason) == ("unchecked", "content_not_attached")


def test_a_cades_signature_by_a_revoked_certificate_is_invalid(
    citizen_pki: CitizenPki, citizen_trust: Path
) -> None:
    signed = sign_cades(b"Sol.licitud", citizen_signer(citizen_pki, "revoked"))
    check = only(signatures.check_cms(signed))
    assert (check.status, check.reason) == ("invalid", "revoked")


# --- XAdES and XML-DSig ---------------------------------------------------------------------------


def test_an_enveloped_xades_signature_by_a_citizen_is_valid_without_its_properties_checked(
    citizen_pki: CitizenPki, citizen_trust: Path
) -> None:
    signed = sign_xades(citizen_pki, "fnmt-natural")
    check = only(signatures.check_xml(signed))
    assert (check.status, check.reason) == ("valid", "xades_properties_not_checked")
    assert "GARCIA FERRER MARIA" in check.signer
    assert "XAdES" in signatures.describe(check.as_row())


def test_an_enveloped_xml_dsig_signature_by_a_citizen_is_valid(
    citizen_pki: CitizenPki, citizen_trust: Path
) -> None:
    check = only(signatures.check_xml(sign_xmldsig(citizen_pki, "dnie")))
    assert (check.status, check.reason) == ("valid", "")


def test_xmlsec_agrees_that_the_xml_signature_is_intact(
    citizen_pki: CitizenPki, citizen_trust: Path, tmp_path: Path
) -> None:
    if shutil.which("xmlsec1") is None:
        pytest.skip("xmlsec1 is not installed")
    signed = sign_xmldsig(citizen_pki, "fnmt-natural")
    path = tmp_path / "signat.xml"
    path.write_bytes(signed)
    verified = subprocess.run(
        ["xmlsec1", "--verify", "--insecure", str(path)], capture_output=True, check=False
    )
    assert verified.returncode == 0, verified.stderr
    assert only(signatures.check_xml(signed)).status == "valid"


@pytest.mark.parametrize("sign", [sign_xades, sign_xmldsig])
def test_an_xml_signature_whose_content_changed_is_invalid(
    citizen_pki: CitizenPki, citizen_trust: Path, sign: object
) -> None:
    signed = sign(citizen_pki, "fnmt-natural")  # type: ignore[operator]
    tampered = signed.replace(b"100.00", b"900.00")
    assert tampered != signed
    check = only(signatures.check_xml(tampered))
    assert (check.status, check.reason) == ("invalid", "modified")


def test_an_xml_signature_by_an_issuer_not_accepted_is_not_checked(
    citizen_pki: CitizenPki, citizen_trust: Path
) -> None:
    check = only(signatures.check_xml(sign_xades(citizen_pki, "untrusted")))
    assert (check.status, check.reason) == ("unchecked", "issuer_not_accepted")


# --- What a row says ------------------------------------------------------------------------------


def test_rows_stored_before_the_three_outcomes_are_still_described() -> None:
    assert signatures.describe({"signer": "X", "valid": True}) == "Signat per X: signatura vàlida"
    assert "NO vàlida" in signatures.describe({"signer": "X", "valid": False})


def test_a_row_keeps_the_old_keys_beside_status_and_reason(
    citizen_pki: CitizenPki, citizen_trust: Path
) -> None:
    signed = sign_pdf(make_pdf(), citizen_signer(citizen_pki, "fnmt-natural"))
    row = only(signatures.check_pdf(signed)).as_row()
    assert row["valid"] is True and row["status"] == "valid" and row["reason"] == ""
    assert {"signer", "intact", "trusted", "signed_at"} <= set(row)
