"""Identifying with Cl@ve in a browser journey: what the person does on the local identity
provider's page (``devtools.clave_idp``); the identity provider itself is a fixture of
tests/e2e/conftest.py."""

from __future__ import annotations

from playwright.sync_api import expect

from devtools.clave_idp import LocalIdPServer
from tests.e2e.conftest import Browse


def at_the_identity_provider(
    browse: Browse, local_idp: LocalIdPServer, *, level: str, given_name: str = ""
) -> None:
    """Pick the identity and the level on the identity provider's page, then come back."""
    page = browse.page
    assert page.url.startswith(local_idp.idp.sso_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Triau una identitat de prova")
    expect(page.get_by_label("NIF o NIE", exact=True)).to_have_value("12345678Z")
    page.get_by_label(level, exact=True).check()
    fields = {"Nom": given_name} if given_name else {}
    browse.submit(fields, page.get_by_role("button", name="Identificar-me", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Tornada a la seu electrònica")
    browse.click_and_wait(page.get_by_role("button", name="Continuar"))
