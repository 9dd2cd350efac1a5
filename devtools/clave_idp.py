"""The local identity provider that stands in for Cl@ve in development and tests.

It speaks the same protocol as Cl@ve: it publishes SAML metadata, receives a signed AuthnRequest
over the HTTP-Redirect binding (and refuses an unsigned or tampered one), and answers over
HTTP-POST with a signed Response holding a signed Assertion, the eIDAS level in
``AuthnContextClassRef`` and the eIDAS attributes (``PersonIdentifier`` as ``ES/ES/<NIF>``,
``FirstName``, ``FamilyName``, and Cl@ve's ``FirstSurname``). A tester picks the identity and the
level on a page that needs no JavaScript: the answer page shows a "Continua" button that posts the
response to the seu.

It is pysaml2's ``saml2.server.Server`` in a thread of the process, like ``devtools.servers``:
``make run`` starts it on ``LOCAL_IDP_PORT`` and the tests on a free port. The keys of both sides
(RSA 3072, self-signed as is usual for SAML metadata) are generated under ``DEV_PKI_DIR/clave``.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import re
import secrets
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, class_name, samlp
from saml2.attribute_converter import AttributeConverter
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_UNSPECIFIED, NameID
from saml2.server import Server
from saml2.sigver import get_xmlsec_binary, pre_signature_part, signed_instance_factory
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from seu.env import DEV_MARKER
from seu.identity import clave
from seu.models import LoA

ASSERTION_LIFETIME_MINUTES = 5


# --- Keys ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaveKeys:
    directory: Path

    @property
    def sp_key(self) -> Path:
        return self.directory / "sp.key"

    @property
    def sp_cert(self) -> Path:
        return self.directory / "sp.pem"

    @property
    def idp_key(self) -> Path:
        return self.directory / "idp.key"

    @property
    def idp_cert(self) -> Path:
        return self.directory / "idp.pem"

    def exists(self) -> bool:
        return all(p.exists() for p in (self.sp_key, self.sp_cert, self.idp_key, self.idp_cert))


def _write_atomically(path: Path, data: bytes, *, private: bool) -> None:
    # Parallel test workers may generate at once: a reader never sees half a file.
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    if not private:
        os.chmod(temporary, 0o644)
    os.replace(temporary, path)


def _self_signed(common_name: str) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    # RSA: the HTTP-Redirect binding signs the query string with RSA only in pysaml2.
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "ES"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, DEV_MARKER),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    return key, certificate


def ensure_clave_keys(directory: Path) -> ClaveKeys:
    """The service provider's and the local identity provider's keys, made once."""
    keys = ClaveKeys(directory)
    if keys.exists():
        return keys
    directory.mkdir(parents=True, exist_ok=True)
    for key_path, cert_path, common_name in (
        (keys.sp_key, keys.sp_cert, "Seu electrònica - proveïdor de servei Cl@ve"),
        (keys.idp_key, keys.idp_cert, "Cl@ve local de desenvolupament"),
    ):
        key, certificate = _self_signed(common_name)
        _write_atomically(
            key_path,
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ),
            private=True,
        )
        _write_atomically(
            cert_path, certificate.public_bytes(serialization.Encoding.PEM), private=False
        )
    return keys


def dev_keys() -> ClaveKeys:
    return ensure_clave_keys(Path(settings.DEV_PKI_DIR) / "clave")


# --- The identity provider -----------------------------------------------------------------------


@dataclass(frozen=True)
class DemoPerson:
    nif: str
    given_name: str
    first_surname: str
    second_surname: str = ""

    @property
    def family_name(self) -> str:
        return " ".join(part for part in (self.first_surname, self.second_surname) if part)


DEMO_PERSON = DemoPerson(
    nif="12345678Z", given_name="Margalida", first_surname="Bennàssar", second_surname="Riera"
)


class AuthnRequestRefused(Exception):
    """The AuthnRequest is unsigned, badly signed, from an unknown SP or unreadable."""


@dataclass(frozen=True)
class PendingAuthn:
    """A received AuthnRequest waiting for the tester's choice."""

    token: str
    request_id: str
    sp_entity_id: str
    acs_url: str
    relay_state: str
    requested_level: LoA
    received_at: float


def eidas_attribute_converter() -> AttributeConverter:
    converter = AttributeConverter(NAME_FORMAT_URI)
    converter.from_dict(
        {
            "identifier": NAME_FORMAT_URI,
            "to": dict(clave.ATTRIBUTES),
            "fro": {uri: name for name, uri in clave.ATTRIBUTES.items()},
        }
    )
    return converter


class LocalIdP:
    """pysaml2's ``Server`` as an identity provider, for one service provider's metadata."""

    def __init__(
        self, *, base_url: str, keys: ClaveKeys, sp_metadata: Callable[[], str] | str
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.keys = keys
        self._sp_metadata = sp_metadata
        self._lock = threading.RLock()
        self._server: Server | None = None
        self._server_metadata = ""
        self._pending: dict[str, PendingAuthn] = {}

    @property
    def entity_id(self) -> str:
        return f"{self.base_url}/metadata/"

    @property
    def sso_url(self) -> str:
        return f"{self.base_url}/sso/"

    def _config(self, sp_metadata: str | None) -> IdPConfig:
        config = IdPConfig()
        config.load(
            {
                "entityid": self.entity_id,
                "key_file": str(self.keys.idp_key),
                "cert_file": str(self.keys.idp_cert),
                "xmlsec_binary": get_xmlsec_binary(),
                "metadata": {"inline": [sp_metadata]} if sp_metadata else {},
                "signing_algorithm": SIG_RSA_SHA256,
                "digest_algorithm": DIGEST_SHA256,
                "accepted_time_diff": 60,
                "service": {
                    "idp": {
                        "name": "Cl@ve local (desenvolupament)",
                        "endpoints": {
                            "single_sign_on_service": [(self.sso_url, BINDING_HTTP_REDIRECT)]
                        },
                        "want_authn_requests_signed": True,
                        "name_id_format": [NAMEID_FORMAT_UNSPECIFIED],
                        "policy": {
                            "default": {
                                "lifetime": {"minutes": ASSERTION_LIFETIME_MINUTES},
                                "name_form": NAME_FORMAT_URI,
                                "attribute_restrictions": None,
                            }
                        },
                    }
                },
            }
        )
        config.attribute_converters = [eidas_attribute_converter()]
        return config

    def metadata_xml(self) -> str:
        return str(entity_descriptor(self._config(None)))

    @property
    def server(self) -> Server:
        """The pysaml2 server, rebuilt when the service provider's metadata changes."""
        source = self._sp_metadata
        if callable(source):
            xml = source()
        elif source.startswith(("http://", "https://")):
            with urllib.request.urlopen(source, timeout=10) as answer:  # noqa: S310 - configured
                xml = answer.read().decode()
        else:
            xml = Path(source).read_text(encoding="utf-8")
        with self._lock:
            if self._server is None or xml != self._server_metadata:
                self._server = Server(config=self._config(xml))
                self._server_metadata = xml
            return self._server

    # The protocol ----------------------------------------------------------------------------

    def receive(self, query: Mapping[str, str]) -> PendingAuthn:
        """Check a signed AuthnRequest received over HTTP-Redirect and keep it for the answer."""
        server = self.server
        try:
            with self._lock:
                parsed = server.parse_authn_request(
                    query["SAMLRequest"],
                    BINDING_HTTP_REDIRECT,
                    relay_state=query.get("RelayState"),
                    sigalg=query.get("SigAlg"),
                    signature=query.get("Signature"),
                )
        except Exception as exc:  # unsigned, tampered, unknown issuer, malformed
            raise AuthnRequestRefused(f"{type(exc).__name__}: {exc}") from exc
        if parsed is None:
            raise AuthnRequestRefused("the request could not be verified")
        message = parsed.message
        sp_entity_id = message.issuer.text.strip()
        registered = [
            endpoint["location"]
            for endpoint in server.metadata.assertion_consumer_service(
                sp_entity_id, BINDING_HTTP_POST
            )
        ]
        acs_url = message.assertion_consumer_service_url or (registered[0] if registered else "")
        if acs_url not in registered:
            raise AuthnRequestRefused(f"ACS {acs_url!r} is not in the metadata of {sp_entity_id}")
        pending = PendingAuthn(
            token=secrets.token_urlsafe(18),
            request_id=message.id,
            sp_entity_id=sp_entity_id,
            acs_url=acs_url,
            relay_state=query.get("RelayState", ""),
            requested_level=_requested_level(message),
            received_at=time.monotonic(),
        )
        with self._lock:
            cutoff = time.monotonic() - 3600
            self._pending = {k: v for k, v in self._pending.items() if v.received_at > cutoff}
            self._pending[pending.token] = pending
        return pending

    def take(self, token: str) -> PendingAuthn | None:
        with self._lock:
            return self._pending.pop(token, None)

    def unsigned_response(
        self, pending: PendingAuthn, *, person: DemoPerson, level: LoA
    ) -> samlp.Response:
        """The Response, not yet signed (tests alter it before ``sign``)."""
        identifier = f"ES/ES/{person.nif}"
        attributes = {
            "PersonIdentifier": identifier,
            "FirstName": person.given_name,
            "FamilyName": person.family_name,
            "FirstSurname": person.first_surname,
        }
        with self._lock:
            response = self.server.create_authn_response(
                attributes,
                in_response_to=pending.request_id,
                destination=pending.acs_url,
                sp_entity_id=pending.sp_entity_id,
                name_id=NameID(format=NAMEID_FORMAT_UNSPECIFIED, text=identifier),
                authn={"class_ref": LoA(level).eidas_uri, "authn_auth": self.entity_id},
                sign_response=False,
                sign_assertion=False,
            )
        assert isinstance(response, samlp.Response)
        return response

    def sign(self, response: samlp.Response, *, assertion: bool = True, whole: bool = True) -> str:
        """Sign the Assertion(s) and then the Response; either may be left unsigned."""
        server = self.server
        to_sign = []
        if assertion:
            assertions = response.assertion
            for item in assertions if isinstance(assertions, list) else [assertions]:
                item.signature = pre_signature_part(
                    item.id,
                    server.sec.my_cert,
                    2,
                    sign_alg=SIG_RSA_SHA256,
                    digest_alg=DIGEST_SHA256,
                )
                to_sign.append((class_name(item), item.id))
        if whole:
            response.signature = pre_signature_part(
                response.id,
                server.sec.my_cert,
                1,
                sign_alg=SIG_RSA_SHA256,
                digest_alg=DIGEST_SHA256,
            )
            to_sign.append((class_name(response), response.id))
        if not to_sign:
            return str(response)
        with self._lock:
            signed = signed_instance_factory(response, server.sec, to_sign)
        return signed if isinstance(signed, str) else signed.decode()

    def respond(self, pending: PendingAuthn, *, person: DemoPerson, level: LoA) -> str:
        """A signed Response with a signed Assertion, as XML."""
        return self.sign(self.unsigned_response(pending, person=person, level=level))

    def refuse(self, pending: PendingAuthn) -> str:
        """A signed error Response: the person cancelled at the identity provider."""
        with self._lock:
            response = self.server.create_error_response(
                pending.request_id,
                destination=pending.acs_url,
                info=(samlp.STATUS_REQUEST_DENIED, "Cancel·lat per la persona"),
                sign=True,
            )
        return response if isinstance(response, str) else str(response)


def _requested_level(message: samlp.AuthnRequest) -> LoA:
    context = message.requested_authn_context
    if context is not None:
        for reference in context.authn_context_class_ref:
            level = LoA.from_eidas_uri((reference.text or "").strip())
            if level is not None:
                return level
    return LoA.LOW


def encode(xml: str) -> str:
    return base64.b64encode(xml.encode()).decode()


# --- Over HTTP -----------------------------------------------------------------------------------


def _render(template: str, context: dict[str, Any]) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(template, context).encode()


class _Handler(BaseHTTPRequestHandler):
    server: LocalIdPServer

    def _send(
        self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8"
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _refuse(self, status: int, reason: str) -> None:
        self._send(status, _render("seu/identity/clave_idp_error.html", {"reason": reason}))

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        idp = self.server.idp
        if path == "/metadata/":
            self._send(200, idp.metadata_xml().encode(), "application/samlmetadata+xml")
            return
        if path != "/sso/":
            self._refuse(404, "not found")
            return
        params = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        if "SAMLRequest" not in params:
            self._refuse(400, "no SAMLRequest")
            return
        try:
            pending = idp.receive(params)
        except AuthnRequestRefused as exc:
            self._refuse(400, str(exc))
            return
        context = {
            "pending": pending,
            "person": DEMO_PERSON,
            "levels": [
                (level.value, level.label, level == pending.requested_level) for level in LoA
            ],
            "requested": pending.requested_level,
        }
        self._send(200, _render("seu/identity/clave_idp_login.html", context))

    def do_POST(self) -> None:
        if self.path != "/sso/respon/":
            self._refuse(404, "not found")
            return
        length = int(self.headers.get("Content-Length", "0"))
        form = dict(
            urllib.parse.parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True)
        )
        idp = self.server.idp
        pending = idp.take(form.get("token", ""))
        if pending is None:
            self._refuse(400, "unknown or spent token")
            return
        if form.get("accio") == "cancel":
            xml = idp.refuse(pending)
        else:
            level = form.get("nivell", "")
            person = DemoPerson(
                nif=form.get("nif", "").strip(),
                given_name=form.get("nom", "").strip(),
                first_surname=form.get("llinatge1", "").strip(),
                second_surname=form.get("llinatge2", "").strip(),
            )
            xml = idp.respond(
                pending,
                person=person,
                level=LoA(level) if level in LoA.values else pending.requested_level,
            )
        self.server.responses += 1
        context = {
            "acs_url": pending.acs_url,
            "saml_response": encode(xml),
            "relay_state": pending.relay_state,
        }
        self._send(200, _render("seu/identity/clave_idp_continue.html", context))

    def log_message(self, format: str, *args: object) -> None:
        pass


class LocalIdPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        *,
        keys: ClaveKeys,
        sp_metadata: Callable[[], str] | str,
        public_host: str | None = None,
    ) -> None:
        super().__init__(address, _Handler)
        host = public_host or str(self.server_address[0])
        self.idp = LocalIdP(
            base_url=f"http://{host}:{self.server_address[1]}", keys=keys, sp_metadata=sp_metadata
        )
        self.responses = 0

    @property
    def base_url(self) -> str:
        return self.idp.base_url

    @property
    def metadata_url(self) -> str:
        return self.idp.entity_id


def start_local_idp(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    public_host: str | None = None,
    keys: ClaveKeys | None = None,
    sp_metadata: Callable[[], str] | str | None = None,
) -> LocalIdPServer:
    """Serve the local identity provider in a daemon thread; ``port=0`` picks a free port.

    ``sp_metadata`` is the service provider's metadata (a callable, a URL or a file): by default the
    seu's own, read in-process, which is what registering with Cl@ve does out of band.
    """
    server = LocalIdPServer(
        (host, port),
        keys=keys or dev_keys(),
        sp_metadata=sp_metadata or clave.sp_metadata_xml,
        public_host=public_host,
    )
    threading.Thread(target=server.serve_forever, name="local-idp", daemon=True).start()
    return server


# --- Benchmark -----------------------------------------------------------------------------------

_HIDDEN = re.compile(r'<input type="hidden" name="(?P<name>[^"]+)" value="(?P<value>[^"]*)"')


def hidden_fields(html: str) -> dict[str, str]:
    import html as html_module

    return {m["name"]: html_module.unescape(m["value"]) for m in _HIDDEN.finditer(html)}


def measure_clave_round_trips(n: int = 50) -> float:
    """Cl@ve logins per second, in-process for the seu and over HTTP for the local identity
    provider: signed AuthnRequest -> identity provider -> signed Response -> ACS -> session.

    Runs inside a transaction that is rolled back: it leaves no identification behind.
    """
    from django.db import transaction
    from django.test import Client, override_settings

    from seu.identity import SESSION_KEY

    idp = start_local_idp()
    try:
        with (
            override_settings(
                CLAVE_IDP_METADATA=idp.metadata_url,
                ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
            ),
            transaction.atomic(),
        ):
            clave.forget_configuration()

            def round_trip() -> None:
                client = Client()
                start = client.get("/identificacio/clave/", {"nivell": "substantial", "next": "/"})
                with urllib.request.urlopen(start["Location"], timeout=10) as answer:  # noqa: S310
                    token = hidden_fields(answer.read().decode())["token"]
                form = urllib.parse.urlencode(
                    {
                        "token": token,
                        "nif": DEMO_PERSON.nif,
                        "nom": DEMO_PERSON.given_name,
                        "llinatge1": DEMO_PERSON.first_surname,
                        "llinatge2": DEMO_PERSON.second_surname,
                        "nivell": "substantial",
                    }
                ).encode()
                with urllib.request.urlopen(  # noqa: S310
                    f"{idp.base_url}/sso/respon/", data=form, timeout=10
                ) as answer:
                    fields = hidden_fields(answer.read().decode())
                done = client.post("/identificacio/clave/acs/", fields)
                if done.status_code != 302 or SESSION_KEY not in client.session:
                    raise RuntimeError(f"Cl@ve round trip failed: HTTP {done.status_code}")

            round_trip()  # warm up: metadata, keys, templates
            started = time.perf_counter()
            for _ in range(n):
                round_trip()
            elapsed = time.perf_counter() - started
            transaction.set_rollback(True)
    finally:
        idp.shutdown()
        idp.server_close()
        clave.forget_configuration()
    return n / elapsed
