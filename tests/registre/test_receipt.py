"""The receipt as printed (art. 33.f): a fixed-layout sheet (documents.sheets) drawn by ReportLab,
read back with poppler and a QR reader as a person or another program would."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from documents import rendering
from documents import services as documents
from registre import services
from registre.models import RegistryEntry
from seu.identity import PersonData
from tests.registre.conftest import local

pytestmark = pytest.mark.django_db

MONDAY = local(2026, 11, 23, 10, 15, 30)


def _pages(entry: RegistryEntry, tmp_path: Path) -> list[str]:
    assert entry.receipt is not None
    path = tmp_path / "receipt.pdf"
    path.write_bytes(entry.receipt.current_version().blob.read())
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")[:-1]


def test_what_the_person_typed_is_printed_as_typed_not_as_markup(file_entry, tmp_path):
    entry = file_entry(
        MONDAY,
        subject='<b>Gual</b> & <font size="40">taller</font>',
        exposition="Primera línia\nSegona línia: l·l, ñ, ç, à, €",
    )
    (page,) = _pages(entry, tmp_path)
    assert '<b>Gual</b> & <font size="40">taller</font>' in page
    assert "Primera línia" in page and "Segona línia: l·l, ñ, ç, à, €" in page


def test_a_long_request_flows_onto_further_pages_each_with_the_csv_and_its_number(
    file_entry, tmp_path
) -> None:
    paragraph = "Paràgraf llarg de l'exposició dels fets. "
    # Each text within the registry's limit (``registre.inputs.TEXT_MAX_LENGTH``).
    entry = file_entry(MONDAY, exposition=paragraph * 125, request=paragraph * 125)
    pages = _pages(entry, tmp_path)
    assert len(pages) >= 3
    assert entry.receipt is not None
    for number, page in enumerate(pages, start=1):
        assert entry.receipt.csv_display in page, f"page {number} lacks the CSV"
        assert "/verificar/" in page
        assert re.search(rf"\b{number} ?/ ?{len(pages)}\b", page), f"page {number} unnumbered"
    assert "33.f" in pages[-1]  # the closing legal text, after the whole request


def test_a_receipt_over_the_page_cap_registers_nothing(file_entry, settings) -> None:
    settings.PDF_RENDER_MAX_PAGES = 1
    with pytest.raises(rendering.RenderError):
        file_entry(MONDAY, exposition="Paràgraf llarg de l'exposició dels fets. " * 240)
    assert not RegistryEntry.objects.exists()


def test_attachments_are_listed_with_size_type_hash_and_signatures(file_entry, tmp_path):
    blob = documents.store_blob(b"%PDF-1.7 annex", "application/pdf")
    attachment = services.IncomingAttachment(
        name="plànol & alçat.pdf",
        content_type="application/pdf",
        format_label="PDF",
        blob=blob,
        signatures=[{"signer": "JOAN PONS", "valid": True}, {"signer": "", "valid": False}],
    )
    (page,) = _pages(file_entry(MONDAY, attachments=[attachment]), tmp_path)
    assert "plànol & alçat.pdf" in page
    assert f"{blob.size} B" in page
    assert blob.sha256[:32] in page and blob.sha256[32:] in page
    assert "Signat per JOAN PONS: signatura vàlida" in page
    assert "Signat per ?: signatura NO vàlida" in page


def test_the_receipt_in_spanish(file_entry, tmp_path) -> None:
    representative = PersonData(nif="B12345674", legal_name="Obres Pons SL")
    entry = file_entry(MONDAY, language="es", representative=representative)
    (page,) = _pages(entry, tmp_path)
    for expected in ("Justificante de presentación", "Número de registro", "33.f"):
        assert expected in page, expected
    assert "Obres Pons SL — B12345674" in page and "Maria Garcia Ferrer — 12345678Z" in page


def test_the_printed_qr_code_reads_as_the_receipts_verification_address(
    file_entry, tmp_path
) -> None:
    import zxingcpp
    from PIL import Image

    entry = file_entry(MONDAY)
    assert entry.receipt is not None
    path = tmp_path / "receipt.pdf"
    path.write_bytes(entry.receipt.current_version().blob.read())
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", str(path), str(tmp_path / "page")],
        check=True,
    )
    found = zxingcpp.read_barcodes(Image.open(tmp_path / "page.png"))
    url = documents.verification_url(entry.receipt.csv)
    assert [(code.format.name, code.text) for code in found] == [("QRCode", url)]


def test_nothing_is_rendered_under_the_books_lock(file_entry, monkeypatch) -> None:
    # The layout is the costly part of a receipt: done before the number is taken.
    calls: list[str] = []
    render = documents.render_sheet

    def watched(**kwargs: object) -> documents.RenderedDocument:
        calls.append("rendered")
        return render(**kwargs)  # type: ignore[arg-type]

    taken: list[int] = []
    take = services._take_number
    monkeypatch.setattr(documents, "render_sheet", watched)

    def take_number(direction: str, year: int) -> int:
        taken.append(len(calls))
        return take(direction, year)

    monkeypatch.setattr(services, "_take_number", take_number)
    file_entry(MONDAY)
    assert calls and taken == [1]  # rendered once, before the number
