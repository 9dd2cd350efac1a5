"""What the board serves is what it published: an edict's documents are checked against the
SHA-256 its sealed edict names, and the exposure certificate against its seal, on the real files on
disk. A file that was replaced or lost is refused (409) with a page that says so, and the incident
is recorded once."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

import pytest
from django.test import Client

from documents.models import IntegrityIncident
from tauler import services
from tauler.models import Edict, Incident, PeriodKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(make_edict, approver) -> Edict:
    edict = make_edict(period_kind=PeriodKind.CALENDAR_DAYS, period_days=2, annex="Annex")
    services.publish_edict(edict_id=edict.pk, acting_user=approver)
    edict.refresh_from_db()
    return edict


def document_url(edict: Edict) -> str:
    return f"/tauler/{edict.year}/{edict.number}/documents/1/"


def stored(path_of) -> Path:
    return Path(path_of.blob.file.path)


def refused_page(response) -> str:
    assert response.status_code == 409
    assert response["Content-Type"].startswith("text/html")
    assert not response.content.startswith(b"%PDF")
    return html.unescape(response.content.decode())


def test_an_intact_document_is_served_as_published(client: Client, published: Edict) -> None:
    attachment = published.attachments.select_related("blob").get()
    response = client.get(document_url(published))
    assert response.status_code == 200
    assert response.content == stored(attachment).read_bytes()
    assert not Incident.objects.exists()


def test_a_document_whose_file_was_replaced_is_refused_and_recorded_once(
    client: Client, published: Edict, pdf_bytes
) -> None:
    attachment = published.attachments.select_related("blob").get()
    stored(attachment).write_bytes(pdf_bytes("Un altre annex"))

    body = refused_page(client.get(document_url(published)))
    assert "El document no es pot descarregar" in body
    assert "no coincideix amb el que es va segellar" in body
    assert "L'Ajuntament n'ha estat avisat" in body
    # The sealed edict names the document's SHA-256: its verification is where to look.
    assert published.sealed_document is not None
    assert published.sealed_document.csv_display in body

    refused_page(client.get(document_url(published)))
    incident = Incident.objects.get()  # one, however many times it is asked for
    assert incident.kind == Incident.Kind.INTEGRITY
    assert (incident.edict_id, incident.attachment_id) == (published.pk, attachment.pk)
    assert attachment.sha256 in incident.detail


def test_a_document_whose_file_is_missing_is_refused(client: Client, published: Edict) -> None:
    attachment = published.attachments.select_related("blob").get()
    stored(attachment).unlink()

    assert "no coincideix amb el que es va segellar" in refused_page(
        client.get(document_url(published))
    )
    assert "fitxer il·legible" in Incident.objects.get().detail


def test_the_exposure_certificate_is_refused_when_its_file_was_replaced(
    client: Client, published: Edict
) -> None:
    assert published.exposure_ends_at is not None
    services.expire_due_edicts(now=published.exposure_ends_at + dt.timedelta(seconds=30))
    published.refresh_from_db()
    certificate = published.certificate
    assert certificate is not None
    url = f"/tauler/{published.year}/{published.number}/diligencia.pdf"
    intact = client.get(url)
    assert intact.status_code == 200
    assert intact.content == certificate.current_version().blob.read()

    # Replaced by another document the town hall sealed: the sealed edict.
    assert published.sealed_document is not None
    sealed_edict = published.sealed_document.current_version().blob.read()
    stored(certificate.current_version()).write_bytes(sealed_edict)

    body = refused_page(client.get(url))
    assert "no coincideix amb el que es va segellar" in body
    assert certificate.csv_display in body
    incident = IntegrityIncident.objects.get()
    assert incident.detected_by == IntegrityIncident.Channel.DOWNLOAD
