"""Certificate login end to end with a real client: curl presents a citizen certificate to Debian's
nginx (running deploy/nginx/seu.conf, ``ssl_verify_client optional_no_ca``), which passes it in
``Client-Cert`` with the proxy secret to the seu served by pytest-django's live server.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from pytest_django.fixtures import Settings as SettingsWrapper
from pytest_django.live_server_helper import LiveServer

from devtools.pki import CitizenPki
from devtools.servers import DevServicesServer
from seu.models import Identification, LoA
from tests.support.pki import SECRET, der_of, rfc9440

pytestmark = pytest.mark.django_db(transaction=True)

LOGIN = "/identificacio/certificat/"


@dataclass(frozen=True)
class Answer:
    status: int
    headers: str
    body: str


def curl(
    url: str,
    *,
    pki: CitizenPki | None = None,
    certificate: str | None = None,
    headers: tuple[str, ...] = (),
    jar: Path | None = None,
    follow: bool = False,
) -> Answer:
    """What curl gets (the last response when following redirects)."""
    args = ["curl", "--silent", "--show-error", "--insecure", "--max-time", "20"]
    args += ["--dump-header", "-", "--write-out", "\n%{http_code}"]
    if certificate is not None:
        assert pki is not None
        files = pki.citizen(certificate)
        args += ["--cert", str(files.cert), "--key", str(files.key)]
    for header in headers:
        args += ["--header", header]
    if jar is not None:
        args += ["--cookie", str(jar), "--cookie-jar", str(jar)]
    if follow:
        args.append("--location")
    done = subprocess.run([*args, url], capture_output=True, text=True, timeout=30, check=True)
    output, _, status = done.stdout.rpartition("\n")
    # With --location every response's headers come first; the body follows the last ones.
    *_, last_headers_and_body = output.split("HTTP/1.1 ")
    head, _, body = last_headers_and_body.partition("\n\n")  # text mode: CRLF read as LF
    return Answer(status=int(status), headers=head, body=body)


def serial_of(pki: CitizenPki, name: str) -> str:
    cert = x509.load_pem_x509_certificate(pki.citizen(name).cert.read_bytes())
    return f"{cert.serial_number:X}"


@pytest.mark.parametrize(
    ("certificate", "greeting", "issuer"),
    [
        ("fnmt-natural", "Hola, MARIA GARCIA FERRER", "AC FNMT Usuarios (desenvolupament)"),
        ("dnie", "Hola, JOAN PONS MARTI", "AC DNIE 004 (desenvolupament)"),
        (
            "fnmt-representative",
            "Hola, MARIA GARCIA FERRER (en representació de SERVEIS DEL LLEVANT SL)",
            "AC Representación (desenvolupament)",
        ),
    ],
)
def test_curl_with_a_citizen_certificate_logs_in_and_is_greeted_by_name(
    nginx: str,
    citizen_pki: CitizenPki,
    citizen_trust: Path,
    tmp_path: Path,
    certificate: str,
    greeting: str,
    issuer: str,
) -> None:
    jar = tmp_path / "cookies"
    login = curl(
        f"{nginx}{LOGIN}?next=/identificacio/les-meves/",
        pki=citizen_pki,
        certificate=certificate,
        jar=jar,
    )
    assert login.status == 302, login.body
    assert "cache-control: no-store" in login.headers.lower()
    assert "client-cert" in login.headers.lower()  # in Vary

    # The session works on its own (no certificate this time, only the cookie).
    mine = curl(f"{nginx}/identificacio/les-meves/", jar=jar)
    assert mine.status == 200
    assert greeting in mine.body
    assert "certificat electrònic" in mine.body.lower()
    assert issuer in mine.body

    [identification] = Identification.objects.all()
    assert identification.method == Identification.Method.CERTIFICATE
    assert identification.loa == LoA.HIGH
    assert identification.certificate_serial == serial_of(citizen_pki, certificate)
    assert identification.ip_address == "127.0.0.1"  # nginx's X-Real-IP


def test_following_the_redirect_lands_on_the_page_asked_for(
    nginx: str, citizen_pki: CitizenPki, citizen_trust: Path, tmp_path: Path
) -> None:
    answer = curl(
        f"{nginx}{LOGIN}?next=/identificacio/les-meves/",
        pki=citizen_pki,
        certificate="fnmt-natural",
        jar=tmp_path / "cookies",
        follow=True,
    )
    assert answer.status == 200
    assert "Les meves identificacions" in answer.body
    assert "Hola, MARIA GARCIA FERRER" in answer.body


@pytest.mark.parametrize(
    ("certificate", "says"),
    [
        ("expired", "El vostre certificat va caducar el"),
        ("revoked", "El vostre certificat ha estat revocat"),
        ("self-signed", "Aquest certificat està signat per ell mateix"),
        ("untrusted", "Aquest certificat no l&#x27;ha emès cap prestador admès per la seu."),
        ("invalid-nif", "El certificat no conté un NIF, NIE o CIF vàlid."),
    ],
)
def test_a_certificate_that_identifies_nobody_gets_a_clear_refusal(
    nginx: str, citizen_pki: CitizenPki, citizen_trust: Path, certificate: str, says: str
) -> None:
    answer = curl(f"{nginx}{LOGIN}", pki=citizen_pki, certificate=certificate)
    assert answer.status == 403
    assert "No us hem pogut identificar amb el certificat" in answer.body
    assert says in answer.body
    assert "Què podeu fer" in answer.body
    assert 'href="/identificacio/?next=%2F"' in answer.body
    assert Identification.objects.count() == 0


def test_a_revoked_certificate_is_refused_from_the_crl_when_ocsp_is_down(
    nginx: str, citizen_pki: CitizenPki, citizen_trust: Path, responders: DevServicesServer
) -> None:
    responders.ocsp_failing = True
    answer = curl(f"{nginx}{LOGIN}", pki=citizen_pki, certificate="revoked")
    assert answer.status == 403
    assert "El vostre certificat ha estat revocat" in answer.body
    assert responders.ocsp_requests == {"fnmt-usuarios": 1}
    assert responders.crl_requests == {"fnmt-usuarios": 1}
    assert Identification.objects.count() == 0


def test_no_revocation_answer_means_no_login(
    nginx: str, citizen_pki: CitizenPki, citizen_trust: Path, responders: DevServicesServer
) -> None:
    responders.ocsp_failing = True
    responders.crl_failing = True
    answer = curl(f"{nginx}{LOGIN}", pki=citizen_pki, certificate="fnmt-natural")
    assert answer.status == 503
    assert "no podem comprovar amb el prestador" in answer.body
    assert Identification.objects.count() == 0


def test_a_forged_header_sent_straight_to_the_app_is_refused(
    live_server: LiveServer, citizen_pki: CitizenPki, citizen_trust: Path
) -> None:
    answer = curl(
        f"{live_server.url}{LOGIN}",
        headers=(
            f"Client-Cert: {rfc9440(der_of(citizen_pki, 'fnmt-natural'))}",
            "X-Real-IP: 127.0.0.1",
        ),
    )
    assert answer.status == 400
    assert "no ha passat per la connexió segura de la seu" in answer.body
    assert Identification.objects.count() == 0


def test_a_client_sent_header_without_a_certificate_is_dropped_by_nginx(
    nginx: str, citizen_pki: CitizenPki, citizen_trust: Path
) -> None:
    answer = curl(
        f"{nginx}{LOGIN}",
        headers=(
            f"Client-Cert: {rfc9440(der_of(citizen_pki, 'fnmt-natural'))}",
            f"X-Seu-Proxy-Secret: {SECRET}",
        ),
    )
    assert answer.status == 403
    assert "El navegador no ha presentat cap certificat electrònic." in answer.body
    assert Identification.objects.count() == 0


def test_a_client_sent_header_cannot_replace_the_certificate_presented(
    nginx: str, citizen_pki: CitizenPki, citizen_trust: Path, tmp_path: Path
) -> None:
    answer = curl(
        f"{nginx}{LOGIN}",
        pki=citizen_pki,
        certificate="fnmt-natural",
        headers=(f"Client-Cert: {rfc9440(der_of(citizen_pki, 'dnie'))}",),
    )
    assert answer.status == 302
    [identification] = Identification.objects.all()
    assert identification.person.nif == "12345678Z"  # the TLS certificate's, not the header's


def test_without_a_certificate_through_nginx_the_page_says_how_to_present_one(
    nginx: str, citizen_trust: Path
) -> None:
    answer = curl(f"{nginx}{LOGIN}")
    assert answer.status == 403
    assert "triau el certificat" in answer.body
    assert Identification.objects.count() == 0


def test_a_proxy_with_the_wrong_secret_is_not_believed(
    nginx: str, citizen_pki: CitizenPki, citizen_trust: Path, settings: SettingsWrapper
) -> None:
    settings.PROXY_SHARED_SECRET = "another-secret-than-the-proxys"
    answer = curl(f"{nginx}{LOGIN}", pki=citizen_pki, certificate="fnmt-natural")
    assert answer.status == 400
    assert Identification.objects.count() == 0


def test_an_expired_certificate_in_the_browser_does_not_lock_out_public_pages(
    nginx: str, citizen_pki: CitizenPki, citizen_trust: Path
) -> None:
    # nginx alone would answer every request with its bare 400 "SSL certificate error".
    answer = curl(f"{nginx}/", pki=citizen_pki, certificate="expired")
    assert answer.status == 200
    assert "Identificar-me" in answer.body
    assert Identification.objects.count() == 0
