"""The document pipeline: render -> store -> seal -> timestamp, and what /verificar/ reports."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import subprocess
from http.server import BaseHTTPRequestHandler, HTTPServer
from io import BytesIO
from pathlib import Path
from threading import Thread

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature

from devtools.pki import DevPki
from documents import rendering, sealing, services, verification_code
from documents.models import Blob, Document, DocumentVersion
from tests.conftest import pdfsig
from tests.support.pki import independent_context

pytestmark = pytest.mark.django_db


def test_an_issued_document_is_sealed_intact_and_trusted_for_pyhanko(issue, dev_pki) -> None:
    document = issue()
    version = document.current_version()
    assert version.number == 1 and version.stage == DocumentVersion.Stage.SEALED
    pdf = version.blob.read()
    (signature,) = PdfFileReader(BytesIO(pdf)).embedded_signatures
    status = validate_pdf_signature(
        signature, signer_validation_context=independent_context(dev_pki)
    )
    assert status.intact and status.valid and status.trusted
    assert "SEGELL ELECTRÒNIC" in status.signing_cert.subject.human_friendly


def test_poppler_pdfsig_finds_the_seal_valid_and_trusted(issue, nss_db, tmp_path) -> None:
    output = pdfsig(issue().current_version().blob.read(), nss_db, tmp_path)
    assert "Signature is Valid." in output
    assert "Certificate is Trusted." in output


def test_the_csv_is_printed_on_every_page(issue, tmp_path: Path) -> None:
    document = issue(context={"text": "Paràgraf llarg del document. " * 900})
    path = tmp_path / "d.pdf"
    path.write_bytes(document.current_version().blob.read())
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    pages = int(
        next(line.split()[-1] for line in info.stdout.splitlines() if line.startswith("Pages:"))
    )
    assert pages >= 3
    for page in range(1, pages + 1):
        text = subprocess.run(
            ["pdftotext", "-f", str(page), "-l", str(page), str(path), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert document.csv_display in text, f"page {page} lacks the CSV"
        assert "/verificar/" in text


def test_the_printed_qr_code_reads_as_the_verification_address(issue, settings, tmp_path) -> None:
    # Read back from the page as a phone would see it: the PDF rasterised, the code decoded.
    import zxingcpp
    from PIL import Image

    document = issue()
    url = services.verification_url(document.csv)
    assert url == f"{settings.SEU_BASE_URL}/verificar/{document.csv}/"
    path = tmp_path / "d.pdf"
    path.write_bytes(document.current_version().blob.read())
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", str(path), str(tmp_path / "page")],
        check=True,
    )
    found = zxingcpp.read_barcodes(Image.open(tmp_path / "page.png"))
    assert [(code.format.name, code.text) for code in found] == [("QRCode", url)]


def test_bytes_are_stored_once_by_their_sha256() -> None:
    first = services.store_blob(b"%PDF-1.7 same bytes", "application/pdf")
    second = services.store_blob(b"%PDF-1.7 same bytes", "application/pdf")
    assert first.pk == second.pk == hashlib.sha256(b"%PDF-1.7 same bytes").hexdigest()
    assert Blob.objects.count() == 1
    assert first.read() == b"%PDF-1.7 same bytes"


def test_the_timestamp_is_a_new_version_that_keeps_the_sealed_one(issue, tsa) -> None:
    document = issue()
    sealed = document.current_version().blob.read()
    assert services.add_timestamp(document_id=document.pk) is True
    assert services.add_timestamp(document_id=document.pk) is False  # idempotent
    document.refresh_from_db()
    assert document.timestamp_state == Document.TimestampState.DONE
    versions = list(document.versions.order_by("number"))
    assert [v.stage for v in versions] == ["sealed", "timestamped"]
    assert versions[0].blob.read() == sealed
    stamped = versions[1].blob.read()
    assert stamped.startswith(sealed)  # an incremental update: the sealed bytes are untouched
    report = services.verification_report(document)
    assert report.unchanged_since_sealing
    (timestamp,) = report.timestamps
    assert timestamp.intact and timestamp.valid and timestamp.trusted
    assert abs(timestamp.signed_at - document.issued_at) < dt.timedelta(minutes=1)


def test_a_failed_tsa_call_leaves_the_document_for_the_sweep(issue, tsa) -> None:
    document = issue()
    tsa.tsa_failures_left = 1
    now = document.issued_at
    assert services.add_timestamp(document_id=document.pk, now=now) is False
    document.refresh_from_db()
    assert document.timestamp_state == Document.TimestampState.PENDING
    assert document.timestamp_attempts == 1
    assert document.timestamp_due_at > now
    assert services.due_timestamp_ids(now=now) == []
    later = document.timestamp_due_at + dt.timedelta(seconds=1)
    assert services.due_timestamp_ids(now=later) == [document.pk]
    assert services.add_timestamp(document_id=document.pk, now=later) is True
    assert document.versions.count() == 2


def test_verification_reports_a_document_changed_by_one_byte(issue, client: Client) -> None:
    document = issue()
    good = client.get(f"/verificar/{document.csv}/")
    assert "Document autèntic" in good.content.decode()
    blob = document.current_version().blob
    data = bytearray(blob.read())
    data[len(data) // 3] ^= 0x01
    with open(blob.file.path, "wb") as handle:
        handle.write(bytes(data))
    page = client.get(f"/verificar/{document.csv}/").content.decode()
    assert "Document autèntic" not in page
    assert "El document no supera la verificació" in page


def test_the_report_shows_metadata_signer_and_download(issue, client: Client, organ) -> None:
    document = issue(organ=organ)
    page = client.get(f"/verificar/{verification_code.display(document.csv).lower()}/")
    html = page.content.decode()
    assert page.status_code == 200
    for expected in ("Certificat de prova", "Secretaria", "document de prova", "SEGELL ELECTRÒNIC"):
        assert expected in html
    download = client.get(f"/verificar/{document.csv}/document.pdf")
    assert download["Content-Type"] == "application/pdf"
    assert download.content == document.current_version().blob.read()


def test_the_form_redirects_a_right_code_and_explains_a_wrong_one(issue, client: Client) -> None:
    document = issue()
    ok = client.get("/verificar/", {"csv": document.csv_display})
    assert ok.status_code == 302 and ok["Location"] == f"/verificar/{document.csv}/"
    typo = document.csv[:-1] + ("0" if document.csv[-1] != "0" else "1")
    mistyped = client.get("/verificar/", {"csv": typo})
    assert mistyped.status_code == 400
    assert "no és correcte" in mistyped.content.decode()
    short = client.get("/verificar/", {"csv": "ABC"})
    assert short.status_code == 400 and "28 caràcters" in short.content.decode()
    unknown = client.get("/verificar/", {"csv": verification_code.new_code()})
    assert unknown.status_code == 404
    assert "No hi ha cap document amb aquest CSV" in unknown.content.decode()
    assert client.get(f"/verificar/{verification_code.new_code()}/").status_code == 404


def test_repeated_guessing_from_one_address_is_slowed_down_and_logged(
    issue, client: Client, settings, caplog
) -> None:
    settings.VERIFY_MAX_FAILURES = 10
    document = issue()
    caplog.set_level(logging.WARNING, logger="seu.security")
    statuses = [
        client.get(
            f"/verificar/{verification_code.new_code()}/",
            # A forged forwarding header from a client that is not our proxy changes nothing.
            HTTP_X_REAL_IP=f"10.0.0.{i}",
        ).status_code
        for i in range(50)
    ]
    assert statuses[:10] == [404] * 10
    assert set(statuses[10:]) == {429}
    refused = client.get(f"/verificar/{document.csv}/")
    assert refused.status_code == 429
    assert "Massa intents fallits" in refused.content.decode()
    assert len([r for r in caplog.records if "csv verification failed" in r.getMessage()]) == 10
    other = Client(REMOTE_ADDR="192.0.2.7").get(f"/verificar/{document.csv}/")
    assert other.status_code == 200


def test_the_address_behind_the_trusted_proxy_is_the_forwarded_one(
    issue, client: Client, settings
) -> None:
    settings.VERIFY_MAX_FAILURES = 2
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    issue()
    for _ in range(2):
        client.get(f"/verificar/{verification_code.new_code()}/", HTTP_X_REAL_IP="203.0.113.5")
    blocked = client.get(
        f"/verificar/{verification_code.new_code()}/", HTTP_X_REAL_IP="203.0.113.5"
    )
    other = client.get(f"/verificar/{verification_code.new_code()}/", HTTP_X_REAL_IP="203.0.113.6")
    assert blocked.status_code == 429
    assert other.status_code == 404


def test_the_api_verifies_by_csv(issue, client: Client) -> None:
    document = issue()
    data = client.get(f"/api/v1/verificacio/{document.csv_display}/").json()
    assert data["unchanged_since_sealing"] is True
    assert data["title"] == "Certificat de prova"
    assert data["signatures"][0]["trusted"] is True
    bad = client.get("/api/v1/verificacio/ABC/")
    assert bad.status_code == 400 and bad.json()["code"] == "csv_malformed"


def test_the_public_list_of_seals_offers_the_seal_certificate(issue, client: Client) -> None:
    document = issue()
    seal = document.seal_certificate
    page = client.get("/segells/").content.decode()
    assert seal.fingerprint in page
    pem_response = client.get(f"/segells/{seal.fingerprint}.pem")
    assert pem_response.content.decode().startswith("-----BEGIN CERTIFICATE-----")
    assert client.get("/segells/" + "0" * 64 + ".pem").status_code == 404


# --- Rendering limits ---------------------------------------------------------------------------


def test_rendering_past_its_time_budget_fails_cleanly(settings) -> None:
    settings.PDF_RENDER_TIMEOUT_SECONDS = 0.001
    with pytest.raises(rendering.RenderError, match="massa"):
        rendering.html_to_pdf("<p>" + "text " * 20000 + "</p>")
    settings.PDF_RENDER_TIMEOUT_SECONDS = 30
    assert rendering.html_to_pdf("<p>again</p>").startswith(b"%PDF")


def test_a_document_over_the_page_limit_is_refused(settings) -> None:
    settings.PDF_RENDER_MAX_PAGES = 1
    with pytest.raises(rendering.RenderError, match="pàgines"):
        rendering.html_to_pdf("<p style='page-break-after: always'>1</p><p>2</p>")


class _CountingHandler(BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self) -> None:
        type(self).hits += 1
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"@page { size: 100mm 100mm }")

    def log_message(self, *args: object) -> None:
        pass


def test_the_renderer_reaches_neither_the_disk_nor_the_network(tmp_path: Path) -> None:
    css = tmp_path / "evil.css"
    css.write_text("@page { size: 100mm 100mm }")
    server = HTTPServer(("127.0.0.1", 0), _CountingHandler)
    Thread(target=server.serve_forever, daemon=True).start()
    html = (
        f'<link rel="stylesheet" href="file://{css}">'
        f'<link rel="stylesheet" href="http://127.0.0.1:{server.server_port}/x.css">'
        f'<img src="file:///etc/hostname"><p>hola</p>'
    )
    try:
        pdf = rendering.html_to_pdf(html)
    finally:
        server.shutdown()
    assert _CountingHandler.hits == 0
    page = next(iter(PdfFileReader(BytesIO(pdf)).root["/Pages"]["/Kids"]))
    width = float(page.get_object()["/MediaBox"][2])
    assert round(width) == 595  # A4, not the 100 mm the forbidden stylesheet asks for


# --- The seal at start-up -----------------------------------------------------------------------


def test_a_missing_seal_file_is_an_error_naming_the_setting(tmp_path: Path) -> None:
    with pytest.raises(ImproperlyConfigured, match="SEAL_PKCS12_FILE"):
        sealing.load_seal(tmp_path / "absent.p12", "x", production=False)


def test_a_wrong_seal_password_is_an_error_naming_the_setting(dev_pki: DevPki) -> None:
    with pytest.raises(ImproperlyConfigured, match="SEAL_PKCS12_PASSWORD"):
        sealing.load_seal(dev_pki.seal_p12, "wrong", production=False)


def test_production_refuses_the_development_seal(dev_pki: DevPki) -> None:
    with pytest.raises(ImproperlyConfigured, match="development PKI"):
        sealing.load_seal(dev_pki.seal_p12, "development", production=True)


def test_the_seal_key_is_loaded_once_per_process() -> None:
    assert sealing.get_seal() is sealing.get_seal()


def test_a_renderer_over_its_memory_cap_fails_cleanly(settings) -> None:
    # 64 MB of address space is not enough to even load WeasyPrint: the worker dies, and the
    # caller gets a clear error instead of a hung or crashed request.
    rendering._discard_pool()
    settings.PDF_RENDER_MEMORY_MB = 64
    try:
        with pytest.raises(rendering.RenderError, match="memòria"):
            rendering.html_to_pdf("<p>hola</p>")
    finally:
        rendering._discard_pool()
        settings.PDF_RENDER_MEMORY_MB = 1024
    assert rendering.html_to_pdf("<p>hola</p>").startswith(b"%PDF")


def test_warming_up_starts_every_renderer_process_before_the_first_document(settings) -> None:
    # What gunicorn's post_worker_init does in each worker (deploy/gunicorn.conf.py).
    rendering._discard_pool()
    try:
        rendering.warm_up()
        processes = rendering._get_pool()._processes
        assert processes is not None and len(processes) == settings.PDF_RENDER_WORKERS
        assert rendering.html_to_pdf("<p>hola</p>").startswith(b"%PDF")
    finally:
        rendering._discard_pool()
