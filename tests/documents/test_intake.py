"""What an uploaded PDF must be before the seu keeps it (``documents.intake``): the registry and
the notice board refuse the same files with the same messages, naming the file."""

from __future__ import annotations

import pytest
from django.utils import translation

from documents import intake, sealing
from tests.support.files import (
    NO_PAGES_PDF,
    OPEN_ACTION_JAVASCRIPT_PDF,
    PDFA_XMP,
    encrypted_pdf,
    make_pdf,
    truncated,
)

LIMIT = 1024 * 1024


def refusal(data: bytes, *, name: str = "annex.pdf", max_bytes: int | None = LIMIT):
    with pytest.raises(intake.RefusedFile) as caught:
        intake.check_pdf(data, name=name, max_bytes=max_bytes)
    return caught.value


def test_a_whole_pdf_is_accepted_and_labelled() -> None:
    plain = intake.check_pdf(make_pdf(), name="annex.pdf", max_bytes=LIMIT)
    assert (plain.format_label, plain.has_signatures, plain.pages) == ("PDF", False, 1)
    pdfa = intake.check_pdf(make_pdf(xmp=PDFA_XMP), name="annex.pdf", max_bytes=LIMIT)
    assert pdfa.format_label == "PDF/A-2b"


def test_a_signed_pdf_says_it_has_signatures() -> None:
    sealed = sealing.seal_pdf(make_pdf(), reason="Prova", location="Sant Llorenç")
    assert intake.check_pdf(sealed, name="segellat.pdf", max_bytes=None).has_signatures


def test_a_pdf_that_needs_a_password_is_refused_naming_the_file() -> None:
    refused = refusal(encrypted_pdf(make_pdf(), password="secret"), name="protegit.pdf")
    assert refused.code == "encrypted"
    assert refused.name == "protegit.pdf"
    assert str(refused.message) == (
        "«protegit.pdf» està protegit amb contrasenya i l'Ajuntament no el podria obrir. "
        "Adjuntau-lo sense contrasenya."
    )


def test_a_pdf_anyone_can_open_with_only_its_changes_restricted_is_accepted() -> None:
    # Encrypted with an empty password to open it (only printing or editing restricted): every
    # viewer opens it, and so can the seu to check it.
    opened = encrypted_pdf(make_pdf(), password="")
    assert intake.check_pdf(opened, name="restringit.pdf", max_bytes=LIMIT).pages == 1


def test_a_truncated_pdf_is_refused() -> None:
    refused = refusal(truncated(make_pdf()), name="tallat.pdf")
    assert refused.code == "corrupted"
    assert str(refused.message).startswith(
        "«tallat.pdf» està malmès o incomplet: no es pot llegir com a PDF."
    )


def test_a_pdf_without_pages_is_refused() -> None:
    assert refusal(NO_PAGES_PDF).code == "corrupted"


def test_a_pdf_that_runs_javascript_when_opened_is_refused() -> None:
    refused = refusal(OPEN_ACTION_JAVASCRIPT_PDF, name="edicte.pdf")
    assert refused.code == "active_content"
    assert str(refused.message).startswith(
        "El fitxer «edicte.pdf» conté codi executable (JavaScript)"
    )


@pytest.mark.parametrize("data", [b"", b"GIF89a no es un PDF", b"<html>%PDF-1.7</html>"])
def test_a_file_that_is_not_a_pdf_is_refused(data: bytes) -> None:
    refused = refusal(data)
    assert refused.code == "not_pdf"
    assert str(refused.message) == "El document «annex.pdf» no és un fitxer PDF vàlid."


def test_a_pdf_over_the_limit_is_refused_before_it_is_read() -> None:
    refused = refusal(b"%PDF-" + b"0" * 2048, max_bytes=1024)
    assert refused.code == "file_size"
    assert str(refused.message).replace("\xa0", " ") == (
        "«annex.pdf» ocupa 2,0 KB i supera el límit de 1,0 KB per document."
    )


def test_the_refusal_is_in_the_readers_language() -> None:
    with translation.override("es"):
        message = str(refusal(truncated(make_pdf()), name="tallat.pdf").message)
    assert message.startswith("«tallat.pdf» está dañado o incompleto")
