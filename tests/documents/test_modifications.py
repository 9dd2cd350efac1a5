"""Every row of the verification report agrees with what pyHanko's difference analysis found
after each signature, and says what was added (issue #11, item 2).

A sealed document gets an incremental update after sealing (an annotation, a page), stored as
its version's bytes (with their own SHA-256, so the storage check passes and the signatures
speak); poppler's ``pdfsig``, an independent validator, must agree that the seal does not cover
the whole file.
"""

from __future__ import annotations

import html as html_lib
import re
from io import BytesIO

import pytest
from django.test import Client
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from documents import services
from documents.models import Document, DocumentVersion
from tests.conftest import pdfsig

pytestmark = pytest.mark.django_db

UNCHANGED = "document sense canvis des de la signatura"


def annotate(pdf: bytes) -> bytes:
    """A text annotation (a sticky note) added to the first page as an incremental update."""
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    annotation = generic.DictionaryObject(
        {
            pdf_name("/Type"): pdf_name("/Annot"),
            pdf_name("/Subtype"): pdf_name("/Text"),
            pdf_name("/Rect"): generic.ArrayObject(
                [generic.FloatObject(v) for v in (50, 50, 80, 80)]
            ),
            pdf_name("/Contents"): generic.TextStringObject("Afegit després"),
        }
    )
    page_ref, _ = writer.find_page_for_modification(0)
    writer.register_annotation(page_ref, writer.add_object(annotation))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def append_page(pdf: bytes) -> bytes:
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    writer.insert_page(
        generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/Page"),
                pdf_name("/MediaBox"): generic.ArrayObject(
                    [generic.NumberObject(v) for v in (0, 0, 595, 842)]
                ),
                pdf_name("/Resources"): generic.DictionaryObject(),
            }
        )
    )
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def store_as_current(document: Document, pdf: bytes) -> None:
    blob = services.store_blob(pdf, "application/pdf")
    DocumentVersion.objects.filter(pk=document.current_version().pk).update(blob=blob)


def integrity_rows(page: str) -> list[tuple[str, str]]:
    """(class, text) of each signature's "Integritat" row."""
    rows = re.findall(
        r'Integritat</dt>\s*<dd class="govuk-summary-list__value">\s*'
        r'<span class="([^"]+)">(.*?)</span>',
        page,
        flags=re.S,
    )
    return [(cls, html_lib.unescape(re.sub(r"<[^>]+>", "", text)).strip()) for cls, text in rows]


def test_an_annotation_after_the_seal_is_named_on_the_seals_row(
    issue, client: Client, nss_db: str, tmp_path
) -> None:
    document = issue()
    annotated = annotate(document.current_version().blob.read())
    store_as_current(document, annotated)

    page = client.get(f"/verificar/{document.csv}/").content.decode()
    assert "El document no supera la verificació" in page
    assert UNCHANGED not in page
    ((cls, text),) = integrity_rows(page)
    assert cls == "seu-bad"
    assert "s'hi han afegit continguts després de la signatura" in text
    assert "anotacions" in text

    data = client.get(f"/api/v1/verificacio/{document.csv}/").json()
    (seal,) = data["signatures"]
    assert seal["covers_whole_document"] is False
    assert seal["changes_after"] == ["annotations"]

    # An independent validator on the same file: the seal is valid but does not cover it all.
    verdict = pdfsig(annotated, nss_db, tmp_path)
    assert "Signature is Valid." in verdict
    assert "Not total document signed" in verdict


def test_a_page_appended_after_the_seal_is_named_on_the_seals_row(
    issue, client: Client, nss_db: str, tmp_path
) -> None:
    document = issue()
    appended = append_page(document.current_version().blob.read())
    store_as_current(document, appended)

    page = client.get(f"/verificar/{document.csv}/").content.decode()
    ((cls, text),) = integrity_rows(page)
    assert cls == "seu-bad" and "pàgines" in text
    assert UNCHANGED not in page
    assert "Not total document signed" in pdfsig(appended, nss_db, tmp_path)


def test_an_annotation_after_the_timestamp_is_named_on_every_row(
    issue, client: Client, tsa
) -> None:
    document = issue()
    assert services.add_timestamp(document_id=document.pk)
    store_as_current(document, annotate(document.current_version().blob.read()))

    page = client.get(f"/verificar/{document.csv}/").content.decode()
    rows = integrity_rows(page)
    assert len(rows) == 2
    assert all(cls == "seu-bad" and "anotacions" in text for cls, text in rows)
    assert UNCHANGED not in page


def test_a_timestamp_after_the_seal_is_the_only_permitted_change(
    issue, client: Client, tsa
) -> None:
    document = issue()
    assert services.add_timestamp(document_id=document.pk)
    page = client.get(f"/verificar/{document.csv}/").content.decode()
    assert "Document autèntic" in page
    seal, timestamp = integrity_rows(page)
    assert seal == (
        "seu-ok",
        f"{UNCHANGED}; només s'hi han afegit segells de temps i dades de validació",
    )
    assert timestamp[0] == "seu-ok" and timestamp[1].startswith(UNCHANGED)
