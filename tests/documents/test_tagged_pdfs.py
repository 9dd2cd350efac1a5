"""Documents a person can read with assistive technology (RD 1112/2018, WCAG 2.2 AA; issue 13
item 14): every document laid out by WeasyPrint is a tagged PDF (PDF/UA-1) that declares the
language it is written in, and the town hall's seal, an incremental update, keeps the tags and stays
valid. The registry receipt, drawn by ReportLab, is not tagged: its accessible version is the
entry's page, which says the same (registre/templates/registre/entry.html)."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from documents import services
from documents.models import Document
from registre.receipt import receipt_sheet
from tauler import services as tauler
from tests.conftest import pdfsig
from tests.registre.conftest import file_entry  # noqa: F401  (the registry's fixture)
from tests.support.filing import log_in, page_text
from tests.tauler.conftest import approver, clerk, make_edict, pdf_bytes  # noqa: F401

pytestmark = pytest.mark.django_db


def pdfinfo(pdf: bytes, tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    output = subprocess.run(
        ["pdfinfo", str(path)], capture_output=True, text=True, check=True
    ).stdout
    return dict(re.findall(r"^([^:]+):\s*(.*)$", output, flags=re.MULTILINE))


def catalogue(pdf: bytes) -> Any:
    return PdfFileReader(io.BytesIO(pdf)).root


def structure_text(pdf: bytes, tmp_path: Path) -> str:
    """The text as a screen reader meets it: through the structure tree (poppler)."""
    path = tmp_path / "structure.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdfinfo", "-struct-text", str(path)], capture_output=True, text=True, check=True
    ).stdout


def sealed_bytes(document: Document) -> bytes:
    return document.current_version().blob.read()


def assert_tagged_in(pdf: bytes, language: str, tmp_path: Path) -> None:
    info = pdfinfo(pdf, tmp_path)
    assert info["Tagged"] == "yes", info
    root = catalogue(pdf)
    assert str(root["/Lang"]) == language
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"]
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]


def test_a_document_verifiable_by_its_csv_is_tagged_and_its_seal_stays_valid(
    town_hall: object, nss_db: str, tmp_path: Path
) -> None:
    document = services.issue_document(
        kind=Document.Kind.TEST,
        title="Document de prova",
        template_name="documents/pdf/test_document.html",
        context={"text": "Comprovació de la cadena d'emissió"},
    )
    pdf = sealed_bytes(document)

    assert_tagged_in(pdf, "ca", tmp_path)
    # The footer is a page artifact in the tags: the CSV is in the document's properties too.
    assert document.csv_display in pdfinfo(pdf, tmp_path)["Subject"]
    # The structure tree holds the title and the table as a reader announces them.
    tree = structure_text(pdf, tmp_path)
    assert "H1" in tree
    assert "Document de prova" in tree
    assert "Comprovació de la cadena d'emissió" in tree
    # The seal is an incremental update on top of the tagged file: still valid and trusted.
    checked = pdfsig(pdf, nss_db, tmp_path)
    assert "Signature is Valid." in checked, checked
    assert "Certificate is Trusted." in checked, checked


def test_a_document_issued_in_spanish_says_it_is_in_spanish(
    town_hall: object, tmp_path: Path
) -> None:
    document = services.issue_document(
        kind=Document.Kind.TEST,
        title="Documento de prueba",
        template_name="documents/pdf/test_document.html",
        context={"text": "Texto"},
        language="es",
    )
    assert_tagged_in(sealed_bytes(document), "es", tmp_path)


def test_the_exposure_certificate_of_an_edict_is_tagged(
    make_edict,  # noqa: F811
    approver,  # noqa: F811
    nss_db: str,
    tmp_path: Path,
) -> None:
    edict = make_edict(period_kind="calendar_days", period_days=1)
    tauler.publish_edict(edict_id=edict.pk, acting_user=approver)
    edict.refresh_from_db()
    assert tauler.expire_due_edicts(now=edict.exposure_ends_at) == 1
    edict.refresh_from_db()
    assert edict.certificate is not None
    pdf = sealed_bytes(edict.certificate)

    assert_tagged_in(pdf, "ca", tmp_path)
    assert "Documents exposats" in structure_text(pdf, tmp_path)
    assert "Signature is Valid." in pdfsig(pdf, nss_db, tmp_path)
    # The sealed edict itself, a WeasyPrint document too.
    assert_tagged_in(sealed_bytes(edict.sealed_document), "ca", tmp_path)


def test_the_receipt_declares_its_language_and_its_page_says_all_it_says(
    file_entry,  # noqa: F811
    client,
    tmp_path: Path,
) -> None:
    """The receipt (ReportLab) is not tagged; the entry's page is its accessible version: every
    label and value the receipt prints is on the page, in HTML."""
    log_in(client)
    entry = file_entry()
    assert entry.receipt is not None
    assert str(catalogue(sealed_bytes(entry.receipt))["/Lang"]) == "ca"

    html = page_text(client.get(f"/carpeta/registre/{entry.pk}/"))
    sheet = receipt_sheet(entry, list(entry.attachments.all()), language="ca")
    assert sheet.title in html
    for field in sheet.fields:
        assert field.label in html, field.label
        for line in field.value.splitlines():
            assert line.strip() in html, (field.label, line)
    assert sheet.closing in html
    assert entry.receipt.csv_display in html
