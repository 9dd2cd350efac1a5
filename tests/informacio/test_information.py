"""The information sections (art. 15, 16, 19): each item with its organ and update date."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable

import pytest

from informacio import services
from informacio.models import InformationDocument, PublicService
from seu.errors import InvalidInput, NotFound
from tests.support.files import make_pdf

pytestmark = pytest.mark.django_db


def test_the_information_page_shows_organs_services_documents_and_journals(
    client, town_hall, organ, clerk, make_document: Callable[..., InformationDocument]
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
    budget = make_document(title="Pressupost general 2026")
    services.attach_document_file(
        document_id=budget.pk,
        name="pressupost.pdf",
        data=make_pdf("Pressupost"),
        acting_user=clerk,
        today=dt.date(2026, 1, 20),
    )
    make_document(
        title="Esborrany intern no publicat",
        kind=InformationDocument.Kind.ORDINANCES,
        is_public=False,
    )
    response = client.get("/informacio/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Fe pública i assessorament legal" in page
    assert "Recollida de voluminosos" in page
    # the organ takes its article and the day 1 elides it (issue #13, item 4)
    text = html.unescape(page)
    assert "Informació proporcionada per la Secretaria; actualitzada l'1 d'octubre de 2026." in text
    assert f'href="/informacio/documents/{budget.pk}/">Pressupost general 2026 (PDF)' in page
    assert "Òrgan: Secretaria. Actualitzat el 20 de gener de 2026." in page
    assert "Esborrany intern no publicat" not in page
    assert "https://www.caib.es/eboibfront/ca" in page and "https://www.boe.es/" in page
    download = client.get(f"/informacio/documents/{budget.pk}/")
    assert download.status_code == 200 and download.content == make_pdf("Pressupost")


def test_the_page_and_its_documents_keep_their_addresses_in_every_language(
    client, town_hall, clerk, make_document: Callable[..., InformationDocument]
) -> None:
    budget = make_document()
    services.attach_document_file(
        document_id=budget.pk, name="p.pdf", data=make_pdf("P"), acting_user=clerk
    )
    page = client.get("/es/informacio/").content.decode()
    assert f'href="/es/informacio/documents/{budget.pk}/"' in page
    assert client.get(f"/en/informacio/documents/{budget.pk}/").content == make_pdf("P")


def test_a_document_not_public_or_without_a_file_is_not_served(
    client, clerk, make_document: Callable[..., InformationDocument]
) -> None:
    hidden = make_document(title="Esborrany", is_public=False)
    services.attach_document_file(
        document_id=hidden.pk, name="e.pdf", data=make_pdf("Esborrany"), acting_user=clerk
    )
    without_file = make_document(title="Sense fitxer")
    assert client.get(f"/informacio/documents/{hidden.pk}/").status_code == 404
    assert client.get(f"/informacio/documents/{without_file.pk}/").status_code == 404
    assert client.get("/informacio/documents/999999/").status_code == 404


def test_a_transparency_document_must_be_a_pdf(
    clerk, make_document: Callable[..., InformationDocument]
) -> None:
    document = make_document(title="Sol·licitud genèrica", kind=InformationDocument.Kind.FORMS)
    with pytest.raises(InvalidInput) as refused:
        services.attach_document_file(
            document_id=document.pk, name="form.docx", data=b"PK\x03\x04", acting_user=clerk
        )
    assert "form.docx" in str(refused.value.message)
    document.refresh_from_db()
    assert document.blob_id is None


def test_a_file_for_a_document_that_does_not_exist_is_refused(clerk) -> None:
    with pytest.raises(NotFound):
        services.attach_document_file(
            document_id=999999, name="p.pdf", data=make_pdf("P"), acting_user=clerk
        )


def test_the_home_page_links_the_information_section(client, town_hall) -> None:
    assert 'href="/informacio/"' in client.get("/").content.decode()
    assert client.get("/informacio/").status_code == 200
