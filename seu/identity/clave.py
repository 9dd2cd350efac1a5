"""Cl@ve: citizens identify through the State's SAML 2.0 gateway (art. 6-8; levels, art. 8.2).

The seu is a SAML service provider built directly on pysaml2's ``Saml2Client``. djangosaml2 is not
used for the login itself: its views end in ``django.contrib.auth.login`` with a Django ``User``
created per citizen, whereas here a citizen is a ``seu.models.Person`` and every login is an
``Identification`` written by ``seu.identity.record_identification`` (the one way in for every
method). The few things djangosaml2 would add (a config loader, an outstanding-queries cache) are
a dozen lines each here, and keeping them ours lets us check what the protocol alone does not:

- the AuthnRequest is signed (HTTP-Redirect binding) and asks for an eIDAS level of assurance with
  ``RequestedAuthnContext`` (comparison ``minimum``);
- both the Response and its Assertion must be signed with a key from the identity provider's
  metadata (pysaml2's ``want_response_signed`` and ``want_assertions_signed``), by the provider the
  request went to;
- the Assertion must be restricted to our entity id (pysaml2 accepts an Assertion without any
  ``AudienceRestriction``; we do not), be within its validity window, and answer a request this
  browser made (``InResponseTo``);
- the asserted ``AuthnContextClassRef`` must reach the level that was asked for;
- each Assertion is accepted once: its ID goes into ``SamlAssertionUse`` (unique) in the same
  transaction as the ``Identification``.

Switching from the local identity provider (``devtools.clave_idp``) to the real Cl@ve is
configuration: ``CLAVE_IDP_METADATA``, ``CLAVE_SP_ENTITY_ID``, ``CLAVE_SP_KEY_FILE`` and
``CLAVE_SP_CERT_FILE``.
"""

from __future__ import annotations

import base64
import binascii
import calendar as std_calendar
import datetime as dt
import logging
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, saml
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.population import Population
from saml2.response import (
    AuthnResponse,
    IncorrectlySigned,
    StatusError,
    UnsolicitedResponse,
    VerificationError,
)
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_UNSPECIFIED
from saml2.samlp import RequestedAuthnContext
from saml2.sigver import SigverError, get_xmlsec_binary
from saml2.time_util import str_to_time
from saml2.validate import ResponseLifetimeExceed, ToEarly
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from seu import calendar, identity
from seu.env import DEV_MARKER
from seu.errors import SeuError
from seu.models import Identification, LoA, SamlAssertionUse
from seu.people import normalise_person_id

logger = logging.getLogger("seu.security")

PROVIDER = "Cl@ve"

# eIDAS natural-person attributes (eIDAS SAML Attribute Profile) and Cl@ve's own surname split.
PERSON_IDENTIFIER = "http://eidas.europa.eu/attributes/naturalperson/PersonIdentifier"
FIRST_NAME = "http://eidas.europa.eu/attributes/naturalperson/CurrentGivenName"
FAMILY_NAME = "http://eidas.europa.eu/attributes/naturalperson/CurrentFamilyName"
FIRST_SURNAME = "http://es.minhafp.clave/FirstSurname"
SECOND_SURNAME = "http://es.minhafp.clave/SecondSurname"
ATTRIBUTES = {
    "PersonIdentifier": PERSON_IDENTIFIER,
    "FirstName": FIRST_NAME,
    "FamilyName": FAMILY_NAME,
    "FirstSurname": FIRST_SURNAME,
    "SecondSurname": SECOND_SURNAME,
}
REQUESTED_ATTRIBUTES = [
    {"name": PERSON_IDENTIFIER, "friendly_name": "PersonIdentifier", "required": True},
    {"name": FIRST_NAME, "friendly_name": "FirstName", "required": True},
    {"name": FAMILY_NAME, "friendly_name": "FamilyName", "required": True},
    {"name": FIRST_SURNAME, "friendly_name": "FirstSurname", "required": False},
]


class ClaveError(SeuError):
    """A Cl@ve login that is refused; ``code`` says why, the message says it to the person."""

    http_status = 403


_MESSAGES: dict[str, Promise] = {
    "unavailable": _(
        "Ara mateix no es pot connectar amb Cl@ve. Tornau-ho a provar d'aquí a una estona o "
        "identificau-vos amb un certificat electrònic."
    ),
    "signature": _(
        "La resposta de Cl@ve no duu una signatura vàlida del proveïdor d'identitat i no s'ha "
        "acceptat."
    ),
    "audience": _("La resposta de Cl@ve no anava adreçada a aquesta seu electrònica."),
    "expired": _(
        "La resposta de Cl@ve ha caducat o encara no és vàlida. Tornau a iniciar la identificació."
    ),
    "replayed": _(
        "Aquesta resposta de Cl@ve ja s'ha fet servir i no es pot tornar a usar. Tornau a iniciar "
        "la identificació."
    ),
    "unsolicited": _(
        "La resposta de Cl@ve no correspon a cap identificació iniciada des d'aquest navegador, o "
        "ja s'ha utilitzat. Tornau a iniciar la identificació."
    ),
    "identifier": _("Cl@ve no ha facilitat un NIF o NIE espanyol vàlid de la persona."),
    "cancelled": _("La identificació a Cl@ve no s'ha completat: s'ha cancel·lat o s'ha rebutjat."),
    "invalid": _("La resposta de Cl@ve no és vàlida i no s'ha acceptat."),
}


def refusal(code: str, *, detail: str = "") -> ClaveError:
    """The error for ``code``; ``detail`` goes to the security log, never to the person."""
    if detail:
        # Short: pysaml2's messages may quote the whole document, personal data included.
        logger.warning("Cl@ve login refused (%s): %.200s", code, detail)
    return ClaveError(_MESSAGES.get(code, _MESSAGES["invalid"]), code=code)


def level_refusal(*, asserted: LoA | None, required: LoA) -> ClaveError:
    logger.warning("Cl@ve login refused (level): asserted %s, required %s", asserted, required)
    message: str | Promise
    if asserted is None:
        message = _("Cl@ve no ha indicat amb quin nivell d'identificació us heu identificat.")
    else:
        message = _(
            "Cl@ve ha acreditat un nivell d'identificació «%(asserted)s», inferior al nivell "
            "«%(required)s» que demana aquest tràmit (art. 8.2 de l'ordenança). Tornau a "
            "identificar-vos amb un mètode que l'assoleixi."
        ) % {"asserted": asserted.label, "required": required.label}
    return ClaveError(message, code="level")


# --- Configuration -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceProvider:
    """Who we are to Cl@ve and whom we trust, resolved from the settings when used."""

    entity_id: str
    acs_url: str
    key_file: Path
    cert_file: Path
    idp_metadata: str
    idp_metadata_cert: str
    idp_entity_id: str
    time_slack: int
    metadata_timeout: float
    metadata_max_age: int


def _public_path(name: str) -> str:
    # The protocol addresses never carry a language prefix: they are registered with Cl@ve.
    with translation.override(settings.LANGUAGE_CODE):
        return reverse(name)


def service_provider() -> ServiceProvider:
    base = (settings.CLAVE_SP_BASE_URL or settings.SEU_BASE_URL).rstrip("/")
    return ServiceProvider(
        entity_id=settings.CLAVE_SP_ENTITY_ID or base + _public_path("identity:clave_metadata"),
        acs_url=base + _public_path("identity:clave_acs"),
        key_file=Path(settings.CLAVE_SP_KEY_FILE),
        cert_file=Path(settings.CLAVE_SP_CERT_FILE),
        idp_metadata=settings.CLAVE_IDP_METADATA,
        idp_metadata_cert=str(settings.CLAVE_IDP_METADATA_CERT or ""),
        idp_entity_id=settings.CLAVE_IDP_ENTITY_ID,
        time_slack=settings.CLAVE_ACCEPTED_TIME_DIFF,
        metadata_timeout=settings.CLAVE_METADATA_TIMEOUT_SECONDS,
        metadata_max_age=settings.CLAVE_METADATA_MAX_AGE_SECONDS,
    )


# Development tooling (``devtools``, never installed in production) registers here what makes the
# local identity provider's service-provider keys on first use; production code imports none of it.
_key_makers: list[Callable[[Path], object]] = []


def register_key_maker(make_keys: Callable[[Path], object]) -> None:
    if make_keys not in _key_makers:
        _key_makers.append(make_keys)


def _ensure_keys(sp: ServiceProvider) -> None:
    if sp.key_file.exists() and sp.cert_file.exists():
        if settings.PRODUCTION and DEV_MARKER.encode() in _certificate_subject(sp.cert_file):
            raise ImproperlyConfigured(
                "CLAVE_SP_CERT_FILE: production refuses the development Cl@ve certificate"
            )
        return
    dev_dir = Path(settings.DEV_PKI_DIR) / "clave"
    if not settings.PRODUCTION and sp.key_file.parent == dev_dir and _key_makers:
        for make_keys in _key_makers:
            make_keys(dev_dir)
        return
    raise ImproperlyConfigured(
        "CLAVE_SP_KEY_FILE / CLAVE_SP_CERT_FILE: the service provider's key and certificate "
        f"are missing ({sp.key_file}, {sp.cert_file})"
    )


def _certificate_subject(path: Path) -> bytes:
    from cryptography import x509

    certificate = x509.load_pem_x509_certificate(path.read_bytes())
    return certificate.subject.rfc4514_string().encode()


def _config_dict(sp: ServiceProvider, *, with_idp: bool) -> dict[str, Any]:
    metadata: dict[str, Any] = {}
    if with_idp:
        if sp.idp_metadata.startswith(("http://", "https://")):
            remote: dict[str, str] = {"url": sp.idp_metadata}
            if sp.idp_metadata_cert:
                remote["cert"] = sp.idp_metadata_cert  # metadata signed by Cl@ve: verified
            metadata = {"remote": [remote]}
        else:
            metadata = {"local": [sp.idp_metadata]}
    return {
        "entityid": sp.entity_id,
        "key_file": str(sp.key_file),
        "cert_file": str(sp.cert_file),
        "xmlsec_binary": get_xmlsec_binary(),
        "metadata": metadata,
        "accepted_time_diff": sp.time_slack,
        "allow_unknown_attributes": True,
        "only_use_keys_in_metadata": True,
        "signing_algorithm": SIG_RSA_SHA256,
        "digest_algorithm": DIGEST_SHA256,
        "http_client_timeout": sp.metadata_timeout,
        "service": {
            "sp": {
                "name": "Seu electrònica",
                "endpoints": {"assertion_consumer_service": [(sp.acs_url, BINDING_HTTP_POST)]},
                "authn_requests_signed": True,
                "want_response_signed": True,
                "want_assertions_signed": True,
                "want_assertions_or_response_signed": True,
                "allow_unsolicited": False,
                "force_authn": True,
                "name_id_policy_format": NAMEID_FORMAT_UNSPECIFIED,
                "name_id_format_allow_create": True,
                # eIDAS: a public-sector service provider, and the attributes it needs.
                "sp_type": "public",
                "sp_type_in_metadata": False,
                "requested_attributes": [
                    {**item, "name_format": NAME_FORMAT_URI} for item in REQUESTED_ATTRIBUTES
                ],
            }
        },
    }


_configs: dict[tuple[ServiceProvider, bool], tuple[float, SPConfig]] = {}
_configs_lock = threading.Lock()


def sp_config(sp: ServiceProvider | None = None, *, with_idp: bool = True) -> SPConfig:
    """The pysaml2 configuration, with the identity provider's metadata loaded (and kept for
    ``CLAVE_METADATA_MAX_AGE_SECONDS``, so that a key rollover at Cl@ve is picked up)."""
    sp = sp or service_provider()
    key = (sp, with_idp)
    with _configs_lock:
        cached = _configs.get(key)
        if cached is not None and time.monotonic() - cached[0] < sp.metadata_max_age:
            return cached[1]
    if with_idp and not sp.idp_metadata:
        raise refusal("unavailable", detail="CLAVE_IDP_METADATA is not configured")
    _ensure_keys(sp)
    config = SPConfig()
    try:
        config.load(_config_dict(sp, with_idp=with_idp))
    except Exception as exc:  # metadata unreachable or malformed: pysaml2 raises many kinds
        raise refusal(
            "unavailable", detail=f"cannot load the metadata {sp.idp_metadata!r}: {exc!r}"
        ) from exc
    with _configs_lock:
        _configs[key] = (time.monotonic(), config)
    return config


def forget_configuration() -> None:
    """Drop the loaded configurations (tests that replace the identity provider call it)."""
    with _configs_lock:
        _configs.clear()
        _metadata.clear()


_metadata: dict[SPConfig, str] = {}


def sp_metadata_xml() -> str:
    """Our metadata, to register with Cl@ve: entity id, signing certificate, ACS endpoint."""
    from saml2.metadata import entity_descriptor

    config = sp_config(with_idp=False)
    with _configs_lock:
        xml = _metadata.get(config)
    if xml is None:
        # Making it asks xmlsec1 which algorithms it supports: a few processes, ~35 ms.
        xml = str(entity_descriptor(config))
        with _configs_lock:
            _metadata.clear()
            _metadata[config] = xml
    return xml


class _NobodyRemembered(Population):
    """Saml2Client's memory of every person it has seen, kept empty: the database is ours."""

    def add_information_about_person(self, session_info: Mapping[str, Any]) -> Any:
        return session_info["name_id"]


_clients: weakref.WeakKeyDictionary[SPConfig, Saml2Client] = weakref.WeakKeyDictionary()


def _client(config: SPConfig) -> Saml2Client:
    """One client per loaded configuration: making one parses the private key (~0.1 s for RSA
    3072). Requests share it; what it does per message keeps its state in the message."""
    with _configs_lock:
        client = _clients.get(config)
        if client is None:
            client = Saml2Client(config=config)
            client.users = _NobodyRemembered()
            _clients[config] = client
        return client


def _identity_provider(config: SPConfig, sp: ServiceProvider) -> str:
    providers = list(config.metadata.identity_providers())
    if sp.idp_entity_id:
        if sp.idp_entity_id not in providers:
            raise refusal(
                "unavailable", detail=f"CLAVE_IDP_ENTITY_ID {sp.idp_entity_id!r} not in metadata"
            )
        return sp.idp_entity_id
    if len(providers) != 1:
        raise refusal(
            "unavailable",
            detail=f"{len(providers)} identity providers in the metadata; set CLAVE_IDP_ENTITY_ID",
        )
    return providers[0]


# --- Login ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuthnRequest:
    request_id: str
    idp_entity_id: str
    level: LoA
    redirect_url: str


def make_authn_request(*, level: LoA) -> AuthnRequest:
    """A signed AuthnRequest asking for at least ``level``, as an HTTP-Redirect URL."""
    sp = service_provider()
    config = sp_config(sp)
    idp = _identity_provider(config, sp)
    requested = RequestedAuthnContext(
        authn_context_class_ref=[saml.AuthnContextClassRef(text=LoA(level).eidas_uri)],
        comparison="minimum",
    )
    request_id, info = _client(config).prepare_for_authenticate(
        entityid=idp,
        binding=BINDING_HTTP_REDIRECT,
        sign=True,
        sigalg=SIG_RSA_SHA256,
        requested_authn_context=requested,
    )
    location = dict(info["headers"])["Location"]
    return AuthnRequest(
        request_id=request_id, idp_entity_id=idp, level=LoA(level), redirect_url=location
    )


@dataclass(frozen=True)
class Outstanding:
    """What we remember of a request until its answer arrives."""

    idp_entity_id: str
    level: LoA
    next_url: str


@dataclass(frozen=True)
class ClaveLogin:
    """An accepted answer: who, at what level, with which assertion."""

    request_id: str
    person: identity.PersonData
    loa: LoA
    assertion_id: str
    issuer: str
    not_on_or_after: dt.datetime


def _decode(saml_response: str) -> str:
    try:
        # Some senders wrap base64 in lines (MIME style): whitespace is not part of it.
        compact = "".join(saml_response.split())
        return base64.b64decode(compact.encode("ascii"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise refusal("invalid", detail=f"SAMLResponse is not base64 UTF-8: {exc}") from exc


def _classify(exc: Exception) -> ClaveError:
    detail = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, StatusError):
        return refusal("cancelled", detail=detail)
    if isinstance(exc, UnsolicitedResponse):
        return refusal("unsolicited", detail=detail)
    if isinstance(exc, SigverError | IncorrectlySigned):
        return refusal("signature", detail=detail)
    if isinstance(exc, ResponseLifetimeExceed | ToEarly):
        return refusal("expired", detail=detail)
    text = str(exc)
    if isinstance(exc, VerificationError) and "Condition not OK" in text:
        return refusal("expired", detail=detail)  # NotBefore/NotOnOrAfter out of order
    if "AudienceRestrictions" in text:
        return refusal("audience", detail=detail)
    if "session id and requestURI" in text or (
        isinstance(exc, VerificationError) and "Came from" in text
    ):
        return refusal("unsolicited", detail=detail)
    return refusal("invalid", detail=detail)


def read_response(saml_response: str, *, outstanding: Mapping[str, Outstanding]) -> ClaveLogin:
    """Check a posted SAMLResponse against this browser's outstanding requests.

    Raises ``ClaveError`` for anything but a signed answer, from the right provider, to one of
    ``outstanding``, for us, in time, at the level asked for, about a valid NIF/NIE.
    """
    xml = _decode(saml_response)
    config = sp_config()
    try:
        response = _client(config).parse_authn_request_response(
            base64.b64encode(xml.encode()).decode(),
            BINDING_HTTP_POST,
            outstanding={request_id: item.next_url for request_id, item in outstanding.items()},
        )
    except Exception as exc:  # pysaml2 signals every failure by an exception of its own
        raise _classify(exc) from exc
    if not isinstance(response, AuthnResponse) or response.assertion is None:
        raise refusal("invalid", detail="no verified response or assertion (wrong Destination?)")

    request_id = response.in_response_to
    pending = outstanding.get(request_id or "")
    if pending is None:
        raise refusal("unsolicited", detail=f"InResponseTo {request_id!r}")

    assertion = response.assertion
    response_issuer = response.issuer()
    assertion_issuer = (assertion.issuer.text or "").strip() if assertion.issuer else ""
    if response_issuer != pending.idp_entity_id or assertion_issuer != pending.idp_entity_id:
        raise refusal(
            "signature",
            detail=f"issuer {response_issuer!r}/{assertion_issuer!r}, "
            f"expected {pending.idp_entity_id!r}",
        )
    _check_audience(assertion, config.entityid)

    loa = _asserted_level(assertion)
    if loa is None or not loa.satisfies(pending.level):
        raise level_refusal(asserted=loa, required=pending.level)

    return ClaveLogin(
        request_id=request_id,
        person=_person(assertion),
        loa=loa,
        assertion_id=assertion.id,
        issuer=assertion_issuer,
        not_on_or_after=_not_on_or_after(response, assertion),
    )


def _check_audience(assertion: saml.Assertion, entity_id: str) -> None:
    """Every AudienceRestriction names us, and there is at least one (SAML core 2.5.1.4)."""
    restrictions = assertion.conditions.audience_restriction if assertion.conditions else []
    if not restrictions:
        raise refusal("audience", detail="the assertion has no AudienceRestriction")
    for restriction in restrictions:
        audiences = {(audience.text or "").strip() for audience in restriction.audience}
        if entity_id not in audiences:
            raise refusal("audience", detail=f"audiences {sorted(audiences)} without {entity_id}")


def _asserted_level(assertion: saml.Assertion) -> LoA | None:
    levels = []
    for statement in assertion.authn_statement:
        context = statement.authn_context
        if context is not None and context.authn_context_class_ref is not None:
            levels.append(LoA.from_eidas_uri((context.authn_context_class_ref.text or "").strip()))
    if len(levels) != 1:
        return None
    return levels[0]


def _attribute_values(assertion: saml.Assertion) -> dict[str, str]:
    """First value of each attribute we know, keyed by its URI (by FriendlyName as a fallback)."""
    by_friendly_name = {name.lower(): uri for name, uri in ATTRIBUTES.items()}
    values: dict[str, str] = {}
    for statement in assertion.attribute_statement:
        for attribute in statement.attribute:
            uri = attribute.name if attribute.name in ATTRIBUTES.values() else None
            if uri is None:
                uri = by_friendly_name.get((attribute.friendly_name or attribute.name).lower())
            if uri is None or uri in values or not attribute.attribute_value:
                continue
            values[uri] = " ".join((attribute.attribute_value[0].text or "").split())
    return values


def person_identifier_nif(value: str) -> str:
    """The NIF/NIE in an eIDAS PersonIdentifier (``ES/ES/12345678Z``) or a bare one."""
    parts = value.strip().split("/")
    if len(parts) == 3:
        origin, _destination, number = parts
        if origin.upper() != "ES":
            raise refusal("identifier", detail=f"identifier from {origin!r}: {value!r}")
    elif len(parts) == 1:
        number = parts[0]
    else:
        raise refusal("identifier", detail=f"malformed PersonIdentifier {value!r}")
    try:
        return normalise_person_id(number)
    except ValidationError as exc:
        raise refusal("identifier", detail=f"invalid NIF {value!r}") from exc


def _person(assertion: saml.Assertion) -> identity.PersonData:
    values = _attribute_values(assertion)
    identifier = values.get(PERSON_IDENTIFIER, "")
    if not identifier:
        raise refusal("identifier", detail="no PersonIdentifier attribute")
    surnames = values.get(FAMILY_NAME) or " ".join(
        part for part in (values.get(FIRST_SURNAME), values.get(SECOND_SURNAME)) if part
    )
    return identity.PersonData(
        nif=person_identifier_nif(identifier),
        given_name=values.get(FIRST_NAME, "")[:100],
        surnames=surnames[:200],
    )


def _not_on_or_after(response: AuthnResponse, assertion: saml.Assertion) -> dt.datetime:
    """Until when the assertion could be presented: how long its ID must be remembered."""
    candidates = [response.not_on_or_after] if response.not_on_or_after else []
    if assertion.subject is not None:
        for confirmation in assertion.subject.subject_confirmation:
            data = confirmation.subject_confirmation_data
            if data is not None and data.not_on_or_after:
                candidates.append(std_calendar.timegm(str_to_time(data.not_on_or_after)))
    # pysaml2 accepts an IssueInstant up to a day old: without a bound, remember it that long.
    latest = max(candidates) if candidates else time.time() + 86400
    return dt.datetime.fromtimestamp(latest + settings.CLAVE_ACCEPTED_TIME_DIFF, tz=dt.UTC)


@transaction.atomic
def accept_login(
    *, login: ClaveLogin, ip_address: str | None = None, now: dt.datetime | None = None
) -> Identification:
    """Record the identification and spend the assertion, together or not at all."""
    now = now or calendar.now()
    try:
        with transaction.atomic():
            SamlAssertionUse.objects.create(
                assertion_id=login.assertion_id,
                issuer=login.issuer,
                used_at=now,
                not_on_or_after=login.not_on_or_after,
            )
    except IntegrityError as exc:
        raise refusal("replayed", detail=f"assertion {login.assertion_id!r} again") from exc
    return identity.record_identification(
        person=login.person,
        method=Identification.Method.CLAVE,
        loa=login.loa,
        evidence=identity.Evidence(
            provider=PROVIDER, saml_assertion_id=login.assertion_id, saml_issuer=login.issuer
        ),
        ip_address=ip_address,
        now=now,
    )


def purge_spent_assertions(*, now: dt.datetime | None = None) -> int:
    """Forget assertion IDs that could no longer be presented anyway (their validity is over)."""
    deleted, _ = SamlAssertionUse.objects.filter(not_on_or_after__lt=now or calendar.now()).delete()
    return deleted
