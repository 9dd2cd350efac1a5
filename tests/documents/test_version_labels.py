"""Each stored version is named by what its file holds (issue #11, item 4): no label promises
long-term validation (PAdES B-LT/B-LTA) while the files carry no revocation data."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from django.test import Client
from pyhanko.pdf_utils.reader import PdfFileReader

from documents import services
from documents.models import Document, DocumentVersion
from tests.conftest import log_in_to_back_office

pytestmark = pytest.mark.django_db

LONG_TERM = re.compile(r"B-LTA?\b|/LTA?\b|\bLTV?\b")


def holds_revocation_data(pdf: bytes) -> bool:
    root = PdfFileReader(BytesIO(pdf), strict=False).root
    if "/DSS" not in root:
        return False
    dss = root["/DSS"]
    return any(key in dss and len(dss[key]) for key in ("/OCSPs", "/CRLs"))


@pytest.fixture
def timestamped(issue, tsa) -> Document:
    document = issue()
    assert services.add_timestamp(document_id=document.pk)
    return document


def test_the_files_hold_no_revocation_data(timestamped: Document) -> None:
    for version in timestamped.versions.all():
        assert not holds_revocation_data(version.blob.read())


def test_the_report_names_each_version_by_what_it_holds(
    timestamped: Document, client: Client
) -> None:
    page = client.get(f"/verificar/{timestamped.csv}/").content.decode()
    assert "segellat (PAdES B-B)" in page
    assert "amb segell de temps (PAdES B-T)" in page
    assert not LONG_TERM.search(page)
    data = client.get(f"/api/v1/verificacio/{timestamped.csv}/").json()
    assert [(v["stage"], v["description"]) for v in data["versions"]] == [
        ("sealed", "segellat (PAdES B-B)"),
        ("timestamped", "amb segell de temps (PAdES B-T)"),
    ]
    assert not LONG_TERM.search(str(data))


def test_the_back_office_names_each_version_by_what_it_holds(
    timestamped: Document, client: Client, administrator
) -> None:
    log_in_to_back_office(client, administrator)
    page = client.get(f"/gestio/documents/document/{timestamped.pk}/change/").content.decode()
    assert "amb segell de temps (PAdES B-T)" in page
    assert not LONG_TERM.search(page)
    assert not any(LONG_TERM.search(str(label)) for _, label in DocumentVersion.Stage.choices)
