"""Certificate identification without a proxy in front: reading the header, trusting only the proxy,
the identity in Spanish certificates, validation with revocation from the configured responders
only (and its cache), and the login view driven by Django's test client.

The nginx journey is in test_certificate_login_nginx.py, the browser one in
tests/e2e/test_certificate_login.py; the fixtures and helpers they share with this module are in
tests/support/pki.py.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation
from pytest_django.fixtures import Settings as SettingsWrapper

from devtools.pki import (
    DEV_CITIZENS,
    CitizenPki,
    citizen_subject,
    issue_citizen_certificate,
)
from devtools.servers import DevServicesServer
from seu import calendar
from seu.identity import certificates
from seu.models import Identification, LoA
from tests.support.pki import PROXY, SECRET, der_of, proxy_headers, rfc9440

CITIZEN = {citizen.name: citizen for citizen in DEV_CITIZENS}


# --- The header and who may send it ---------------------------------------------------------------


def test_the_header_is_read_as_an_rfc_9440_byte_sequence(citizen_pki: CitizenPki) -> None:
    der = der_of(citizen_pki, "fnmt-natural")
    assert certificates.parse_client_cert_header(rfc9440(der)) == der


def test_the_header_is_read_as_the_url_encoded_pem_nginx_can_give_too(
    citizen_pki: CitizenPki,
) -> None:
    der = der_of(citizen_pki, "fnmt-natural")
    pem = citizen_pki.citizen("fnmt-natural").cert.read_text()
    assert certificates.parse_client_cert_header(quote(pem, safe="")) == der
    # nginx's $ssl_client_escaped_cert leaves some characters as they are.
    assert certificates.parse_client_cert_header(quote(pem, safe="/+=")) == der


@pytest.mark.parametrize(
    "value",
    [
        "",
        ":",
        "::",
        ":not base64!:",
        ":Zm9v",
        "Zm9vYmFy",
        "%2D%2D%2D%2D%2Dgarbage",
        ":Zm9v:, :YmFy:",
    ],
)
def test_a_header_that_is_not_a_certificate_is_malformed(value: str) -> None:
    with pytest.raises(certificates.MalformedCertificate):
        certificates.parse_client_cert_header(value)


@pytest.mark.parametrize(
    ("address", "secret"),
    [("203.0.113.7", SECRET), (PROXY, None), (PROXY, "wrong-secret"), ("203.0.113.7", None)],
    ids=["other-address", "no-secret", "wrong-secret", "neither"],
)
def test_a_client_cert_header_not_sent_by_the_proxy_is_refused_and_logged(
    citizen_pki: CitizenPki,
    settings: SettingsWrapper,
    rf: RequestFactory,
    caplog: pytest.LogCaptureFixture,
    address: str,
    secret: str | None,
) -> None:
    settings.TRUSTED_PROXIES = [PROXY]
    settings.PROXY_SHARED_SECRET = SECRET
    extra = {"REMOTE_ADDR": address, "HTTP_CLIENT_CERT": rfc9440(der_of(citizen_pki, "dnie"))}
    if secret is not None:
        extra["HTTP_X_SEU_PROXY_SECRET"] = secret
    with (
        caplog.at_level(logging.WARNING, logger="seu.security"),
        pytest.raises(certificates.ForgedCertificateHeader) as refused,
    ):
        certificates.certificate_from_request(rf.get("/", **extra))  # type: ignore[arg-type]
    assert refused.value.http_status == 400
    [record] = [r for r in caplog.records if r.name == "seu.security"]
    assert "Client-Cert header refused" in record.getMessage()
    assert address in record.getMessage()


def test_without_a_configured_secret_nobody_is_the_proxy(
    citizen_pki: CitizenPki, settings: SettingsWrapper, rf: RequestFactory
) -> None:
    settings.TRUSTED_PROXIES = [PROXY]
    settings.PROXY_SHARED_SECRET = ""
    request = rf.get(
        "/",
        REMOTE_ADDR=PROXY,
        HTTP_X_SEU_PROXY_SECRET="",
        HTTP_CLIENT_CERT=rfc9440(der_of(citizen_pki, "dnie")),
    )
    with pytest.raises(certificates.ForgedCertificateHeader):
        certificates.certificate_from_request(request)


def test_the_proxy_with_its_secret_is_believed(
    citizen_pki: CitizenPki, settings: SettingsWrapper, rf: RequestFactory
) -> None:
    settings.TRUSTED_PROXIES = [PROXY]
    settings.PROXY_SHARED_SECRET = SECRET
    der = der_of(citizen_pki, "dnie")
    request = rf.get("/", **proxy_headers(der))  # type: ignore[arg-type]
    assert certificates.certificate_from_request(request) == der
    with pytest.raises(certificates.NoCertificate):
        certificates.certificate_from_request(rf.get("/", **proxy_headers(None)))  # type: ignore[arg-type]


# --- Identity as Spanish certificates carry it ----------------------------------------------------


def _certificate(pki: CitizenPki, name: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pki.citizen(name).cert.read_bytes())


def test_an_fnmt_natural_person_certificate_names_the_person(citizen_pki: CitizenPki) -> None:
    identity = certificates.extract_identity(_certificate(citizen_pki, "fnmt-natural"))
    assert identity.person.nif == "12345678Z"
    assert (identity.person.given_name, identity.person.surnames) == ("MARIA", "GARCIA FERRER")
    assert identity.represented_entity is None


def test_a_dnie_certificate_names_the_person(citizen_pki: CitizenPki) -> None:
    identity = certificates.extract_identity(_certificate(citizen_pki, "dnie"))
    assert identity.person.nif == CITIZEN["dnie"].nif
    assert (identity.person.given_name, identity.person.surnames) == ("JOAN", "PONS MARTI")


def test_an_older_dnie_with_the_name_only_in_the_common_name_is_read_too(
    citizen_pki: CitizenPki,
) -> None:
    issuer, issuer_key = citizen_pki.load_issuer("dnie-004")
    subject = x509.Name(
        [
            x509.NameAttribute(x509.NameOID.COUNTRY_NAME, "ES"),
            x509.NameAttribute(x509.NameOID.SERIAL_NUMBER, "12345678Z"),  # bare, no IDCES-
            x509.NameAttribute(x509.NameOID.COMMON_NAME, "PONS MARTI, JOAN (AUTENTICACIÓN)"),
        ]
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = issue_citizen_certificate(
        subject, key.public_key(), issuer=issuer, issuer_key=issuer_key
    )
    identity = certificates.extract_identity(cert)
    assert identity.person.nif == "12345678Z"
    assert (identity.person.given_name, identity.person.surnames) == ("JOAN", "PONS MARTI")


def test_a_representative_certificate_names_the_person_and_the_entity(
    citizen_pki: CitizenPki,
) -> None:
    identity = certificates.extract_identity(_certificate(citizen_pki, "fnmt-representative"))
    assert identity.person.nif == "12345678Z"
    assert identity.person.surnames == "GARCIA FERRER"
    assert identity.represented_entity is not None
    assert identity.represented_entity.nif == "B12345674"
    assert identity.represented_entity.legal_name == "SERVEIS DEL LLEVANT SL"


def test_a_certificate_without_a_valid_nif_names_nobody(citizen_pki: CitizenPki) -> None:
    with pytest.raises(certificates.InvalidCertificateNif):
        certificates.extract_identity(_certificate(citizen_pki, "invalid-nif"))


def test_a_representative_certificate_with_an_invalid_entity_nif_names_nobody(
    citizen_pki: CitizenPki,
) -> None:
    issuer, issuer_key = citizen_pki.load_issuer("fnmt-representacion")
    wrong = replace(CITIZEN["fnmt-representative"], entity_cif="B12345675")
    key = ec.generate_private_key(ec.SECP256R1())
    cert = issue_citizen_certificate(
        citizen_subject(wrong), key.public_key(), issuer=issuer, issuer_key=issuer_key
    )
    with pytest.raises(certificates.InvalidCertificateNif) as refused:
        certificates.extract_identity(cert)
    with translation.override("ca"):
        assert "NIF d'entitat" in str(refused.value)


# --- Validation and revocation --------------------------------------------------------------------


def test_a_valid_certificate_identifies_at_its_issuers_level(
    citizen_pki: CitizenPki, citizen_trust: Path, responders: DevServicesServer
) -> None:
    validated = certificates.validate_certificate(der_of(citizen_pki, "fnmt-natural"))
    assert validated.person.nif == "12345678Z"
    assert validated.issuer.key == "fnmt-usuarios"
    assert validated.loa == LoA.HIGH
    assert validated.revocation_source == "ocsp"
    evidence = validated.evidence()
    assert evidence.provider == "AC FNMT Usuarios (desenvolupament)"
    assert "serialNumber=IDCES-12345678Z" in evidence.certificate_subject
    assert "CN=AC FNMT Usuarios (desenvolupament)" in evidence.certificate_issuer
    serial = _certificate(citizen_pki, "fnmt-natural").serial_number
    assert evidence.certificate_serial == f"{serial:X}"
    assert responders.ocsp_requests == {"fnmt-usuarios": 1}
    assert responders.crl_requests == {}


def test_the_level_is_the_one_the_trust_file_gives_the_issuer(
    citizen_pki: CitizenPki, citizen_trust: Path
) -> None:
    citizen_trust.write_text(
        citizen_trust.read_text().replace('loa = "high"', 'loa = "substantial"')
    )
    validated = certificates.validate_certificate(der_of(citizen_pki, "dnie"))
    assert validated.loa == LoA.SUBSTANTIAL


@pytest.mark.parametrize(
    ("name", "refusal", "ocsp_asked"),
    [
        ("expired", certificates.ExpiredCertificate, 0),
        ("revoked", certificates.RevokedCertificate, 1),
        ("self-signed", certificates.SelfSignedCertificate, 0),
        ("untrusted", certificates.UntrustedIssuer, 0),
        ("invalid-nif", certificates.InvalidCertificateNif, 1),
    ],
)
def test_a_certificate_that_identifies_nobody_is_refused_with_the_reason(
    citizen_pki: CitizenPki,
    citizen_trust: Path,
    responders: DevServicesServer,
    name: str,
    refusal: type[certificates.CertificateRefused],
    ocsp_asked: int,
) -> None:
    with pytest.raises(refusal) as refused:
        certificates.validate_certificate(der_of(citizen_pki, name))
    assert type(refused.value) is refusal
    assert refused.value.http_status == 403
    assert sum(responders.ocsp_requests.values()) == ocsp_asked


def test_an_expired_certificate_says_when_and_where_to_renew_it(
    citizen_pki: CitizenPki, citizen_trust: Path
) -> None:
    with pytest.raises(certificates.ExpiredCertificate) as refused:
        certificates.validate_certificate(der_of(citizen_pki, "expired"))
    expired_on = calendar.to_local(_certificate(citizen_pki, "expired").not_valid_after_utc)
    assert calendar.format_date(expired_on) in str(refused.value)  # the day in Madrid
    assert "FNMT-RCM" in str(refused.value.advice)
    assert refused.value.info_url.startswith("https://www.sede.fnmt.gob.es/")


def test_a_revoked_certificate_is_found_in_the_crl_when_ocsp_is_down(
    citizen_pki: CitizenPki, citizen_trust: Path, responders: DevServicesServer
) -> None:
    responders.ocsp_failing = True
    with pytest.raises(certificates.RevokedCertificate):
        certificates.validate_certificate(der_of(citizen_pki, "revoked"))
    assert responders.ocsp_requests == {"fnmt-usuarios": 1}
    assert responders.crl_requests == {"fnmt-usuarios": 1}
    validated = certificates.validate_certificate(der_of(citizen_pki, "fnmt-natural"))
    assert validated.revocation_source == "crl"
    assert responders.crl_requests == {"fnmt-usuarios": 1}  # the CRL is cached per issuer


def test_without_any_revocation_answer_the_login_fails_hard(
    citizen_pki: CitizenPki, citizen_trust: Path, responders: DevServicesServer
) -> None:
    responders.ocsp_failing = True
    responders.crl_failing = True
    with pytest.raises(certificates.RevocationUnavailable) as refused:
        certificates.validate_certificate(der_of(citizen_pki, "fnmt-natural"))
    assert refused.value.http_status == 503
    assert responders.ocsp_requests == {"fnmt-usuarios": 1}
    assert responders.crl_requests == {"fnmt-usuarios": 1}


def test_a_warm_cache_does_not_ask_the_responder_again(
    citizen_pki: CitizenPki, citizen_trust: Path, responders: DevServicesServer
) -> None:
    der = der_of(citizen_pki, "fnmt-natural")
    certificates.validate_certificate(der)
    certificates.validate_certificate(der)
    assert responders.ocsp_requests == {"fnmt-usuarios": 1}
    # A revoked answer is cached too: still refused, without asking again.
    for _ in range(2):
        with pytest.raises(certificates.RevokedCertificate):
            certificates.validate_certificate(der_of(citizen_pki, "revoked"))
    assert responders.ocsp_requests == {"fnmt-usuarios": 2}


def test_with_the_cache_off_every_login_asks(
    citizen_pki: CitizenPki,
    citizen_trust: Path,
    responders: DevServicesServer,
    settings: SettingsWrapper,
) -> None:
    settings.CERT_REVOCATION_CACHE_SECONDS = 0
    der = der_of(citizen_pki, "fnmt-natural")
    certificates.validate_certificate(der)
    certificates.validate_certificate(der)
    assert responders.ocsp_requests == {"fnmt-usuarios": 2}


@pytest.fixture
def counting_server() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server that records every request (and answers nothing useful)."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def _count(self) -> None:
            hits.append(f"{self.command} {self.path}")
            self.send_error(404)

        do_GET = do_POST = _count

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


def test_addresses_written_in_the_certificate_are_never_contacted(
    citizen_pki: CitizenPki,
    citizen_trust: Path,
    responders: DevServicesServer,
    counting_server: tuple[str, list[str]],
) -> None:
    base_url, hits = counting_server
    issuer, issuer_key = citizen_pki.load_issuer("fnmt-usuarios")
    key = ec.generate_private_key(ec.SECP256R1())
    cert = issue_citizen_certificate(
        citizen_subject(CITIZEN["fnmt-natural"]),
        key.public_key(),
        issuer=issuer,
        issuer_key=issuer_key,
        issuer_path="fnmt-usuarios",
        aia_base_url=base_url,
    )
    aia = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    assert all(d.access_location.value.startswith(base_url) for d in aia)

    der = cert.public_bytes(serialization.Encoding.DER)
    assert certificates.validate_certificate(der).person.nif == "12345678Z"
    responders.ocsp_failing = True  # the CRL path must not wander off either
    responders.crl_failing = True
    from django.core.cache import cache

    cache.clear()
    with pytest.raises(certificates.RevocationUnavailable):
        certificates.validate_certificate(der)
    assert hits == []
    assert responders.ocsp_requests == {"fnmt-usuarios": 2}


def test_the_trust_file_is_read_again_when_it_changes(
    citizen_pki: CitizenPki, citizen_trust: Path, responders: DevServicesServer
) -> None:
    der = der_of(citizen_pki, "dnie")
    assert certificates.validate_certificate(der).issuer.key == "dnie-004"
    full = citizen_trust.read_text()
    without_dnie = full.split('[[issuers]]\nkey = "dnie-004"')[0]
    citizen_trust.write_text(without_dnie)
    with pytest.raises(certificates.UntrustedIssuer):
        certificates.validate_certificate(der)
    citizen_trust.write_text(full)
    assert certificates.validate_certificate(der).issuer.key == "dnie-004"


def test_a_broken_trust_file_says_where_it_is_wrong(
    citizen_pki: CitizenPki, citizen_trust: Path
) -> None:
    citizen_trust.write_text(citizen_trust.read_text().replace('loa = "high"', 'loa = "max"', 1))
    with pytest.raises(ImproperlyConfigured, match=r"issuers\[0\]\.loa"):
        certificates.validate_certificate(der_of(citizen_pki, "dnie"))


def test_a_certificate_is_judged_at_the_instant_given(
    citizen_pki: CitizenPki, citizen_trust: Path
) -> None:
    der = der_of(citizen_pki, "fnmt-natural")
    not_after = _certificate(citizen_pki, "fnmt-natural").not_valid_after_utc
    with pytest.raises(certificates.ExpiredCertificate):
        certificates.validate_certificate(der, now=not_after + dt.timedelta(seconds=1))


# --- The login view (Django's test client standing where nginx would) -----------------------------

LOGIN = "/identificacio/certificat/"


@pytest.mark.django_db
def test_a_certificate_from_the_proxy_logs_the_person_in(
    citizen_pki: CitizenPki, citizen_trust: Path, client: Client
) -> None:
    with translation.override("ca"):  # another test's request may have left a language active
        assert reverse("identity:certificate_login") == LOGIN
    response = client.get(
        LOGIN,
        {"next": "/identificacio/les-meves/"},
        **proxy_headers(der_of(citizen_pki, "fnmt-representative")),  # type: ignore[arg-type]
    )
    assert response.status_code == 302
    assert response["Location"] == "/identificacio/les-meves/"
    assert response["Cache-Control"] == "no-store"
    assert "Client-Cert" in response["Vary"]
    [identification] = Identification.objects.all()
    assert identification.method == Identification.Method.CERTIFICATE
    assert identification.loa == LoA.HIGH
    assert identification.person.nif == "12345678Z"
    assert identification.represented_entity is not None
    assert identification.represented_entity.nif == "B12345674"
    assert identification.provider == "AC Representación (desenvolupament)"
    assert identification.certificate_serial
    assert identification.ip_address == "1.2.3.4"  # X-Real-IP, believed from the proxy

    page = client.get("/")
    assert "Hola, MARIA GARCIA FERRER (en representació de SERVEIS DEL LLEVANT SL)" in (
        page.content.decode()
    )


@pytest.mark.django_db
def test_the_return_address_stays_on_the_seu(
    citizen_pki: CitizenPki, citizen_trust: Path, client: Client
) -> None:
    response = client.get(
        LOGIN,
        {"next": "https://evil.example/"},
        **proxy_headers(der_of(citizen_pki, "dnie")),  # type: ignore[arg-type]
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_a_forged_header_straight_to_the_app_is_refused_and_records_nothing(
    citizen_pki: CitizenPki, citizen_trust: Path, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="seu.security"):
        response = client.get(
            LOGIN,
            HTTP_CLIENT_CERT=rfc9440(der_of(citizen_pki, "fnmt-natural")),
            REMOTE_ADDR="203.0.113.7",
        )
    assert response.status_code == 400
    assert "no ha passat per la connexió segura" in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert Identification.objects.count() == 0
    assert any("Client-Cert header refused" in r.getMessage() for r in caplog.records)


@pytest.mark.django_db
def test_a_refusal_page_says_what_is_wrong_and_what_to_do(
    citizen_pki: CitizenPki, citizen_trust: Path, client: Client
) -> None:
    response = client.get(
        LOGIN,
        {"next": "/identificacio/les-meves/"},
        **proxy_headers(der_of(citizen_pki, "expired")),  # type: ignore[arg-type]
    )
    assert response.status_code == 403
    assert response["Cache-Control"] == "no-store"
    assert "Client-Cert" in response["Vary"]
    body = response.content.decode()
    assert "El vostre certificat va caducar el" in body
    assert "Renovau-lo o sol·licitau-ne un de nou a FNMT-RCM." in body
    assert 'href="https://www.sede.fnmt.gob.es/certificados/persona-fisica"' in body
    assert 'href="/identificacio/?next=%2Fidentificacio%2Fles-meves%2F"' in body
    assert Identification.objects.count() == 0
    assert "Hola," not in body


@pytest.mark.django_db
def test_without_a_certificate_the_page_says_how_to_present_one(
    citizen_trust: Path, client: Client
) -> None:
    response = client.get(LOGIN, **proxy_headers(None))  # type: ignore[arg-type]
    assert response.status_code == 403
    assert "El navegador no ha presentat cap certificat electrònic." in response.content.decode()
    assert Identification.objects.count() == 0


@pytest.mark.django_db
def test_the_refusal_is_in_the_language_of_the_address(
    citizen_pki: CitizenPki, citizen_trust: Path, client: Client
) -> None:
    with translation.override("ca"):  # the request leaves Spanish active: undo it afterwards
        response = client.get(
            "/es/identificacio/certificat/",
            **proxy_headers(der_of(citizen_pki, "revoked")),  # type: ignore[arg-type]
        )
    assert response.status_code == 403
    body = response.content.decode()
    assert "Su certificado ha sido revocado: ya no se puede utilizar." in body
    assert "Solicite uno nuevo al prestador que lo emitió." in body


def _issued_by(pki: CitizenPki, issuer_key: str, citizen_name: str) -> bytes:
    issuer, key_of_issuer = pki.load_issuer(issuer_key)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = issue_citizen_certificate(
        citizen_subject(CITIZEN[citizen_name]),
        key.public_key(),
        issuer=issuer,
        issuer_key=key_of_issuer,
    )
    return cert.public_bytes(serialization.Encoding.DER)


def test_only_a_representatives_issuer_vouches_for_an_entity(
    citizen_pki: CitizenPki, citizen_trust: Path
) -> None:
    # A representative's subject, but from the natural persons' CA: the person only.
    der = _issued_by(citizen_pki, "fnmt-usuarios", "fnmt-representative")
    validated = certificates.validate_certificate(der)
    assert validated.person.nif == "12345678Z"
    assert validated.represented_entity is None


def test_a_representatives_certificate_without_the_entity_is_refused(
    citizen_pki: CitizenPki, citizen_trust: Path
) -> None:
    der = _issued_by(citizen_pki, "fnmt-representacion", "fnmt-natural")
    with pytest.raises(certificates.InvalidCertificateNif):
        certificates.validate_certificate(der)
