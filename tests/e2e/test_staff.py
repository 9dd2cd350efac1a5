"""Browser journeys of the staff side of identification (issue 3): the lockout after repeated failed
logins, and an authorised official identifying a citizen and acting on their behalf (art. 14)."""

from __future__ import annotations

from typing import cast

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from playwright.sync_api import expect

from seu.identity.staff_auth import current_code, enrol_totp_device
from seu.models import AuthorisedOfficial, Identification, TownHall
from tests.conftest import STAFF_PASSWORD
from tests.e2e.conftest import Browse, path_of
from tests.factories import AuthorisedOfficialFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOG_IN = "Iniciar sessió"


def log_in(browse: Browse, username: str, password: str, code: str, *, axe: bool = False) -> None:
    browse.submit(
        {"Nom d'usuari:": username, "Contrasenya:": password, "Codi de verificació:": code},
        browse.page.get_by_role("button", name=LOG_IN),
        axe=axe,
    )


def test_repeated_failed_logins_lock_the_account_and_say_so(
    browse: Browse, town_hall: TownHall, clerk: User
) -> None:
    page = browse.page
    device = enrol_totp_device(clerk)
    # Django's admin login page is exempt (see test_verification.py); the lockout page is ours.
    browse.goto("/gestio/login/", axe=False)
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(browse, clerk.username, f"wrong-{attempt}", "123456")
        expect(page.locator(".errornote").first).to_contain_text("No s'ha pogut iniciar la sessió")

    log_in(browse, clerk.username, "wrong-again", "123456", axe=True)

    expect(page.get_by_role("heading", level=1)).to_have_text("Accés bloquejat temporalment")
    expect(page.get_by_role("main")).to_contain_text("tampoc amb les dades correctes")

    # The right password and code are refused too until the cool-off ends.
    browse.goto("/gestio/login/", axe=False)
    log_in(browse, clerk.username, STAFF_PASSWORD, current_code(device), axe=True)
    expect(page.get_by_role("heading", level=1)).to_have_text("Accés bloquejat temporalment")
    assert path_of(page.url).startswith("/gestio/login/")


def test_an_authorised_official_identifies_a_citizen_and_acts_on_their_behalf(
    browse: Browse, town_hall: TownHall, clerk: User
) -> None:
    page = browse.page
    official = cast(AuthorisedOfficial, AuthorisedOfficialFactory.create(user=clerk))
    device = enrol_totp_device(clerk)
    browse.goto("/gestio/", axe=False)
    log_in(browse, clerk.username, STAFF_PASSWORD, current_code(device))
    assert path_of(page.url) == "/gestio/"

    browse.click_and_wait(
        page.get_by_role("link", name="Identificar una persona que no té mitjans propis (art. 14)"),
        axe=False,  # the admin layout (see test_verification.py)
    )
    expect(page.locator("#consent-text")).to_contain_text(official.full_name)
    page.get_by_label("NIF o NIE:").fill("12345678Z")
    page.get_by_label("Nom:", exact=True).fill("Margalida")
    page.get_by_label("Llinatges:").fill("Sureda Nicolau")
    page.get_by_label("La persona interessada ha llegit").check()
    browse.click_and_wait(
        page.get_by_role("button", name="Identificar la persona i actuar en nom seu")
    )

    # The portal (strict axe from here on) shows the session is an assisted one, and by whom.
    assert path_of(page.url) == "/"
    banner = page.get_by_role("banner")
    expect(banner).to_contain_text("Sessió assistida")
    expect(banner).to_contain_text(
        f"{official.full_name}, personal funcionari habilitat, actua en nom de "
        "Margalida Sureda Nicolau"
    )
    identification = Identification.objects.get()
    assert identification.official == official

    browse.goto("/identificacio/les-meves/")
    expect(page.get_by_role("main")).to_contain_text(
        f"identificació feta pel funcionari habilitat {official.full_name}"
    )

    browse.click_and_wait(banner.get_by_role("button", name="Acabar la sessió assistida"))
    expect(page.get_by_role("banner")).not_to_contain_text("Sessió assistida")
