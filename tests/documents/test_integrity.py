"""The stored bytes of an issued document are the bytes that were sealed (issue #11, item 1).

Checked on the real files on disk: a stored file replaced by another sealed document of the same
pipeline, a truncated file, a missing file, and a version row pointing at another document's
bytes. The verification page, the API and the download each say so; the incident is logged and
shown to staff; the periodic sweep finds it without anyone asking, once.
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
import logging
from pathlib import Path

import pytest
from django.test import Client

from documents import sealing, services
from documents.models import Document, DocumentVersion, IntegrityIncident
from tests.conftest import log_in_to_back_office

pytestmark = pytest.mark.django_db


def stored_file(document: Document) -> Path:
    return Path(document.current_version().blob.file.path)


@pytest.fixture
def replaced(issue) -> tuple[Document, Document]:
    """``document``'s stored file overwritten with ``other``'s, both sealed by the pipeline."""
    document, other = issue(), issue(title="Un altre document")
    stored_file(document).write_bytes(other.current_version().blob.read())
    return document, other


def text(response) -> str:
    return html_lib.unescape(response.content.decode())


def test_a_replaced_file_fails_on_the_page_the_api_and_the_download(
    replaced: tuple[Document, Document], client: Client
) -> None:
    document, other = replaced

    page = client.get(f"/verificar/{document.csv}/")
    html = text(page)
    assert page.status_code == 200
    assert "Document autèntic" not in html
    assert "El document no supera la verificació" in html
    assert "El fitxer que conserva l'Ajuntament no és el que es va segellar" in html
    # The other document's seal is not shown as if it were this one's.
    assert "Descarregar el document original (PDF)" not in html

    data = client.get(f"/api/v1/verificacio/{document.csv}/").json()
    assert data["unchanged_since_sealing"] is False
    assert data["integrity"]["ok"] is False
    assert data["integrity"]["reason"] == "content_mismatch"
    assert data["integrity"]["detail"]

    download = client.get(f"/verificar/{document.csv}/document.pdf")
    assert download.status_code == 409
    assert download["Content-Type"].startswith("text/html")
    body = text(download)
    assert not download.content.startswith(b"%PDF")
    assert "no coincideix amb el que es va segellar" in body
    assert "L'Ajuntament n'ha estat avisat" in body
    assert other.csv_display not in body

    # The other document itself is untouched and still verifies.
    assert "Document autèntic" in client.get(f"/verificar/{other.csv}/").content.decode()


def test_the_refusal_is_in_the_persons_language(
    replaced: tuple[Document, Document], client: Client
) -> None:
    document, _ = replaced
    spanish = client.get(f"/es/verificar/{document.csv}/document.pdf")
    assert spanish.status_code == 409
    assert "no coincide con el que se selló" in text(spanish)
    english = client.get(f"/en/verificar/{document.csv}/document.pdf")
    assert "does not match what was sealed" in text(english)


def test_a_replaced_file_is_one_incident_logged_and_shown_to_staff(
    replaced: tuple[Document, Document], client: Client, administrator, caplog
) -> None:
    document, _ = replaced
    caplog.set_level(logging.ERROR, logger="seu.security")
    for path in ("/", "/document.pdf", "/", "/document.pdf"):
        client.get(f"/verificar/{document.csv}{path}")
    client.get(f"/api/v1/verificacio/{document.csv}/")

    (incident,) = IntegrityIncident.objects.all()
    assert incident.document == document
    assert incident.reason == IntegrityIncident.Reason.CONTENT_MISMATCH
    assert incident.expected_sha256 == document.current_version().blob_id
    assert incident.resolved_at is None
    logged = [r for r in caplog.records if r.name == "seu.security"]
    assert logged and document.csv in logged[0].getMessage()

    staff = Client()
    log_in_to_back_office(staff, administrator)
    listing = staff.get("/gestio/documents/integrityincident/")
    assert listing.status_code == 200
    assert document.csv_display in listing.content.decode()
    # Read-only: evidence is not added, changed or deleted by hand.
    assert staff.get("/gestio/documents/integrityincident/add/").status_code == 403
    detail = staff.get(f"/gestio/documents/integrityincident/{incident.pk}/change/")
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
    delete = staff.get(f"/gestio/documents/integrityincident/{incident.pk}/delete/")
    assert delete.status_code == 403


def test_a_version_pointing_at_another_documents_bytes_fails_by_its_csv(
    issue, client: Client
) -> None:
    # The bytes are intact (their SHA-256 is the stored one) but belong to another document.
    document, other = issue(), issue(title="Un altre document")
    DocumentVersion.objects.filter(document=document).update(blob=other.current_version().blob)

    html = text(client.get(f"/verificar/{document.csv}/"))
    assert "Document autèntic" not in html
    assert "no porta el CSV" in html
    data = client.get(f"/api/v1/verificacio/{document.csv}/").json()
    assert data["unchanged_since_sealing"] is False
    assert data["integrity"]["reason"] == "wrong_document"
    assert client.get(f"/verificar/{document.csv}/document.pdf").status_code == 409
    assert IntegrityIncident.objects.get().reason == IntegrityIncident.Reason.WRONG_DOCUMENT


def test_a_document_sealed_before_the_seal_named_its_csv_is_checked_by_its_printed_text(
    issue, client: Client, town_hall
) -> None:
    # Documents issued before the seal carried the verification address: their CSV is only
    # printed on the page.
    def legacy(title: str) -> Document:
        rendered = services.render_document(
            template_name="documents/pdf/test_document.html",
            context={"text": "Text"},
            title=title,
            organ=None,
            language="ca",
            now=dt.datetime.now(tz=dt.UTC),
        )
        sealed = sealing.seal_pdf(rendered.pdf, reason=title, location="x")
        return services.record_document(
            prepared=services.PreparedDocument(
                csv=rendered.csv, sealed_pdf=sealed, issued_at=rendered.issued_at
            ),
            kind=Document.Kind.TEST,
            title=title,
            organ=None,
            language="ca",
            acting_user=None,
        )

    document, other = legacy("Antic"), legacy("Un altre antic")
    assert "Document autèntic" in client.get(f"/verificar/{document.csv}/").content.decode()
    assert client.get(f"/verificar/{document.csv}/document.pdf").status_code == 200

    DocumentVersion.objects.filter(document=document).update(blob=other.current_version().blob)
    data = client.get(f"/api/v1/verificacio/{document.csv}/").json()
    assert data["integrity"]["reason"] == "wrong_document"


def test_a_truncated_file_fails_without_an_error_page(issue, client: Client) -> None:
    document = issue()
    path = stored_file(document)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])

    page = client.get(f"/verificar/{document.csv}/")
    assert page.status_code == 200
    assert "El document no supera la verificació" in page.content.decode()
    data = client.get(f"/api/v1/verificacio/{document.csv}/").json()
    assert data["integrity"] == {
        "ok": False,
        "reason": "content_mismatch",
        "detail": data["integrity"]["detail"],
    }
    assert client.get(f"/verificar/{document.csv}/document.pdf").status_code == 409


def test_a_missing_file_fails_without_an_error_page(issue, client: Client) -> None:
    document = issue()
    stored_file(document).unlink()

    page = client.get(f"/verificar/{document.csv}/")
    assert page.status_code == 200
    html = text(page)
    assert "El document no supera la verificació" in html
    assert "no es pot llegir" in html
    api = client.get(f"/api/v1/verificacio/{document.csv}/")
    assert api.status_code == 200
    assert api.json()["integrity"]["reason"] == "missing"
    assert api.json()["unchanged_since_sealing"] is False
    download = client.get(f"/verificar/{document.csv}/document.pdf")
    assert download.status_code == 409
    assert IntegrityIncident.objects.get().reason == IntegrityIncident.Reason.MISSING


def test_an_intact_document_reports_its_integrity(issue, client: Client) -> None:
    document = issue()
    data = client.get(f"/api/v1/verificacio/{document.csv}/").json()
    assert data["unchanged_since_sealing"] is True
    assert data["integrity"] == {"ok": True, "reason": None, "detail": ""}
    assert not IntegrityIncident.objects.exists()


def test_the_sweep_finds_a_replaced_file_without_anyone_asking_and_records_it_once(
    replaced: tuple[Document, Document], caplog
) -> None:
    document, other = replaced
    caplog.set_level(logging.ERROR, logger="seu.security")
    assert not IntegrityIncident.objects.exists()
    now = dt.datetime.now(tz=dt.UTC)
    assert services.check_stored_documents(now=now) == 1
    # Run again, later, when every version is due again: still one incident while unresolved.
    later = now + dt.timedelta(days=2)
    assert services.check_stored_documents(now=later) == 1
    (incident,) = IntegrityIncident.objects.all()
    assert incident.document == document
    assert incident.detected_by == IntegrityIncident.Channel.SWEEP
    assert [r for r in caplog.records if document.csv in r.getMessage()]
    assert not IntegrityIncident.objects.filter(document=other).exists()


def test_the_sweep_closes_the_incident_once_the_file_is_restored(issue) -> None:
    document, other = issue(), issue(title="Un altre document")
    path = stored_file(document)
    original = path.read_bytes()
    path.write_bytes(other.current_version().blob.read())
    now = dt.datetime.now(tz=dt.UTC)
    services.check_stored_documents(now=now)
    path.write_bytes(original)
    assert services.check_stored_documents(now=now + dt.timedelta(days=2)) == 0
    (incident,) = IntegrityIncident.objects.all()
    assert incident.resolved_at == now + dt.timedelta(days=2)


def test_the_sweep_checks_every_version_in_batches(issue) -> None:
    documents = [issue(title=f"Document {i}") for i in range(5)]
    stored_file(documents[-1]).unlink()
    now = dt.datetime.now(tz=dt.UTC)
    assert services.check_stored_documents(now=now, batch_size=2) == 1
    assert not DocumentVersion.objects.filter(integrity_checked_at__isnull=True).exists()
