"""The citizens' development PKI and what the certificate tests share: the PKI, its OCSP responders
and CRLs, a trust file naming them, nginx in front of the live server, and the headers the proxy
adds. A pytest plugin (``pytest_plugins`` in tests/conftest.py): its fixtures are found by name in
every test module, without importing them.
"""

from __future__ import annotations

import base64
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko_certvalidator import ValidationContext
from pytest_django.fixtures import Settings as SettingsWrapper
from pytest_django.live_server_helper import LiveServer

from devtools.pki import CitizenPki, DevPki, ensure_citizen_pki, write_citizen_trust
from devtools.servers import DevServicesServer, find_nginx, free_port, start_nginx

# The proxy, as the settings trust it in these tests: its address and its shared secret.
PROXY = "127.0.0.1"
SECRET = "test-proxy-secret-0123456789abcdef"


@pytest.fixture(scope="session")
def citizen_pki(dev_pki: DevPki) -> CitizenPki:
    return ensure_citizen_pki(dev_pki.directory)


@pytest.fixture
def responders(dev_services: DevServicesServer) -> Iterator[DevServicesServer]:
    """The dev OCSP responders and CRLs, answering, with their counters at zero."""
    dev_services.reset_revocation()
    yield dev_services
    dev_services.reset_revocation()


@pytest.fixture
def citizen_trust(
    citizen_pki: CitizenPki,
    responders: DevServicesServer,
    settings: SettingsWrapper,
    tmp_path: Path,
) -> Path:
    """A trust file naming this session's responders; the proxy trusted with its secret."""
    path = write_citizen_trust(citizen_pki, responders.base_url, tmp_path / "citizen-trust.toml")
    settings.CITIZEN_TRUST_FILE = path
    settings.CERT_REVOCATION_CACHE_SECONDS = 300
    settings.TRUSTED_PROXIES = [PROXY]
    settings.PROXY_SHARED_SECRET = SECRET
    return path


@pytest.fixture(scope="module")
def nginx(
    live_server: LiveServer, citizen_pki: CitizenPki, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """nginx on a free port in front of the live server; its https:// base address."""
    if find_nginx() is None:
        pytest.skip("nginx is not installed (scripts/install-system-deps test)")
    port = free_port()
    process = start_nginx(
        tmp_path_factory.mktemp("nginx"),
        upstream=f"127.0.0.1:{urlsplit(live_server.url).port}",
        https_port=port,
        server_cert=citizen_pki.server_cert,
        server_key=citizen_pki.server_key,
        proxy_secret=SECRET,
    )
    yield f"https://127.0.0.1:{port}"
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def der_of(pki: CitizenPki, name: str) -> bytes:
    cert = x509.load_pem_x509_certificate(pki.citizen(name).cert.read_bytes())
    return cert.public_bytes(serialization.Encoding.DER)


def rfc9440(der: bytes) -> str:
    return ":" + base64.b64encode(der).decode() + ":"


def proxy_headers(der: bytes | None) -> dict[str, str]:
    """What nginx adds to a request (Django's test client spelling)."""
    headers = {"REMOTE_ADDR": PROXY, "HTTP_X_SEU_PROXY_SECRET": SECRET, "HTTP_X_REAL_IP": "1.2.3.4"}
    if der is not None:
        headers["HTTP_CLIENT_CERT"] = rfc9440(der)
    return headers


def independent_context(pki: DevPki) -> ValidationContext:
    """A validation context trusting the development root alone, built here rather than by
    ``documents.sealing``: what the seal's own code thinks is not what is checked."""
    _, _, der = pem.unarmor(pki.root_cert.read_bytes())
    return ValidationContext(trust_roots=[asn1_x509.Certificate.load(der)], allow_fetching=False)
