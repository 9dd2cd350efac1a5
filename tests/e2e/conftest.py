"""The browser harness: Debian's Chromium driven by Playwright against pytest-django's live server,
with axe-core run on every page a journey visits.

A journey goes through the ``browse`` fixture (``goto``, ``click_and_wait``, ``submit``); after each
navigation it runs axe and records the violations, and the test fails at teardown if any page had
one. Content Security Policy reports in the console count as failures too: the pages must work with
no inline script or style.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db import connections
from playwright.sync_api import Browser, ConsoleMessage, Locator, Page, Response, sync_playwright
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from devtools.clave_idp import LocalIdPServer, start_local_idp
from devtools.pki import DevPki
from seu.identity import clave

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
T = TypeVar("T")

# Long enough for a page that seals a PDF on a loaded machine, short enough to fail fast.
TIMEOUT_MS = 15_000


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One Chromium for the whole browser suite.

    Package scope (this folder) rather than session: Playwright's sync API keeps its asyncio loop
    marked as running on the main thread while it is started, which would make every later
    ``asyncio.run`` fail and Django's ORM refuse to run outside this folder. While it runs, the
    tests themselves must use the ORM (factories, ``issue_document``) in that same thread, which
    Django only allows with ``DJANGO_ALLOW_ASYNC_UNSAFE``: nothing here is really asynchronous.
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A fresh context (no cookies, no cache) per test, as a Catalan-speaking visitor."""
    context = browser.new_context(locale="ca-ES", base_url=live_server.url, accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    new_page = context.new_page()
    yield new_page
    context.close()


@pytest.fixture(scope="package")
def axe() -> Axe:
    return Axe()  # reads axe-core's script once


@dataclass(frozen=True)
class Violation:
    url: str
    rule: str
    impact: str
    help: str
    help_url: str
    targets: list[str]

    def __str__(self) -> str:
        where = ", ".join(self.targets)
        return (
            f"{self.url}: [{self.impact}] {self.rule}: {self.help}\n"
            f"    at {where}\n    see {self.help_url}"
        )


@dataclass
class Browse:
    """What a visitor does, with an accessibility audit of every page reached.

    ``axe=False`` exempts the page reached from the zero-violation rule (axe and CSP alike). Only
    pages of Django's own admin may use it, with a comment saying why; their findings are still
    collected in ``exempted`` and printed, so they stay visible.
    """

    page: Page
    axe: Axe
    violations: list[Violation] = field(default_factory=list)
    csp_reports: list[str] = field(default_factory=list)
    exempted: list[str] = field(default_factory=list)
    audited: list[str] = field(default_factory=list)
    _exempt_page: bool = False

    def __post_init__(self) -> None:
        self.page.on("console", self._on_console)

    def _on_console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            report = f"{self.page.url}: {message.text}"
            (self.exempted if self._exempt_page else self.csp_reports).append(report)

    def audit(self, *, axe: bool = True) -> None:
        """Run axe on the page as it is now."""
        self.page.wait_for_load_state("load")
        results = self.axe.run(self.page)
        found = [
            Violation(
                url=self.page.url,
                rule=item["id"],
                impact=str(item.get("impact")),
                help=item["help"],
                help_url=item["helpUrl"],
                targets=[_target(node["target"]) for node in item["nodes"]],
            )
            for item in results.response["violations"]
        ]
        if axe:
            self.violations.extend(found)
        else:
            self.exempted.extend(map(str, found))
        self.audited.append(self.page.url)

    def goto(self, path: str, *, axe: bool = True, status: int | None = 200) -> Response:
        self._exempt_page = not axe
        response = self.page.goto(path)
        assert response is not None
        if status is not None:
            assert response.status == status, f"{path}: HTTP {response.status}"
        self.audit(axe=axe)
        return response

    def click_and_wait(self, locator: Locator, *, axe: bool = True) -> Response | None:
        """Follow a link (or press a button) and audit the page it leads to."""
        self._exempt_page = not axe
        with self.page.expect_navigation() as navigation:
            locator.click()
        self.audit(axe=axe)
        return navigation.value

    def submit(
        self, fields: dict[str, str], button: Locator, *, axe: bool = True
    ) -> Response | None:
        """Fill the fields (label -> value) and send the form with ``button``."""
        for label, value in fields.items():
            self.page.get_by_label(label, exact=True).fill(value)
        return self.click_and_wait(button, axe=axe)

    def report(self) -> str:
        lines = [f"{len(self.violations)} accessibility violation(s):"]
        lines += [str(v) for v in self.violations]
        if self.csp_reports:
            lines.append(f"{len(self.csp_reports)} Content Security Policy report(s):")
            lines += self.csp_reports
        return "\n".join(lines)


def _target(selector: Any) -> str:
    # axe gives a list of selectors (one per nested frame or shadow root).
    return " >> ".join(map(str, selector)) if isinstance(selector, list) else str(selector)


@pytest.fixture
def browse(page: Page, axe: Axe) -> Iterator[Browse]:
    visitor = Browse(page=page, axe=axe)
    yield visitor
    if visitor.exempted:
        print(f"\n{len(visitor.exempted)} finding(s) on exempted admin pages (not failing):")
        for violation in visitor.exempted:
            print(violation)
    assert visitor.audited, "the journey never reached a page"
    assert not visitor.violations and not visitor.csp_reports, visitor.report()


def path_of(url: str) -> str:
    """The path and query of an absolute URL, to compare with ``reverse``."""
    return re.sub(r"^https?://[^/]+", "", url)


def off_the_browser_thread(function: Callable[[], T]) -> T:
    """Run ``function`` in a thread of its own and return its result.

    Code that calls ``asyncio.run`` (pyHanko's ``sign_pdf``, so ``issue_document``) cannot run on
    the thread where Playwright's sync API keeps its event loop; the live server's threads never
    have that problem, only the test's own set-up.
    """

    def run() -> T:
        try:
            return function()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


# --- Cl@ve's local identity provider ----------------------------------------------------------


@pytest.fixture(scope="module")
def local_idp(dev_pki: DevPki) -> Iterator[LocalIdPServer]:
    # Published as "localhost", the live server's host: the identity provider and the seu are then
    # on the same site, as 127.0.0.1:8002 and 127.0.0.1:8000 are with `make run`.
    server = start_local_idp(public_host="localhost")
    yield server
    server.shutdown()
    server.server_close()
    clave.forget_configuration()


@pytest.fixture
def clave_on_the_live_server(
    live_server: LiveServer, local_idp: LocalIdPServer, settings: Settings
) -> None:
    """Cl@ve's local identity provider for the live server (a journey that identifies with Cl@ve
    takes it with ``pytest.mark.usefixtures``)."""
    settings.SEU_BASE_URL = live_server.url
    settings.CLAVE_IDP_METADATA = local_idp.metadata_url
