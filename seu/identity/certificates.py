"""Identification with an X.509 client certificate: DNIe, FNMT and other accepted issuers (art. 6-8,
13 of the ordinance; seed 000).

The TLS proxy (nginx, ``ssl_verify_client optional_no_ca``) terminates the connection and passes the
certificate the browser presented in the ``Client-Cert`` header (RFC 9440), overwriting whatever
the client sent under that name. This module:

1. believes that header only from the proxy: the peer address must be in ``TRUSTED_PROXIES`` *and*
   the request must carry ``X-Seu-Proxy-Secret`` equal to ``PROXY_SHARED_SECRET``. A
   ``Client-Cert`` on any other request is a forgery: refused and logged to ``seu.security``.
2. reads the header in two forms. The standard one, an RFC 8941 byte sequence ``:<base64 DER>:``,
   is what deploy/nginx/seu.conf produces (its ``map`` strips the PEM armour of
   ``$ssl_client_raw_cert``). Debian's and the official image's nginx have no variable holding
   base64 DER, so the form nginx can give with no help, ``$ssl_client_escaped_cert`` (the PEM,
   URL-encoded), is accepted too: a proxy configuration may use it for certificates too long for
   the map. The two cannot be confused (a byte sequence starts with ``:``, the PEM with ``-----``
   or ``%2D``).
3. validates the certificate against the citizen trust file (``CITIZEN_TRUST_FILE``,
   docs/citizen-trust.md) with pyhanko-certvalidator, never fetching anything itself: the
   revocation status is asked here, only at the issuer's configured ``ocsp_url`` (first) or
   ``crl_url`` (fallback), never at an address written in the certificate, and kept for
   ``CERT_REVOCATION_CACHE_SECONDS`` (never beyond the answer's own ``nextUpdate``). No answer
   from either is a hard failure.
4. reads the identity the way Spanish certificates carry it (ETSI EN 319 412 and the FNMT's and
   DNIe's profiles): the NIF in the subject's ``serialNumber`` (``IDCES-12345678Z`` or bare), the
   given name and surnames, and for a legal entity's representative the entity's name (``O``) and
   NIF (``organizationIdentifier``, ``VATES-B12345674``). Every NIF/NIE/CIF is validated.

Every refusal is a ``CertificateRefused`` (a ``SeuError``) saying, in the user's language, what is
wrong and what to do about it.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import datetime as dt
import hmac
import logging
import re
import threading
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import requests
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.http import HttpRequest
from django.utils.functional import Promise, lazy
from django.utils.text import format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator import errors as validation_errors
from pyhanko_certvalidator.policy_decl import (
    CertRevTrustPolicy,
    RevocationCheckingPolicy,
    RevocationCheckingRule,
)

from seu import calendar, catalan
from seu.errors import SeuError
from seu.identity import Evidence, PersonData
from seu.models import LoA
from seu.people import normalise_person_id

security_log = logging.getLogger("seu.security")

PROXY_SECRET_HEADER = "X-Seu-Proxy-Secret"  # noqa: S105 - a header name
_PROXY_SECRET_META = "HTTP_X_SEU_PROXY_SECRET"  # noqa: S105 - a header name
_CLIENT_CERT_META = "HTTP_CLIENT_CERT"
# A DNIe or FNMT certificate is under 2,500 bytes of DER; the URL-encoded PEM of a large one
# stays well below this.
MAX_HEADER_LENGTH = 16_384
# A responder that does not answer in this time counts as down (then the CRL, then refusal).
REVOCATION_TIMEOUT_SECONDS = 5.0

_IDCES = re.compile(r"^IDCES-", re.IGNORECASE)
_ENTITY_ID = re.compile(r"^(?:VAT|NTR)ES-", re.IGNORECASE)
_DNIE_CN = re.compile(r"^(?P<surnames>[^,]+),\s*(?P<given>[^(]+?)\s*(?:\(.*\))?$")
_PEM_BLOCK = re.compile(
    r"-----BEGIN CERTIFICATE-----(?P<body>[A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----"
)


# --- Refusals -------------------------------------------------------------------------------------


class CertificateRefused(SeuError):
    """The certificate does not identify anyone; ``advice`` says what the person can do."""

    code = "certificate_refused"
    http_status = 403
    default_message: str | Promise = _("No us hem pogut identificar amb el certificat.")
    default_advice: str | Promise = _("Tornau-ho a provar o identificau-vos amb un altre mètode.")

    def __init__(
        self,
        message: str | Promise | None = None,
        *,
        advice: str | Promise | None = None,
        issuer: TrustedIssuer | None = None,
    ) -> None:
        super().__init__(message if message is not None else self.default_message)
        self.advice = advice if advice is not None else self.default_advice
        self.issuer = issuer

    @property
    def info_url(self) -> str:
        return self.issuer.info_url if self.issuer is not None else ""


class NoCertificate(CertificateRefused):
    code = "no_certificate"
    default_message = _("El navegador no ha presentat cap certificat electrònic.")
    default_advice = _(
        "Comprovau que teniu el certificat instal·lat al navegador o el DNI electrònic al "
        "lector. Tancau totes les finestres del navegador, tornau a entrar i, quan el navegador "
        "us ho demani, triau el certificat."
    )


class ForgedCertificateHeader(CertificateRefused):
    code = "forged_header"
    http_status = 400
    default_message = _(
        "La petició porta un certificat que no ha passat per la connexió segura de la seu."
    )
    default_advice = _(
        "Entrau a la seu per la seva adreça oficial i identificau-vos des de la pàgina "
        "d'identificació."
    )


class MalformedCertificate(CertificateRefused):
    code = "malformed_certificate"
    http_status = 400
    default_message = _("El certificat presentat no es pot llegir.")
    default_advice = _(
        "Provau-ho amb un altre certificat o amb el DNI electrònic, o identificau-vos amb Cl@ve."
    )


class UntrustedIssuer(CertificateRefused):
    code = "untrusted_issuer"
    default_message = _("Aquest certificat no l'ha emès cap prestador admès per la seu.")
    default_advice = _(
        "Feu servir el DNI electrònic, un certificat de la FNMT o un altre dels certificats "
        "admesos, o identificau-vos amb Cl@ve."
    )


class SelfSignedCertificate(UntrustedIssuer):
    code = "self_signed"
    default_message = _(
        "Aquest certificat està signat per ell mateix: cap prestador de confiança no en garanteix "
        "la identitat."
    )


class ExpiredCertificate(CertificateRefused):
    code = "expired"
    default_message = _("El vostre certificat ha caducat.")
    default_advice = _("Renovau-lo amb el prestador que el va emetre o sol·licitau-ne un de nou.")


class NotYetValidCertificate(CertificateRefused):
    code = "not_yet_valid"
    default_message = _("El vostre certificat encara no és vàlid.")
    default_advice = _("Comprovau la data i l'hora de l'ordinador i tornau-ho a provar més tard.")


class RevokedCertificate(CertificateRefused):
    code = "revoked"
    default_message = _("El vostre certificat ha estat revocat: ja no es pot fer servir.")
    default_advice = _("Sol·licitau-ne un de nou al prestador que el va emetre.")


class RevocationUnavailable(CertificateRefused):
    """Neither the OCSP responder nor the CRL answered: a temporary failure, hence 503."""

    code = "revocation_unavailable"
    http_status = 503
    default_message = _(
        "Ara mateix no podem comprovar amb el prestador si el vostre certificat és vigent."
    )
    default_advice = _(
        "Tornau-ho a provar d'aquí a uns minuts o identificau-vos amb Cl@ve. No us podem "
        "identificar sense aquesta comprovació."
    )


class InvalidCertificateNif(CertificateRefused):
    code = "invalid_nif"
    default_message = _("El certificat no conté un NIF, NIE o CIF vàlid.")
    default_advice = _(
        "Adreçau-vos al prestador que el va emetre perquè el corregeixi, o identificau-vos amb un "
        "altre certificat o amb Cl@ve."
    )


class NotForIdentification(CertificateRefused):
    code = "not_for_identification"
    default_message = _("Aquest certificat no serveix per identificar-se.")
    default_advice = _(
        "Triau, quan el navegador us ho demani, el certificat d'autenticació (al DNI electrònic, "
        "el d'«AUTENTICACIÓN»)."
    )


# --- The trust file -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrustedIssuer:
    """An accepted issuing CA and where its revocation status is asked (docs/citizen-trust.md)."""

    key: str
    name: str
    provider: str
    kind: str
    holder: str
    loa: LoA
    certificate: asn1_x509.Certificate = field(repr=False)
    crypto_certificate: x509.Certificate = field(repr=False)
    ocsp_url: str
    crl_url: str
    info_url: str
    descriptions: dict[str, str] = field(default_factory=dict, repr=False)

    def description(self, language: str | None = None) -> str:
        language = (language or get_language() or "ca")[:2]
        return self.descriptions.get(language) or self.descriptions.get("ca", "")


@dataclass(frozen=True)
class TrustedRoot:
    name: str
    certificate: asn1_x509.Certificate = field(repr=False)


@dataclass(frozen=True)
class CitizenTrust:
    roots: tuple[TrustedRoot, ...]
    issuers: tuple[TrustedIssuer, ...]
    # Issuers by their subject as RFC 5280 compares names (computed once: it is slow per call).
    _by_subject: dict[str, tuple[TrustedIssuer, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        for issuer in self.issuers:
            subject = issuer.certificate.subject.hashable
            self._by_subject[subject] = (*self._by_subject.get(subject, ()), issuer)

    def issuer_of(self, certificate: asn1_x509.Certificate) -> TrustedIssuer | None:
        """The listed CA whose name (and key identifier, when both say one) issued it."""
        for issuer in self._by_subject.get(certificate.issuer.hashable, ()):
            key_id = certificate.authority_key_identifier
            ca_key_id = issuer.certificate.key_identifier
            if key_id is not None and ca_key_id is not None and key_id != ca_key_id:
                continue
            return issuer
        return None

    def issuer(self, key: str) -> TrustedIssuer | None:
        return next((issuer for issuer in self.issuers if issuer.key == key), None)


def _load_certificate_file(path: Path, trust_file: Path) -> asn1_x509.Certificate:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImproperlyConfigured(f"{trust_file}: cannot read {path} ({exc})") from exc
    if pem.detect(data):
        _, _, data = pem.unarmor(data)
    try:
        x509.load_der_x509_certificate(data)  # parses it fully: a broken file fails here
        certificate = asn1_x509.Certificate.load(data)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{trust_file}: {path} is not an X.509 certificate") from exc
    return certificate


def parse_trust_file(path: Path) -> CitizenTrust:
    """Read and check ``CITIZEN_TRUST_FILE``; a malformed file says where it is wrong."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ImproperlyConfigured(f"CITIZEN_TRUST_FILE: cannot read {path} ({exc})") from exc

    def required(entry: dict[str, Any], name: str, where: str) -> str:
        value = entry.get(name)
        if not isinstance(value, str) or not value:
            raise ImproperlyConfigured(f"{path}: {where} needs a non-empty string {name!r}")
        return value

    roots = tuple(
        TrustedRoot(
            name=required(entry, "name", f"roots[{index}]"),
            certificate=_load_certificate_file(
                path.parent / required(entry, "certificate", f"roots[{index}]"), path
            ),
        )
        for index, entry in enumerate(data.get("roots", []))
    )
    issuers = []
    for index, entry in enumerate(data.get("issuers", [])):
        where = f"issuers[{index}]"
        loa = required(entry, "loa", where)
        kind = required(entry, "kind", where)
        holder = required(entry, "holder", where)
        if loa not in LoA.values:
            raise ImproperlyConfigured(f"{path}: {where}.loa must be low, substantial or high")
        if kind not in {"software", "smartcard"}:
            raise ImproperlyConfigured(f"{path}: {where}.kind must be software or smartcard")
        if holder not in {"natural", "representative"}:
            raise ImproperlyConfigured(f"{path}: {where}.holder must be natural or representative")
        ocsp_url, crl_url = entry.get("ocsp_url", ""), entry.get("crl_url", "")
        if not (ocsp_url or crl_url):
            raise ImproperlyConfigured(f"{path}: {where} needs an ocsp_url or a crl_url")
        certificate = _load_certificate_file(
            path.parent / required(entry, "certificate", where), path
        )
        issuers.append(
            TrustedIssuer(
                key=required(entry, "key", where),
                name=required(entry, "name", where),
                provider=entry.get("provider", ""),
                kind=kind,
                holder=holder,
                loa=LoA(loa),
                certificate=certificate,
                crypto_certificate=x509.load_der_x509_certificate(certificate.dump()),
                ocsp_url=ocsp_url,
                crl_url=crl_url,
                info_url=entry.get("info_url", ""),
                descriptions={
                    language: entry[f"description_{language}"]
                    for language in ("ca", "es", "en")
                    if entry.get(f"description_{language}")
                },
            )
        )
    if not roots:
        raise ImproperlyConfigured(f"{path}: lists no [[roots]]")
    return CitizenTrust(roots=roots, issuers=tuple(issuers))


_trust_lock = threading.Lock()
_trust_loaded: dict[Path, tuple[tuple[int, int, int], CitizenTrust]] = {}


def load_trust() -> CitizenTrust:
    """The trust file, parsed once per process and again when it changes on disk."""
    path = Path(settings.CITIZEN_TRUST_FILE)
    try:
        stat = path.stat()
    except OSError as exc:
        raise ImproperlyConfigured(
            f"CITIZEN_TRUST_FILE: {path} does not exist (development: `make run` writes it)"
        ) from exc
    stamp = (stat.st_mtime_ns, stat.st_ino, stat.st_size)
    loaded = _trust_loaded.get(path)
    if loaded is not None and loaded[0] == stamp:
        return loaded[1]
    with _trust_lock:
        trust = parse_trust_file(path)
        _trust_loaded[path] = (stamp, trust)
        return trust


# --- The header and who sent it -------------------------------------------------------------------


def from_trusted_proxy(request: HttpRequest) -> bool:
    """The proxy's address and its shared secret, both: either alone proves nothing."""
    secret = settings.PROXY_SHARED_SECRET
    presented = request.META.get(_PROXY_SECRET_META, "")
    return (
        bool(secret)
        and request.META.get("REMOTE_ADDR", "") in settings.TRUSTED_PROXIES
        and hmac.compare_digest(presented.encode(), secret.encode())
    )


def parse_client_cert_header(value: str) -> bytes:
    """The DER certificate in a ``Client-Cert`` value: ``:base64:`` or URL-encoded PEM."""
    value = value.strip()
    if not value or len(value) > MAX_HEADER_LENGTH:
        raise MalformedCertificate()
    if value.startswith(":"):
        if len(value) < 3 or not value.endswith(":"):
            raise MalformedCertificate()
        try:
            return base64.b64decode(value[1:-1], validate=True)
        except (binascii.Error, ValueError):
            raise MalformedCertificate() from None
    match = _PEM_BLOCK.fullmatch(unquote(value).strip())
    if match is None:
        raise MalformedCertificate()
    try:
        return base64.b64decode("".join(match.group("body").split()), validate=True)
    except (binascii.Error, ValueError):
        raise MalformedCertificate() from None


def certificate_from_request(request: HttpRequest) -> bytes:
    """The DER certificate the proxy says the client presented; refuses a forged header."""
    header = request.META.get(_CLIENT_CERT_META)
    if not from_trusted_proxy(request):
        if header is not None:
            security_log.warning(
                "Client-Cert header refused: not sent by the trusted proxy "
                "(remote address %s, proxy secret %s)",
                request.META.get("REMOTE_ADDR", ""),
                "wrong" if request.META.get(_PROXY_SECRET_META) else "missing",
            )
            raise ForgedCertificateHeader()
        raise NoCertificate()
    if not header:
        raise NoCertificate()
    return parse_client_cert_header(header)


# --- Identity as Spanish certificates carry it ----------------------------------------------------


@dataclass(frozen=True)
class CertificateIdentity:
    person: PersonData
    represented_entity: PersonData | None


def _attribute(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    values = name.get_attributes_for_oid(oid)
    value = values[0].value if values else ""
    return value.strip() if isinstance(value, str) else ""


def extract_identity(certificate: x509.Certificate) -> CertificateIdentity:
    """NIF, given name and surnames; the entity too in a representative's certificate."""
    subject = certificate.subject
    serial = _IDCES.sub("", _attribute(subject, NameOID.SERIAL_NUMBER))
    try:
        nif = normalise_person_id(serial)
    except ValidationError:
        raise InvalidCertificateNif() from None
    given_name = _attribute(subject, NameOID.GIVEN_NAME)
    surnames = _attribute(subject, NameOID.SURNAME)
    if not (given_name and surnames):
        # Older DNIe: "SURNAMES, NAME (AUTENTICACIÓN)" only in the common name.
        match = _DNIE_CN.match(_attribute(subject, NameOID.COMMON_NAME))
        if match is not None:
            given_name = given_name or match.group("given").strip()
            surnames = surnames or match.group("surnames").strip()
    person = PersonData(nif=nif, given_name=given_name, surnames=surnames)

    entity_id = _attribute(subject, NameOID.ORGANIZATION_IDENTIFIER)
    if not entity_id:
        return CertificateIdentity(person=person, represented_entity=None)
    try:
        entity_nif = normalise_person_id(_ENTITY_ID.sub("", entity_id))
    except ValidationError:
        raise InvalidCertificateNif(
            _("El certificat de representant no conté un NIF d'entitat vàlid.")
        ) from None
    entity = PersonData(nif=entity_nif, legal_name=_attribute(subject, NameOID.ORGANIZATION_NAME))
    return CertificateIdentity(person=person, represented_entity=entity)


# --- Revocation: only from the configured responders, cached briefly ------------------------------


@dataclass(frozen=True)
class RevocationData:
    source: str  # "ocsp" | "crl"
    data: bytes


def _verify_signature(
    public_key: Any, signature: bytes, data: bytes, algorithm: hashes.HashAlgorithm | None
) -> bool:
    if algorithm is None:
        return False
    try:
        if isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, data, ec.ECDSA(algorithm))
        elif isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, data, padding.PKCS1v15(), algorithm)
        else:
            return False
    except InvalidSignature:
        return False
    return True


def _ocsp_signed_by_issuer(response: ocsp.OCSPResponse, ca: x509.Certificate) -> bool:
    """Signed by the CA itself or by a responder the CA delegated (RFC 6960, 4.2.2.2)."""
    signers = [ca]
    for candidate in response.certificates:
        try:
            candidate.verify_directly_issued_by(ca)
            usage = candidate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        except (ValueError, TypeError, InvalidSignature, x509.ExtensionNotFound):
            continue
        if ExtendedKeyUsageOID.OCSP_SIGNING in usage:
            signers.append(candidate)
    return any(
        _verify_signature(
            signer.public_key(),
            response.signature,
            response.tbs_response_bytes,
            response.signature_hash_algorithm,
        )
        for signer in signers
    )


def _seconds_until(moment: dt.datetime | None, now: dt.datetime) -> float:
    if moment is None:
        return float(settings.CERT_REVOCATION_CACHE_SECONDS)
    return (moment - now).total_seconds()


def _ask_ocsp(
    certificate: x509.Certificate, issuer: TrustedIssuer, now: dt.datetime
) -> tuple[bytes, float] | None:
    """A signed GOOD or REVOKED answer about this certificate, and for how long it holds."""
    ca = issuer.crypto_certificate
    # SHA-1 in the CertID is what every responder understands (RFC 5019 2.1.1); not a signature.
    request = (
        ocsp.OCSPRequestBuilder()
        .add_certificate(certificate, ca, hashes.SHA1())  # noqa: S303
        .build()
    )
    try:
        reply = requests.post(
            issuer.ocsp_url,
            data=request.public_bytes(serialization.Encoding.DER),
            headers={"Content-Type": "application/ocsp-request"},
            timeout=REVOCATION_TIMEOUT_SECONDS,
            allow_redirects=False,
        )
        if reply.status_code != 200:
            return None
        response = ocsp.load_der_ocsp_response(reply.content)
    except (requests.RequestException, ValueError):
        return None
    if response.response_status != ocsp.OCSPResponseStatus.SUCCESSFUL:
        return None
    single = next(
        (item for item in response.responses if item.serial_number == certificate.serial_number),
        None,
    )
    if single is None or single.certificate_status == ocsp.OCSPCertStatus.UNKNOWN:
        return None
    if not _ocsp_signed_by_issuer(response, ca):
        return None
    return reply.content, _seconds_until(single.next_update_utc, now)


def _fetch_crl(issuer: TrustedIssuer, now: dt.datetime) -> tuple[bytes, float] | None:
    try:
        reply = requests.get(
            issuer.crl_url, timeout=REVOCATION_TIMEOUT_SECONDS, allow_redirects=False
        )
        if reply.status_code != 200:
            return None
        crl = x509.load_der_x509_crl(reply.content)
    except (requests.RequestException, ValueError):
        return None
    ca = issuer.crypto_certificate
    if crl.issuer != ca.subject or not crl.is_signature_valid(ca.public_key()):  # type: ignore[arg-type]
        return None
    return reply.content, _seconds_until(crl.next_update_utc, now)


def _remember(key: str, value: RevocationData, good_for: float) -> None:
    timeout = int(min(settings.CERT_REVOCATION_CACHE_SECONDS, good_for))
    if timeout > 0:
        cache.set(key, value, timeout)


def revocation_data(
    certificate: x509.Certificate, issuer: TrustedIssuer, *, now: dt.datetime
) -> RevocationData:
    """The issuer's OCSP answer about this certificate, else the issuer's CRL (both cached)."""
    ocsp_key = f"seu:cert-ocsp:{issuer.key}:{certificate.serial_number:x}"
    crl_key = f"seu:cert-crl:{issuer.key}"
    for key in (ocsp_key, crl_key):
        cached = cache.get(key)
        if isinstance(cached, RevocationData):
            return cached
    if issuer.ocsp_url:
        answer = _ask_ocsp(certificate, issuer, now)
        if answer is not None:
            found = RevocationData("ocsp", answer[0])
            _remember(ocsp_key, found, answer[1])
            return found
        security_log.warning("OCSP responder of %s did not answer; trying its CRL", issuer.key)
    if issuer.crl_url:
        answer = _fetch_crl(issuer, now)
        if answer is not None:
            found = RevocationData("crl", answer[0])
            _remember(crl_key, found, answer[1])
            return found
    security_log.error("no revocation status available for %s: refusing the login", issuer.key)
    raise RevocationUnavailable(issuer=issuer)


# --- Validation -----------------------------------------------------------------------------------


# Revocation status is required for the citizen's certificate whatever it declares (stricter than
# certvalidator's "hard-fail", which checks only what the certificate points to). The issuing CAs
# are listed one by one in the trust file, which is how an issuer stops being accepted; their own
# status is not asked at login.
_REVOCATION_POLICY = CertRevTrustPolicy(
    RevocationCheckingPolicy(
        ee_certificate_rule=RevocationCheckingRule.CRL_OR_OCSP_REQUIRED,
        intermediate_ca_cert_rule=RevocationCheckingRule.NO_CHECK,
    )
)


_loops = threading.local()


def _event_loop() -> asyncio.AbstractEventLoop:
    """certvalidator is asynchronous; each thread keeps one loop rather than making one per
    login (``asyncio.run`` costs about a millisecond)."""
    loop: asyncio.AbstractEventLoop | None = getattr(_loops, "loop", None)
    if loop is None or loop.is_closed():
        loop = _loops.loop = asyncio.new_event_loop()
    return loop


@dataclass(frozen=True)
class ValidatedCertificate:
    """A certificate that identifies someone: who, through which issuer, and the evidence."""

    issuer: TrustedIssuer
    identity: CertificateIdentity
    subject: str
    issuer_name: str
    serial: str
    revocation_source: str

    @property
    def person(self) -> PersonData:
        return self.identity.person

    @property
    def represented_entity(self) -> PersonData | None:
        return self.identity.represented_entity

    @property
    def loa(self) -> LoA:
        return self.issuer.loa

    def evidence(self) -> Evidence:
        return Evidence(
            provider=self.issuer.name,
            certificate_subject=self.subject,
            certificate_issuer=self.issuer_name,
            certificate_serial=self.serial,
            extra={"issuer_key": self.issuer.key, "revocation": self.revocation_source},
        )


# RFC 4514 names for the attributes Spanish certificates use (cryptography prints them as OIDs).
_NAME_OVERRIDES = {
    NameOID.ORGANIZATION_IDENTIFIER: "organizationIdentifier",
    NameOID.SERIAL_NUMBER: "serialNumber",
    NameOID.GIVEN_NAME: "GN",
    NameOID.SURNAME: "SN",
}


def _refuse_from_validation(
    error: Exception, issuer: TrustedIssuer, not_after: dt.datetime
) -> CertificateRefused:
    if isinstance(error, validation_errors.RevokedError):
        return RevokedCertificate(issuer=issuer)
    if isinstance(error, validation_errors.InsufficientRevinfoError):
        return RevocationUnavailable(issuer=issuer)
    if isinstance(error, validation_errors.ExpiredError):
        return _expired(issuer, not_after)
    if isinstance(error, validation_errors.NotYetValidError):
        return NotYetValidCertificate(issuer=issuer)
    if isinstance(error, validation_errors.InvalidCertificateError):
        return NotForIdentification(issuer=issuer)
    return UntrustedIssuer()


def _expired(issuer: TrustedIssuer, not_after: dt.datetime) -> ExpiredCertificate:
    # Formatted when the message is shown, in that request's language.
    on_day = lazy(catalan.date_phrase, str)("on", not_after)
    message = format_lazy(_("El vostre certificat va caducar {on_day}."), on_day=on_day)
    if issuer.provider:
        advice = format_lazy(
            _("Renovau-lo o sol·licitau-ne un de nou a {provider}."), provider=issuer.provider
        )
        return ExpiredCertificate(message, advice=advice, issuer=issuer)
    return ExpiredCertificate(message, issuer=issuer)


def validate_certificate(der: bytes, *, now: dt.datetime | None = None) -> ValidatedCertificate:
    """Who this DER certificate identifies, or a ``CertificateRefused`` saying why nobody."""
    now = now or calendar.now()
    try:
        certificate = x509.load_der_x509_certificate(der)
        asn1_certificate = asn1_x509.Certificate.load(der)
    except ValueError:
        raise MalformedCertificate() from None

    trust = load_trust()
    issuer = trust.issuer_of(asn1_certificate)
    if issuer is None:
        if asn1_certificate.self_issued:
            raise SelfSignedCertificate()
        raise UntrustedIssuer()
    not_after = certificate.not_valid_after_utc
    if now > not_after:
        raise _expired(issuer, not_after)
    if now < certificate.not_valid_before_utc:
        raise NotYetValidCertificate(issuer=issuer)

    revocation = revocation_data(certificate, issuer, now=now)
    context = ValidationContext(
        trust_roots=[root.certificate for root in trust.roots],
        other_certs=[issuer.certificate],
        allow_fetching=False,
        revinfo_policy=_REVOCATION_POLICY,
        ocsps=[revocation.data] if revocation.source == "ocsp" else [],
        crls=[revocation.data] if revocation.source == "crl" else [],
        moment=now,
    )
    validator = CertificateValidator(asn1_certificate, validation_context=context)
    try:
        _event_loop().run_until_complete(validator.async_validate_usage({"digital_signature"}))
    except (validation_errors.PathError, validation_errors.ValidationError) as error:
        refusal = _refuse_from_validation(error, issuer, not_after)
        security_log.info(
            "certificate refused (%s) issuer=%s serial=%x: %s",
            refusal.code,
            issuer.key,
            certificate.serial_number,
            error,
        )
        raise refusal from None

    identity = extract_identity(certificate)
    if issuer.holder == "representative":
        if identity.represented_entity is None:
            raise InvalidCertificateNif(
                _("El certificat de representant no conté un NIF d'entitat vàlid."), issuer=issuer
            )
    elif identity.represented_entity is not None:
        # Only an issuer listed as issuing representatives' certificates vouches for the power
        # to act for an entity; from any other, the entity's name is not a representation.
        identity = CertificateIdentity(person=identity.person, represented_entity=None)
    return ValidatedCertificate(
        issuer=issuer,
        identity=identity,
        subject=certificate.subject.rfc4514_string(_NAME_OVERRIDES)[:500],
        issuer_name=certificate.issuer.rfc4514_string(_NAME_OVERRIDES)[:500],
        serial=f"{certificate.serial_number:X}",
        revocation_source=revocation.source,
    )
