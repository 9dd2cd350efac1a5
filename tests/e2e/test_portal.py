"""Journeys through the portal: home page, languages, footer pages, a pending section."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Page, expect

from seu.models import TownHall
from seu.sections import SECTIONS
from tests.e2e.conftest import Browse, path_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def html_lang(page: Page) -> str | None:
    return page.locator("html").get_attribute("lang")


def test_the_home_page_shows_the_town_hall_the_official_time_and_every_section(
    browse: Browse, town_hall: TownHall
) -> None:
    page = browse.page
    browse.goto("/")

    assert html_lang(page) == "ca"
    expect(page.get_by_role("heading", level=1)).to_contain_text(town_hall.name)
    expect(page.get_by_role("banner")).to_contain_text(town_hall.name)
    official_time = page.locator("#hora-oficial")
    expect(official_time).to_contain_text("Data i hora oficials de la seu")
    assert official_time.locator("time").get_attribute("datetime")
    main = page.get_by_role("main")
    with translation.override("ca"):
        for section in SECTIONS:
            link = main.get_by_role("link", name=str(section.title), exact=True)
            expect(link).to_have_attribute("href", reverse("section", args=[section.slug]))
    expect(main.get_by_role("link", name="Verificar un document", exact=True)).to_have_attribute(
        "href", reverse("documents:verify")
    )


def test_the_language_links_switch_between_catalan_spanish_and_english(
    browse: Browse, town_hall: TownHall
) -> None:
    page = browse.page
    languages = page.get_by_role("navigation", name="Llengua")
    browse.goto("/")
    # The current language is not offered; the others point to the same page in theirs.
    expect(languages.locator("a[hreflang=ca]")).to_have_count(0)
    expect(languages.locator("a[hreflang=en]")).to_have_attribute("href", "/en/")

    browse.click_and_wait(languages.locator("a[hreflang=es]"))
    assert path_of(page.url) == "/es/"
    assert html_lang(page) == "es"
    expect(page.get_by_role("banner")).to_contain_text(town_hall.name)

    languages = page.locator("nav.seu-languages")  # its name is now in Spanish
    expect(languages.locator("a[hreflang=es]")).to_have_count(0)
    expect(languages.locator("a[hreflang=ca]")).to_have_attribute("href", "/")
    browse.click_and_wait(languages.locator("a[hreflang=en]"))
    assert path_of(page.url) == "/en/"
    assert html_lang(page) == "en"

    # On an inner page the switch keeps the visitor on that page.
    browse.goto("/en/verificar/")
    assert html_lang(page) == "en"
    expect(languages.locator("a[hreflang=ca]")).to_have_attribute("href", "/verificar/")
    browse.click_and_wait(languages.locator("a[hreflang=ca]"))
    assert path_of(page.url) == "/verificar/"
    assert html_lang(page) == "ca"


def test_the_accessibility_statement_and_the_legal_notice_are_reached_from_the_footer(
    browse: Browse, town_hall: TownHall
) -> None:
    page = browse.page
    footer = page.get_by_role("contentinfo")
    browse.goto("/")
    expect(footer).to_contain_text(town_hall.nif)

    browse.click_and_wait(footer.get_by_role("link", name="Declaració d'accessibilitat"))
    assert path_of(page.url) == reverse("accessibility") == "/accessibilitat/"
    expect(page.get_by_role("heading", level=1)).to_have_text("Declaració d'accessibilitat")
    expect(page.get_by_role("main")).to_contain_text(town_hall.email)

    browse.click_and_wait(footer.get_by_role("link", name="Avís legal"))
    assert path_of(page.url) == reverse("legal_notice") == "/avis-legal/"
    expect(page.get_by_role("heading", level=1)).to_have_text("Avís legal")
    expect(page.get_by_role("main")).to_contain_text(town_hall.nif)


def test_a_section_not_yet_built_says_so_and_offers_the_office_instead(
    browse: Browse, town_hall: TownHall, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every section of the seu is built today: one more, not built, for the test (the live
    # server runs in this process).
    from seu import sections, views

    pending = sections.Section("arxiu", "Arxiu electrònic", "Documents arxivats.", "22")
    monkeypatch.setattr(views, "SECTIONS", [*sections.SECTIONS, pending])
    monkeypatch.setattr(views, "BY_SLUG", {**sections.BY_SLUG, "arxiu": pending})
    page = browse.page
    browse.goto("/")
    browse.click_and_wait(page.get_by_role("link", name="Arxiu electrònic", exact=True))

    assert path_of(page.url) == "/arxiu/"
    expect(page.get_by_role("heading", level=1)).to_have_text("Arxiu electrònic")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Aquesta secció encara no està disponible")
    expect(main).to_contain_text(town_hall.address)
    browse.click_and_wait(main.get_by_role("link", name="Tornar a l'inici"))
    assert path_of(page.url) == "/"


def test_an_unknown_page_is_a_404_in_the_seu_layout(browse: Browse, town_hall: TownHall) -> None:
    browse.goto("/no-existeix/", status=404)
    expect(browse.page.get_by_role("banner")).to_contain_text(town_hall.name)
