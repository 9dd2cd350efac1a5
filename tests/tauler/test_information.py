"""The information sections (art. 15, 16, 19): each item with its organ and update date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from seu.errors import InvalidInput
from tauler import services
from tauler.models import InformationDocument, PublicService

pytestmark = pytest.mark.django_db


def test_the_information_page_shows_organs_services_documents_and_journals(
    client, town_hall, organ, clerk, pdf_bytes: Callable[[str], bytes]
) -> None:
    organ.competences = "Fe pública i assessorament legal"
    organ.save()
    PublicService.objects.create(
        name="Recollida de voluminosos",
        description="Recollida a domicili",
        availability="Dimarts i dijous",
        organ=organ,
        updated_on=dt.date(2026, 10, 1),
    )
    budget = InformationDocument.objects.create(
        kind=InformationDocument.Kind.BUDGET,
        title="Pressupost general 2026",
        organ=organ,
        updated_on=dt.date(2026, 1, 15),
    )
    services.attach_information_file(
        document_id=budget.pk,
        file=services.IncomingFile(name="pressupost.pdf", data=pdf_bytes("Pressupost")),
        acting_user=clerk,
        today=dt.date(2026, 1, 20),
    )
    InformationDocument.objects.create(
        kind=InformationDocument.Kind.ORDINANCES,
        title="Esborrany intern no publicat",
        organ=organ,
        updated_on=dt.date(2026, 1, 15),
        is_public=False,
    )
    response = client.get("/informacio/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Fe pública i assessorament legal" in page
    assert "Recollida de voluminosos" in page
    assert "Informació proporcionada per Secretaria; actualitzada el 01/10/2026." in page
    assert "Pressupost general 2026 (PDF)" in page
    assert "Òrgan: Secretaria. Actualitzat el 20/01/2026." in page
    assert "Esborrany intern no publicat" not in page
    assert "https://www.caib.es/eboibfront/ca" in page and "https://www.boe.es/" in page
    download = client.get(f"/informacio/documents/{budget.pk}/")
    assert download.status_code == 200 and download.content == pdf_bytes("Pressupost")


def test_a_transparency_document_must_be_a_pdf(organ, clerk) -> None:
    document = InformationDocument.objects.create(
        kind=InformationDocument.Kind.FORMS,
        title="Sol·licitud genèrica",
        organ=organ,
        updated_on=dt.date(2026, 1, 15),
    )
    with pytest.raises(InvalidInput):
        services.attach_information_file(
            document_id=document.pk,
            file=services.IncomingFile(name="form.docx", data=b"PK\x03\x04"),
            acting_user=clerk,
        )
    document.refresh_from_db()
    assert document.blob_id is None


def test_the_home_page_links_the_information_section(client, town_hall) -> None:
    assert 'href="/informacio/"' in client.get("/").content.decode()
    assert client.get("/informacio/").status_code == 200
