"""What the Chromium journey of case files (tests/e2e/test_case_journey.py) needs beyond the
harness of tests/e2e/conftest.py: a browser session per actor, each audited by axe like
``browse``; the back-office login with the TOTP code; the keyboard; and the checks of a sealed
PDF (poppler's pdfsig, pypdf's text)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Locator, expect
from pypdf import PdfReader
from pytest_django.live_server_helper import LiveServer

from devtools.clave_idp import LocalIdPServer
from seu.identity import PersonData
from seu.identity.staff_auth import current_code, enrol_totp_device
from tests.conftest import STAFF_PASSWORD, pdfsig
from tests.e2e.conftest import TIMEOUT_MS, Browse, path_of


@contextmanager
def session_of(browser: Browser, live_server: LiveServer, axe: Axe) -> Iterator[Browse]:
    """A browser session of its own (cookies, cache) for one more actor of the journey, audited
    as ``browse`` is: the test fails if a page it reached had an axe violation or a CSP report."""
    context = browser.new_context(locale="ca-ES", base_url=live_server.url, accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    visitor = Browse(page=context.new_page(), axe=axe)
    try:
        yield visitor
    finally:
        context.close()
    assert visitor.audited, "this actor never reached a page"
    assert not visitor.violations and not visitor.csp_reports, visitor.report()


def log_in_to_back_office(browse: Browse, user: User) -> None:
    """The back-office's login form, password and TOTP code (tested, and exempted from axe, in
    test_staff.py): the journey audits the pages after it."""
    device = enrol_totp_device(user)
    browse.goto("/gestio/", axe=False)
    assert path_of(browse.page.url).startswith("/gestio/login/")
    browse.submit(
        {
            "Nom d'usuari:": user.username,
            "Contrasenya:": STAFF_PASSWORD,
            "Codi de verificació:": current_code(device),
        },
        browse.page.get_by_role("button", name="Iniciar sessió"),
    )
    assert path_of(browse.page.url) == "/gestio/"


# --- Keyboard only ------------------------------------------------------------------------------

# A GOV.UK radio or checkbox is an invisible input: its focus shows on its label's box (::before).
FOCUS_STYLE = """el => {
    const boxed = (el.type === "radio" || el.type === "checkbox") && el.labels.length;
    const style = boxed ? getComputedStyle(el.labels[0], "::before") : getComputedStyle(el);
    return [style.outlineStyle, style.outlineWidth, style.outlineColor, style.boxShadow,
            style.backgroundColor, style.color].join(" | ");
}"""


def tab_to(browse: Browse, target: Locator, *, limit: int = 80) -> None:
    """Press Tab until ``target`` has the focus, and check that the focus shows: the element
    matches ``:focus-visible`` and looks different from how it looks without it."""
    page = browse.page
    unfocused = target.evaluate(FOCUS_STYLE)
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            break
    else:
        raise AssertionError(f"{limit} presses of Tab never reached {target}")
    assert target.evaluate("el => el.matches(':focus-visible')")
    focused = target.evaluate(FOCUS_STYLE)
    assert focused != unfocused, f"the focus does not show: {focused}"


def press_and_wait(browse: Browse, key: str = "Enter") -> None:
    """Press ``key`` on what has the focus, and audit the page it leads to."""
    with browse.page.expect_navigation():
        browse.page.keyboard.press(key)
    browse.audit()


def type_into(browse: Browse, field: Locator, text: str) -> None:
    """Tab to a field and type ``text`` over what it holds, as a person at the keyboard does."""
    tab_to(browse, field)
    browse.page.keyboard.press("ControlOrMeta+a")
    browse.page.keyboard.type(text)


# --- Sealed PDFs ----------------------------------------------------------------------------------


def text_of(pdf: bytes) -> str:
    """The text of every page, with runs of white space made one space (a long line may wrap)."""
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(text.split())


def assert_sealed(pdf: bytes, nss_db: str, tmp_path: Path) -> None:
    """The town hall's seal in ``pdf`` is valid and its certificate trusted, as poppler's pdfsig
    sees it. A document timestamp added later by the worker (a newer version) is only recognised
    by its field: pdfsig cannot validate that kind."""
    assert pdf.startswith(b"%PDF-")
    report = pdfsig(pdf, nss_db, tmp_path)
    blocks = re.split(r"^Signature #\d+:$", report, flags=re.MULTILINE)[1:]
    seals = [block for block in blocks if "Field Name: SegellAjuntament" in block]
    assert len(seals) == 1, report
    assert "Signature is Valid." in seals[0] and "Certificate is Trusted." in seals[0], report
    others = [block for block in blocks if block not in seals]
    assert all("Field Name: Timestamp-" in block for block in others), report


# --- The back-office's form pages -----------------------------------------------------------------

# The back-office pages of case files load Django's forms.css, which starts with
# `@import url("widgets.css")`: axe's own CSSOM preload copies such a sheet into a <style> element,
# which the CSP (style-src 'self') blocks and reports. They are audited with ``axe=False`` (as in
# test_notification_backoffice.py), and ``nothing_but_csp`` checks at the end that axe found
# nothing else on them.
FORM_PAGE = False


def reports_delivered(browse: Browse) -> None:
    """Let the browser deliver the CSP reports of the page audited last before the next audit."""
    browse.page.evaluate("() => new Promise((resolve) => setTimeout(resolve))")


def nothing_but_csp(browse: Browse) -> None:
    """On the exempted pages, axe found nothing but its own <style> blocked by the CSP."""
    assert not [found for found in browse.exempted if "Content Security Policy" not in found]


# --- More than one person at the identity provider (test_representation_journey.py) --------------


def identify_as(
    browse: Browse,
    local_idp: LocalIdPServer,
    person: PersonData,
    *,
    level: str = "Substancial",
) -> None:
    """On the local identity provider's page, a person other than its default one: their NIF,
    name and two surnames typed over the proposed ones, the level picked, and back to the seu."""
    page = browse.page
    assert page.url.startswith(local_idp.idp.sso_url), page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("Triau una identitat de prova")
    first, _, second = person.surnames.partition(" ")
    page.get_by_label(level, exact=True).check()
    browse.submit(
        {
            "NIF o NIE": person.nif,
            "Nom": person.given_name,
            "Primer llinatge": first,
            "Segon llinatge": second,
        },
        page.get_by_role("button", name="Identificar-me", exact=True),
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Tornada a la seu electrònica")
    browse.click_and_wait(page.get_by_role("button", name="Continuar"))


def choose_radio(browse: Browse, option: Locator, *, limit: int = 120) -> None:
    """Choose ``option`` of a radio group with the keyboard: Tab to the group (the focus lands on
    its checked radio, or on its first), then the arrow keys until ``option`` is checked."""
    group = option.evaluate("el => el.name")
    page = browse.page
    entry = page.locator(f'input[type="radio"][name="{group}"]:checked')
    if entry.count() == 0:
        entry = page.locator(f'input[type="radio"][name="{group}"]').first
    tab_to(browse, entry, limit=limit)
    for _ in range(page.locator(f'input[type="radio"][name="{group}"]').count()):
        if option.evaluate("el => el === document.activeElement"):
            break
        page.keyboard.press("ArrowDown")  # moves to the next radio and checks it
    if not option.is_checked():
        page.keyboard.press("Space")  # the first radio of a group none of which was checked
    expect(option).to_be_checked()
    expect(option).to_be_focused()


# The back-office's queue of case files.
QUEUE = "/gestio/expedients/expedient/"


def request_a_remedy(office: Browse, case_number: str, text: str) -> None:
    """The organ's clerk, in the back-office: the queue, the case, *Enviar el requeriment* with
    ``text`` (the steps of test_case_journey.py)."""
    office.goto(QUEUE, axe=FORM_PAGE)
    reports_delivered(office)
    row = office.page.locator("#queue tbody tr").filter(has_text=case_number)
    office.click_and_wait(row.get_by_role("link", name=case_number), axe=FORM_PAGE)
    reports_delivered(office)
    action = office.page.locator("#action-remedy")
    action.get_by_label("Què cal esmenar o aportar:").fill(text)
    office.click_and_wait(action.get_by_role("button", name="Enviar el requeriment"), axe=FORM_PAGE)
    reports_delivered(office)
    expect(office.page.locator("#case-state")).to_have_text("pendent d'esmena")
    expect(office.page.locator("#case-remedies")).to_contain_text(text)
    nothing_but_csp(office)
