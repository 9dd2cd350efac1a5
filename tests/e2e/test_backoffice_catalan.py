"""The back-office's selection counter, written by Django's JavaScript from its catalogue, reads in
Catalan (issue 13.5): Django's Catalan plural said "0 of 1 seleccionats"."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from seu.identity.staff_auth import current_code, enrol_totp_device
from tests.conftest import STAFF_PASSWORD
from tests.e2e.conftest import Browse, path_of
from tests.factories import TownHallFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_selection_counter_of_a_list_reads_in_catalan(browse: Browse) -> None:
    TownHallFactory()
    administrator: User = UserFactory(username="administradora", superuser=True)  # type: ignore[assignment]
    device = enrol_totp_device(administrator)
    page = browse.page

    browse.goto("/gestio/auth/user/", axe=False)  # the login form, tested elsewhere
    browse.submit(
        {
            "Nom d'usuari:": administrator.username,
            "Contrasenya:": STAFF_PASSWORD,
            "Codi de verificació:": current_code(device),
        },
        page.get_by_role("button", name="Iniciar sessió"),
    )
    assert path_of(page.url) == "/gestio/auth/user/"

    counter = page.locator(".action-counter")
    expect(counter).to_have_text("0 de 1 seleccionats")
    page.get_by_role(
        "checkbox", name="Seleccioneu aquest objecte per a una acció - administradora"
    ).check()
    expect(counter).to_have_text("1 de 1 seleccionat")
    expect(page.get_by_role("link", name="Anar al contingut principal")).to_be_attached()
