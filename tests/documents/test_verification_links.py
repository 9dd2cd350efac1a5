"""A verification address with a mistyped code (a QR code or a link with one wrong character)
answers like the form: 400, the reason in the person's language, the code kept in the field
(issue #11, item 6)."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client

from documents import verification_code

pytestmark = pytest.mark.django_db

PREFIX = {"ca": "", "es": "/es", "en": "/en"}
MISTYPED = {
    "ca": "Aquest CSV no és correcte",
    "es": "Este CSV no es correcto",
    "en": "This CSV is not correct",
}


def mistyped_code() -> str:
    code = verification_code.new_code()
    wrong = next(c for c in verification_code.ALPHABET if c != code[-1])
    return code[:-1] + wrong


def csv_field_value(page: str) -> str:
    found = re.search(r'<input[^>]*id="csv"[^>]*value="([^"]*)"', page)
    assert found, "the page has no CSV field"
    return html.unescape(found.group(1))


@pytest.mark.parametrize("language", ["ca", "es", "en"])
@pytest.mark.parametrize("suffix", ["", "document.pdf"])
def test_a_mistyped_code_in_the_address_is_explained_in_the_persons_language(
    client: Client, town_hall, language: str, suffix: str
) -> None:
    typed = verification_code.display(mistyped_code())
    response = client.get(f"{PREFIX[language]}/verificar/{typed}/{suffix}")
    assert response.status_code == 400
    page = response.content.decode()
    assert MISTYPED[language] in page
    assert csv_field_value(page) == typed


@pytest.mark.parametrize("language", ["ca", "es", "en"])
def test_a_malformed_code_in_the_address_keeps_what_was_typed(
    client: Client, town_hall, language: str
) -> None:
    response = client.get(f"{PREFIX[language]}/verificar/ABC-123/")
    assert response.status_code == 400
    assert csv_field_value(response.content.decode()) == "ABC-123"
