"""The language switch names each language in that language (issue 13.2): "Castellano" and
"English" on a Catalan page, "Català" and "English" on a Spanish one, as multilingual sites do, so
that a person who does not read the page's language still finds their own."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.factories import TownHallFactory

pytestmark = pytest.mark.django_db

OWN_NAMES = {"ca": "Català", "es": "Castellano", "en": "English"}
PAGES = ["home", "accessibility", "legal_notice"]


class _SwitchLinks(HTMLParser):
    """The links of the language switch: (lang, hreflang, text) of each."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str | None, str | None, str]] = []
        self._in_switch = False
        self._link: dict[str, str | None] | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "nav" and "seu-languages" in (values.get("class") or ""):
            self._in_switch = True
        elif tag == "a" and self._in_switch:
            self._link, self._text = values, ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav":
            self._in_switch = False
        elif tag == "a" and self._link is not None:
            self.links.append((self._link.get("lang"), self._link.get("hreflang"), self._text))
            self._link = None

    def handle_data(self, data: str) -> None:
        if self._link is not None:
            self._text += data.strip()


def switch_links(html: str) -> list[tuple[str | None, str | None, str]]:
    parser = _SwitchLinks()
    parser.feed(html)
    return parser.links


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("language", list(OWN_NAMES))
def test_each_language_is_named_in_itself_and_marked_with_its_code(
    client: Client, language: str, page: str
) -> None:
    TownHallFactory()
    with translation.override(language):
        path = reverse(page)

    response = client.get(path)

    assert response.status_code == 200
    assert response.text.count('class="seu-languages"') == 1
    assert switch_links(response.text) == [
        (code, code, name) for code, name in OWN_NAMES.items() if code != language
    ]
