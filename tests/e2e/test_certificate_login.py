"""A citizen logs in with an electronic certificate in a real browser.

Debian's Chromium reads client certificates from the NSS database in ``$HOME/.pki/nssdb``: this
Chromium runs with a ``HOME`` of its own, where the citizen's PKCS#12 file is imported with
``pk12util`` and the development root trusted with ``certutil`` (so nginx's server certificate is
trusted too, without ``--ignore-certificate-errors``). The managed policy
``AutoSelectCertificateForUrls`` (read from /etc/chromium/policies/managed/) picks the certificate
for nginx's address, which a headless browser has no dialog for. nginx (deploy/nginx/seu.conf) asks
for the certificate and passes it to the live server, as in production.
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, expect

from devtools.pki import CITIZEN_PASSWORD, CitizenPki
from devtools.servers import DevServicesServer
from seu.models import Identification, LoA
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, Browse, path_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POLICY_DIR = Path("/etc/chromium/policies/managed")
ISSUER_CN = "AC FNMT Usuarios (desenvolupament)"


@pytest.fixture
def certificate_home(citizen_pki: CitizenPki, tmp_path: Path) -> Path:
    """A HOME whose NSS database holds the citizen's certificate and trusts the dev root."""
    home = tmp_path / "home"
    nssdb = home / ".pki" / "nssdb"
    nssdb.mkdir(parents=True)
    database = f"sql:{nssdb}"

    def run(*args: str) -> None:
        subprocess.run(args, check=True, capture_output=True, timeout=30)

    run("certutil", "-N", "-d", database, "--empty-password")
    run(
        "pk12util",
        "-i",
        str(citizen_pki.citizen("fnmt-natural").p12),
        "-d",
        database,
        "-W",
        CITIZEN_PASSWORD,
        "-K",
        "",
    )
    run(
        "certutil",
        "-A",
        "-d",
        database,
        "-n",
        "seu-dev-root",
        "-t",
        "C,,",
        "-i",
        str(citizen_pki.root_cert),
    )
    return home


@pytest.fixture
def auto_select_policy(nginx: str) -> Iterator[Path]:
    """The machine-wide managed policy that chooses the certificate for nginx's address only."""
    created = not POLICY_DIR.exists()
    path = POLICY_DIR / f"seu-test-certificate-{uuid.uuid4().hex}.json"
    try:
        POLICY_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text("{}")
    except PermissionError:
        pytest.skip(f"writing Chromium's managed policies in {POLICY_DIR} needs root")
    rule = {"pattern": nginx, "filter": {"ISSUER": {"CN": ISSUER_CN}}}
    path.write_text(json.dumps({"AutoSelectCertificateForUrls": [json.dumps(rule)]}))
    yield path
    path.unlink(missing_ok=True)
    if created:
        for folder in (POLICY_DIR, POLICY_DIR.parent):
            try:
                folder.rmdir()  # only if empty: another test may have put its own policy there
            except OSError:
                break


@pytest.fixture
def certificate_browse(
    browser: Browser,
    axe: Axe,
    nginx: str,
    certificate_home: Path,
    auto_select_policy: Path,
) -> Iterator[Browse]:
    """A Chromium of its own (its HOME holds the certificate), audited like ``browse``."""
    chromium = browser.browser_type.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=CHROMIUM_ARGS,
        env={**os.environ, "HOME": str(certificate_home)},
    )
    context = chromium.new_context(locale="ca-ES", base_url=nginx)
    context.set_default_timeout(TIMEOUT_MS)
    visitor = Browse(page=context.new_page(), axe=axe)
    try:
        yield visitor
    finally:
        context.close()
        chromium.close()
    assert visitor.audited, "the journey never reached a page"
    assert not visitor.violations and not visitor.csp_reports, visitor.report()


def test_a_citizen_logs_in_with_a_certificate_and_sees_the_identification(
    certificate_browse: Browse,
    citizen_trust: Path,
    responders: DevServicesServer,
) -> None:
    browse = certificate_browse
    page = browse.page
    browse.goto("/")
    banner = page.get_by_role("banner")
    expect(banner).not_to_contain_text("Hola,")

    browse.click_and_wait(banner.get_by_role("link", name="Identificar-me", exact=True))
    assert path_of(page.url).startswith("/identificacio/")
    browse.click_and_wait(page.get_by_role("link", name="Identificar-me amb certificat"))

    # nginx asked for the certificate, Chromium chose it by the policy, the seu validated it.
    assert path_of(page.url) == "/"
    expect(page.locator("#salutacio")).to_have_text("Hola, MARIA GARCIA FERRER")

    browse.click_and_wait(banner.get_by_role("link", name="Les meves identificacions"))
    assert path_of(page.url) == "/identificacio/les-meves/"
    rows = page.get_by_role("main").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("certificat electrònic")
    expect(rows.first).to_contain_text("alt")
    expect(rows.first).to_contain_text(ISSUER_CN)

    [identification] = Identification.objects.all()
    assert identification.person.nif == "12345678Z"
    assert identification.method == Identification.Method.CERTIFICATE
    assert identification.loa == LoA.HIGH


def test_a_refused_login_explains_itself_accessibly(
    certificate_browse: Browse,
    citizen_trust: Path,
    responders: DevServicesServer,
) -> None:
    responders.ocsp_failing = True
    responders.crl_failing = True
    browse = certificate_browse
    page = browse.page
    browse.goto("/identificacio/certificat/", status=503)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "No us hem pogut identificar amb el certificat"
    )
    expect(page.get_by_role("alert")).to_contain_text("no podem comprovar amb el prestador")
    browse.click_and_wait(page.get_by_role("link", name="Tornar a la pàgina d'identificació"))
    assert path_of(page.url).startswith("/identificacio/")
    expect(page.get_by_role("banner")).not_to_contain_text("Hola,")
    assert Identification.objects.count() == 0
