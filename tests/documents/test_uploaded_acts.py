"""An act an organ uploads to notify it is sealed as a town hall document with its own CSV (issue 14
item 2): checked like every upload, its bytes kept, the CSV printed at the foot of its first page
when it is not signed, and the signatures it already carries still valid when it is; verifiable by
its CSV either way."""

from __future__ import annotations

import pytest

from documents import services
from documents.intake import RefusedFile
from documents.models import Document
from tests.support.files import encrypted_pdf, make_pdf
from tests.support.signing import citizen_signer, sign_pdf

pytestmark = pytest.mark.django_db


def test_an_unsigned_act_gets_its_csv_printed_and_verifies(town_hall, organ) -> None:
    document = services.seal_uploaded_pdf(
        data=make_pdf("Resolució d'alcaldia 12/2026"),
        name="resolucio.pdf",
        title="Resolució d'alcaldia 12/2026",
        organ=organ,
    )
    assert document.kind == Document.Kind.ACT
    data = services.checked_bytes(document=document)  # the CSV is on it
    report = services.verification_report(document)
    assert report.seal is not None and report.seal.ok
    assert report.unchanged_since_sealing
    assert b"Resolu" in data or data.startswith(b"%PDF-")


def test_a_signed_act_keeps_its_signature_valid_and_the_seal_binds_the_csv(
    town_hall, organ, citizen_pki
) -> None:
    signed = sign_pdf(make_pdf("Resolució signada"), citizen_signer(citizen_pki, "fnmt-natural"))
    document = services.seal_uploaded_pdf(
        data=signed, name="signada.pdf", title="Resolució signada", organ=organ
    )
    report = services.verification_report(document)
    assert not report.integrity_failure
    assert report.seal is not None and f"/verificar/{document.csv}" in report.seal.contact_info
    non_timestamps = [s for s in report.signatures if not s.is_timestamp]
    assert len(non_timestamps) == 2
    assert all(s.intact and s.valid for s in non_timestamps)
    assert report.unchanged_since_sealing


def test_a_forged_upload_is_refused_and_nothing_recorded(town_hall, organ) -> None:
    before = Document.objects.count()
    for data in (b"<html>no</html>", encrypted_pdf(make_pdf(), password="x")):
        with pytest.raises(RefusedFile):
            services.seal_uploaded_pdf(data=data, name="x.pdf", title="x", organ=organ)
    assert Document.objects.count() == before
