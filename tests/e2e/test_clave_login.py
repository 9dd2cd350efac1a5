"""A citizen identifies with Cl@ve in Chromium, through the local identity provider, with axe-core
checking every page on the way, the identity provider's included."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from devtools.clave_idp import LocalIdPServer
from seu.models import Identification
from tests.e2e.conftest import Browse, path_of
from tests.support.clave import at_the_identity_provider

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("clave_on_the_live_server"),
]


def test_a_citizen_identifies_with_clave_and_sees_it_among_their_identifications(
    browse: Browse, local_idp: LocalIdPServer
) -> None:
    page = browse.page
    browse.goto("/")
    account = page.get_by_role("navigation", name="Identificació")
    browse.click_and_wait(account.get_by_role("link", name="Identificar-me"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Identificar-me")

    browse.click_and_wait(page.get_by_role("link", name="Identificar-me amb Cl@ve"))
    at_the_identity_provider(browse, local_idp, level="Substancial", given_name="Caterina")

    assert path_of(page.url) == "/"
    expect(page.locator("#salutacio")).to_have_text("Hola, Caterina Bennàssar Riera")
    browse.click_and_wait(account.get_by_role("link", name="Les meves identificacions"))
    row = page.get_by_role("row").filter(has_text="Cl@ve")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("substancial")

    identification = Identification.objects.get()
    assert identification.method == Identification.Method.CLAVE
    assert identification.person.nif == "12345678Z"


def test_a_low_clave_login_is_asked_to_reach_substantial_for_personal_data(
    browse: Browse, local_idp: LocalIdPServer
) -> None:
    page = browse.page
    browse.goto("/identificacio/?next=/")
    browse.click_and_wait(page.get_by_role("link", name="Identificar-me amb Cl@ve"))
    at_the_identity_provider(browse, local_idp, level="Baix")
    assert path_of(page.url) == "/"

    browse.goto("/identificacio/les-meves-dades/", status=403)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Cal un nivell d'identificació més alt"
    )
    browse.click_and_wait(page.get_by_role("link", name="Identificar-me amb un nivell suficient"))
    browse.click_and_wait(page.get_by_role("link", name="Identificar-me amb Cl@ve"))
    expect(page.get_by_label("Substancial", exact=True)).to_be_checked()  # as the page needs
    at_the_identity_provider(browse, local_idp, level="Substancial")

    assert path_of(page.url) == "/identificacio/les-meves-dades/"
    expect(page.get_by_role("heading", level=1)).to_have_text("Les meves dades")
    expect(page.get_by_role("main")).to_contain_text("12345678Z")
    assert [item.loa for item in Identification.objects.order_by("at")] == ["low", "substantial"]
