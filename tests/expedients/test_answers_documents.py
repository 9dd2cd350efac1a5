"""What a filed procedure leaves on paper (art. 24.1, 33.f): the registry receipt, sealed in the
filing, lists each answer, the case number and what Law 39/2015 art. 21.4 says the person must be
told; the answers are also sealed as a document of the case file (ENI TD14, origin citizen), once,
by the task after the filing or by the beat's sweep when that task was lost."""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pypdf import PdfReader

from documents.models import Document
from expedients import services
from expedients.models import Expedient, ExpedientDocument, Procedure
from seu.models import Identification
from tests import actors
from tests.support.expedients import ANSWERS, file_case, make_procedure
from tests.support.files import make_pdf
from tests.support.pki import independent_context

pytestmark = pytest.mark.django_db

MADRID = ZoneInfo("Europe/Madrid")
# A working Tuesday; three months to resolve, date to date: Wednesday 10 June 2026.
TUESDAY = dt.datetime(2026, 3, 10, 10, 30, tzinfo=MADRID)
BUDGET_PDF = make_pdf("Pressupost detallat de l'obra")


@pytest.fixture
def identification(town_hall: Any) -> Identification:
    found = actors.person_actor("citizen", actors.CITIZEN).identification
    assert found is not None
    return found


@pytest.fixture
def procedure(organ: Any) -> Procedure:
    return make_procedure(organ)


def _file(identification: Identification, procedure: Procedure, **kwargs: Any) -> Expedient:
    answers = {key: value for key, value in ANSWERS.items() if key != "pressupost_doc"}
    return file_case(
        identification,
        procedure,
        answers=answers,
        files={"pressupost_doc": ("pressupost.pdf", BUDGET_PDF)},
        now=TUESDAY,
        **kwargs,
    )


def _pdf(document: Document) -> bytes:
    return document.current_version().blob.read()


def _text(pdf: bytes) -> str:
    """The text of every page, white space collapsed (a table cell may wrap a value)."""
    text = " ".join(page.extract_text() or "" for page in PdfReader(BytesIO(pdf)).pages)
    return " ".join(text.split())


def _seal_is_valid(pdf: bytes, dev_pki: Any) -> bool:
    (seal,) = PdfFileReader(BytesIO(pdf)).embedded_signatures
    status = validate_pdf_signature(seal, signer_validation_context=independent_context(dev_pki))
    return bool(status.intact and status.valid and status.trusted)


def test_the_receipt_lists_each_answer_the_case_number_the_period_and_the_silence(
    identification, procedure, dev_pki
) -> None:
    case = _file(identification, procedure)
    assert case.number == "OBRA/2026/1"
    entry = case.opening_entry
    assert entry.receipt is not None
    pdf = _pdf(entry.receipt)
    text = _text(pdf)
    for label, value in [
        ("NIF del titular", "12345678Z"),
        ("Adreça de l'obra", "Carrer Major, 1, Sant Llorenç des Cardassar"),
        ("Pressupost (euros)", "1200,5"),
        ("Tipus d'obra", "Reforma interior"),
        ("Pressupost detallat", "pressupost.pdf"),
        ("Declaració responsable", "Declarat sota la meva responsabilitat"),
        ("Expedient", "OBRA/2026/1"),
        ("Data de recepció", "10 de març de 2026"),
        ("Termini màxim per resoldre i notificar", "3 mesos: fins al 10 de juny de 2026"),
        ("Efecte del silenci administratiu", "estimatori (positiu)"),
    ]:
        assert label in text, label
        assert value in text, value
    assert "Referència cadastral" not in text  # not answered, not listed
    assert entry.number and entry.number in text
    assert _seal_is_valid(pdf, dev_pki)


def test_the_uploaded_file_is_an_attachment_of_the_entry_and_a_document_of_the_case(
    identification, procedure
) -> None:
    case = _file(identification, procedure)
    (attachment,) = case.opening_entry.attachments.all()
    assert attachment.name == "pressupost.pdf"
    assert attachment.blob.read() == BUDGET_PDF
    (document,) = case.documents.all()
    assert document.blob_id == attachment.blob_id
    assert document.title == "pressupost.pdf"
    assert document.origin == ExpedientDocument.Origin.CITIZEN
    assert document.entry_id == case.opening_entry_id
    assert case.answers["pressupost_doc"]["sha256"] == attachment.sha256


def test_the_answers_are_sealed_once_as_a_request_document_of_the_case(
    identification, procedure, dev_pki
) -> None:
    case = _file(identification, procedure)
    assert case.answers_document is None  # sealed by the beat's sweep, not in the filing

    assert services.issue_answers_document(case_id=case.pk, now=TUESDAY) is True
    assert services.issue_answers_document(case_id=case.pk, now=TUESDAY) is False

    case.refresh_from_db()
    answers_document = case.answers_document
    assert answers_document is not None
    assert answers_document.kind == Document.Kind.FORM_ANSWERS
    assert answers_document.title == "Sol·licitud OBRA/2026/1: dades del formulari"
    (row,) = case.documents.filter(document=answers_document)
    assert row.document_type == ExpedientDocument.Type.REQUEST == "TD14"
    assert row.origin == ExpedientDocument.Origin.CITIZEN
    assert case.documents.filter(document__isnull=False).count() == 1

    pdf = _pdf(answers_document)
    assert _seal_is_valid(pdf, dev_pki)
    text = _text(pdf)
    for expected in ("OBRA/2026/1", "NIF del titular", "12345678Z", "Reforma interior"):
        assert expected in text, expected


def test_the_answers_document_is_in_the_language_the_case_was_filed_in(
    identification, procedure
) -> None:
    case = _file(identification, procedure, language="es")
    assert services.issue_answers_document(case_id=case.pk, now=TUESDAY) is True
    case.refresh_from_db()
    assert case.answers_document is not None
    text = _text(_pdf(case.answers_document))
    for expected in ("Presupuesto (euros)", "1200,5", "Tipo de obra", "Reforma interior"):
        assert expected in text, expected


def test_the_sweep_seals_the_answers_of_a_case_whose_task_was_lost(
    identification, procedure
) -> None:
    lost = _file(identification, procedure)
    assert services.issue_due_answers_documents(now=TUESDAY) == 1
    assert services.issue_due_answers_documents(now=TUESDAY) == 0
    lost.refresh_from_db()
    assert lost.answers_document is not None
    assert lost.documents.filter(document=lost.answers_document).count() == 1
