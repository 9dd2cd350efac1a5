"""The information sections in the back-office: a transparency document with its PDF, checked as
every PDF the seu publishes."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from informacio.models import InformationDocument
from tests.conftest import log_in_to_back_office
from tests.support.files import make_pdf

pytestmark = pytest.mark.django_db

ADD = "/gestio/informacio/informationdocument/add/"


def _form(organ, upload: SimpleUploadedFile) -> dict[str, object]:
    return {
        "kind": InformationDocument.Kind.ORDINANCES,
        "title_ca": "Ordenança de civisme",
        "description_ca": "",
        "organ": organ.pk,
        "url": "",
        "updated_on": "2026-03-02",
        "is_public": "on",
        "new_file": upload,
    }


def test_staff_publish_a_document_with_its_pdf(client, administrator, organ) -> None:
    log_in_to_back_office(client, administrator)
    upload = SimpleUploadedFile("civisme.pdf", make_pdf("Civisme"), "application/pdf")
    response = client.post(ADD, _form(organ, upload))
    assert response.status_code == 302
    document = InformationDocument.objects.get()
    assert document.blob is not None and document.blob.read() == make_pdf("Civisme")
    assert client.get(f"/informacio/documents/{document.pk}/").content == make_pdf("Civisme")


def test_a_file_that_is_not_a_pdf_is_refused_and_what_was_typed_stays(
    client, administrator, organ
) -> None:
    log_in_to_back_office(client, administrator)
    upload = SimpleUploadedFile("civisme.docx", b"PK\x03\x04", "application/octet-stream")
    response = client.post(ADD, _form(organ, upload))
    assert response.status_code == 200
    page = response.content.decode()
    assert "civisme.docx" in page and 'value="Ordenança de civisme"' in page
    assert not InformationDocument.objects.exists()
