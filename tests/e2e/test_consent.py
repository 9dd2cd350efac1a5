"""Issue 14 item 1 in Chromium: a person identified with Cl@ve at the substantial level goes from
«Les meves dades» to «Les meves notificacions > Preferències», is refused without the express
acceptance (what was typed stays), accepts electronic notification, changes the address, sees the
history, and revokes after confirming. axe-core checks every page; no JavaScript is needed."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from devtools.clave_idp import LocalIdPServer
from seu.models import TownHall
from tests.e2e.conftest import Browse, path_of
from tests.support.clave import at_the_identity_provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PREFERENCES = "/notificacions/preferencies/"


@pytest.mark.usefixtures("clave_on_the_live_server")
def test_a_person_accepts_changes_the_address_and_revokes_electronic_notification(
    browse: Browse, local_idp: LocalIdPServer, town_hall: TownHall
) -> None:
    page = browse.page
    browse.goto(PREFERENCES, status=None)
    browse.click_and_wait(page.get_by_role("link", name="Identificar-me amb Cl@ve"))
    at_the_identity_provider(browse, local_idp, level="Substancial")
    assert path_of(page.url) == PREFERENCES

    # Reached from «Les meves dades».
    browse.goto("/identificacio/les-meves-dades/")
    browse.click_and_wait(page.get_by_role("link", name="Les meves notificacions: preferències"))
    assert path_of(page.url) == PREFERENCES
    expect(page.locator("#estat")).to_contain_text("No l'heu acceptada")

    # Without ticking the box nothing is kept, and the address typed stays.
    accept = page.get_by_role("button", name="Acceptar la notificació electrònica")
    browse.submit({"Adreça electrònica per als avisos": "maria@exemple.cat"}, accept)
    expect(page.get_by_role("alert")).to_contain_text("cal que ho accepteu de manera expressa")
    expect(page.get_by_label("Adreça electrònica per als avisos")).to_have_value(
        "maria@exemple.cat"
    )
    page.get_by_label("La persona interessada accepta de manera expressa").check()
    browse.click_and_wait(page.get_by_role("button", name="Acceptar la notificació electrònica"))
    expect(page.get_by_text("Heu acceptat rebre les notificacions")).to_be_visible()
    expect(page.locator("#adreca-actual")).to_have_text("maria@exemple.cat")

    browse.submit(
        {"Nova adreça electrònica per als avisos": "feina@exemple.cat"},
        page.get_by_role("button", name="Canviar l'adreça"),
    )
    expect(page.locator("#adreca-actual")).to_have_text("feina@exemple.cat")
    history = page.locator("#historial tbody tr")
    expect(history).to_have_count(2)
    expect(history.nth(0)).to_contain_text("Adreça dels avisos canviada")
    expect(history.nth(0)).to_contain_text("Cl@ve, nivell substancial")
    expect(history.nth(1)).to_contain_text("Consentiment atorgat")

    # Revoking asks first; "no" keeps it.
    browse.click_and_wait(page.get_by_role("link", name="Revocar el consentiment"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Voleu revocar el consentiment a la notificació electrònica?"
    )
    browse.click_and_wait(page.get_by_role("link", name="No, mantenir-lo"))
    expect(page.locator("#adreca-actual")).to_have_text("feina@exemple.cat")
    browse.click_and_wait(page.get_by_role("link", name="Revocar el consentiment"))
    browse.click_and_wait(page.get_by_role("button", name="Sí, revocar el consentiment"))
    expect(page.get_by_text("Heu revocat el consentiment")).to_be_visible()
    expect(page.locator("#estat")).to_contain_text("Revocada")
    expect(history).to_have_count(3)
    expect(history.nth(0)).to_contain_text("Consentiment revocat")
