"""The seu in the citizen's language down to its data (art. 4; issue 13 item 1): with the demo's
data, a visitor who reads Spanish or English meets none of the texts staff wrote in Catalan on the
home page, the information page, the appointment pages and the registry's filing form, and the
appointment journey is in their language. axe-core audits every page reached (``browse``)."""

from __future__ import annotations

import html

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from devtools import demo, demo_information
from tests.actors import CITIZEN, identify
from tests.e2e.conftest import Browse, off_the_browser_thread

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def demo_catalan_texts() -> list[str]:
    """Every text of the demo that staff would write, in Catalan, that its translations do not
    share (the BOE's name is Spanish in every language)."""
    texts = [demo.OFFICE_HOURS, *demo.ORGANS.values(), *demo_information.COMPETENCES.values()]
    for _code, *service_texts in demo_information.SERVICES:
        texts += service_texts
    for _url, _position, *journal_texts in demo_information.JOURNALS:
        texts += journal_texts
    for *_document, title, description in demo_information.DOCUMENTS:
        texts += [title, description]
    for *_service, name, description in demo_information.APPOINTMENT_SERVICES:
        texts += [name, description]
    return sorted(
        {text["ca"] for text in texts if text["ca"] not in (text["es"], text["en"])}, key=len
    )


CATALAN = demo_catalan_texts()
# What the appointment service is called in each language (the demo's FNMT service).
FNMT = {
    language: demo_information.APPOINTMENT_SERVICES[0][4][language] for language in ("es", "en")
}


def catalan_data_on(page: Page) -> list[str]:
    shown = html.unescape(page.content())
    return [text for text in CATALAN if text in shown]


def citizen_session(live_server: LiveServer, page: Page) -> None:
    """The browser carries the session of a citizen identified through Cl@ve (``tests.actors``)."""
    client = Client()
    identify(client, CITIZEN)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_spanish_and_english_pages_carry_no_catalan_data_from_the_demo(
    browse: Browse, live_server: LiveServer, language: str
) -> None:
    assert "Àrea d'Urbanisme i Obres" in CATALAN and len(CATALAN) >= 30  # what is looked for
    off_the_browser_thread(demo.load_demo_data)
    citizen_session(live_server, browse.page)
    page = browse.page
    found: dict[str, list[str]] = {}

    def visit(path: str) -> None:
        browse.goto(path)
        found[path] = catalan_data_on(page)

    for path in ["/", "/informacio/", "/notificacions/", "/tauler/"]:
        visit(f"/{language}{path}")

    # The appointment journey: the services, a service's days, a day's times.
    visit(f"/{language}/cita-previa/")
    browse.click_and_wait(page.locator("main a[href$='/cita-previa/fnmt/']"))
    found[page.url] = catalan_data_on(page)
    days_heading = page.get_by_role("heading", level=1).inner_text()
    browse.click_and_wait(page.locator("main a[href*='/cita-previa/fnmt/20']").first)
    found[page.url] = catalan_data_on(page)
    day_heading = page.get_by_role("heading", level=1).inner_text()

    # The registry's filing form, with its list of organs.
    visit(f"/{language}/registre/")
    organs = page.locator("select option").all_inner_texts()

    assert {path: texts for path, texts in found.items() if texts} == {}
    assert days_heading == FNMT[language] and day_heading.startswith(FNMT[language])
    assert demo.ORGANS["urbanisme"][language] in organs, organs
