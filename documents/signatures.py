"""Signatures people put on the documents they present (art. 10, 30.1 and 33.f of the ordinance):
who signed, and whether the signature holds.

A citizen's signature is judged against the issuers the seu accepts for citizens
(``CITIZEN_TRUST_FILE``, read by ``seu.identity.certificates.load_trust``), not against the roots
that anchor the town hall's own seal and TSA. Its revocation status is asked the way the
certificate login asks it (``seu.identity.certificates.revocation_data``): the issuer's configured
OCSP responder first, then its CRL, cached; never an address written in the certificate or in the
uploaded file. The answers are given to pyhanko-certvalidator with fetching off.

Each signature gets one of three outcomes, with a reason code (``REASONS``):

- ``valid``: the signed content is unchanged, the certificate chains to an accepted issuer, and it
  was neither revoked nor expired when the document was signed;
- ``invalid``: the content changed after signing, or the certificate was revoked, expired or not
  for signing at the signing time;
- ``unchecked``: the signature could not be judged (an issuer the seu does not accept, no answer
  from the revocation services, a detached signature without its file...). It is not called
  invalid: the receipt says why it was not checked.

The signing time is the one proved by a valid signature timestamp whose TSA chains to a root the seu
knows (the town hall's or the citizen issuers'). Without one, the time the signer wrote is only a
claim: it can make a signature invalid (revoked or expired before it) but not valid, so a
certificate revoked or expired after the claimed time, with no proof of when the signature was
made, is "not checked" (ETSI EN 319 102-1 calls it REVOKED_NO_POE / OUT_OF_BOUNDS_NO_POE).

Formats: PAdES and PDF signatures (pyHanko), CAdES attached and detached (pyHanko's CMS validation;
a detached one only when the signed file is given), XAdES and XML-DSig (signxml checks the XML-DSig
core: the signature value and every reference's digest, and for XAdES the signing certificate's
digest; the other XAdES qualifying properties, such as a signature timestamp, are not checked and
the row says so).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, replace
from io import BytesIO
from typing import Any, TypeVar

from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from lxml import etree
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.general import (
    NonexistentAttributeError,
    find_unique_cms_attribute,
    get_pyca_cryptography_hash,
)
from pyhanko.sign.validation import async_validate_detached_cms, validate_pdf_signature
from pyhanko.sign.validation.generic_cms import (
    async_validate_cms_signature,
    collect_timing_info,
    extract_certs_for_validation,
    extract_self_reported_ts,
)
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import SignatureStatus
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator import errors as validation_errors
from pyhanko_certvalidator.policy_decl import (
    CertRevTrustPolicy,
    RevocationCheckingPolicy,
    RevocationCheckingRule,
)
from signxml import SignatureConfiguration, XMLVerifier
from signxml.exceptions import InvalidDigest, InvalidInput, InvalidSignature, SignXMLException
from signxml.xades import XAdESSignatureConfiguration, XAdESVerifier

from documents import trust
from documents.sync import off_event_loop
from seu import calendar
from seu.identity import certificates

logger = logging.getLogger(__name__)

VALID = "valid"
INVALID = "invalid"
UNCHECKED = "unchecked"

XMLDSIG_NS = "http://www.w3.org/2000/09/xmldsig#"
XADES_NAMESPACES = ("http://uri.etsi.org/01903/v1.3.2#", "http://uri.etsi.org/01903/v1.4.1#")

# Why a signature is not valid or was not checked (or, for a valid one, what was left unchecked).
# The code is stored on the attachment; the text is chosen when a page or a receipt prints it.
REASONS: dict[str, Promise] = {
    "modified": gettext_lazy("el contingut no és el que es va signar"),
    "revoked": gettext_lazy("el certificat estava revocat quan es va signar"),
    "expired": gettext_lazy("el certificat havia caducat quan es va signar"),
    "not_yet_valid": gettext_lazy("el certificat encara no era vigent quan es va signar"),
    "not_for_signing": gettext_lazy("el certificat no serveix per signar"),
    "issuer_not_accepted": gettext_lazy("emissor no acceptat"),
    "revocation_unavailable": gettext_lazy("no s'ha pogut comprovar la revocació"),
    "revoked_no_proof": gettext_lazy(
        "el certificat està revocat i cap segell de temps no prova que es signés abans"
    ),
    "expired_no_proof": gettext_lazy(
        "el certificat ha caducat i cap segell de temps no prova que es signés quan era vigent"
    ),
    "content_not_attached": gettext_lazy("el fitxer signat no està adjunt"),
    "chain": gettext_lazy("no s'ha pogut validar la cadena de certificats"),
    "unreadable": gettext_lazy("la signatura no es pot llegir"),
    "xades_properties_not_checked": gettext_lazy(
        "no s'han comprovat les propietats qualificades XAdES"
    ),
}

# The signer's status is required whatever the certificate declares; the issuing CAs are listed
# one by one in the trust file (how an issuer stops being accepted), as at login.
_REVOCATION_POLICY = CertRevTrustPolicy(
    RevocationCheckingPolicy(
        ee_certificate_rule=RevocationCheckingRule.CRL_OR_OCSP_REQUIRED,
        intermediate_ca_cert_rule=RevocationCheckingRule.NO_CHECK,
    )
)
# Qualified signature certificates say non-repudiation; DNIe's and FNMT's authentication
# certificates, which people also sign with, say digital signature. Either will do.
_KEY_USAGE = KeyUsageConstraints(
    key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False
)

T = TypeVar("T")


@dataclass(frozen=True)
class SignatureCheck:
    """The outcome for one signature."""

    signer: str
    status: str  # VALID | INVALID | UNCHECKED
    reason: str = ""  # a key of REASONS, or ""
    signed_at: dt.datetime | None = None
    time_source: str = ""  # "timestamp" (proved by a TSA) | "claimed" (by the signer) | ""
    intact: bool = False
    kind: str = ""  # PAdES | CAdES | XAdES | XMLDSig

    @property
    def valid(self) -> bool:
        return self.status == VALID

    def as_row(self) -> dict[str, Any]:
        """What an attachment stores (``signer``, ``valid``, ``intact``, ``trusted`` and
        ``signed_at`` as before; ``status``, ``reason``, ``signed_at_source`` and ``format``)."""
        return {
            "signer": self.signer,
            "valid": self.valid,
            "status": self.status,
            "reason": self.reason,
            "intact": self.intact,
            "trusted": self.valid,
            "signed_at": self.signed_at.isoformat() if self.signed_at else None,
            "signed_at_source": self.time_source,
            "format": self.kind,
        }


def describe(row: Mapping[str, Any]) -> str:
    """The line a page or a receipt prints for a stored signature row, in the active language.
    Rows stored before the three outcomes (no ``status``) read as they did."""
    signer = row.get("signer") or "?"
    status = row.get("status") or (VALID if row.get("valid") else INVALID)
    reason_text = REASONS.get(str(row.get("reason") or ""))
    values = {"signer": signer, "reason": reason_text}
    if status == VALID:
        if reason_text:
            return _("Signat per %(signer)s: signatura vàlida (%(reason)s)") % values
        return _("Signat per %(signer)s: signatura vàlida") % values
    if status == UNCHECKED:
        values["reason"] = reason_text or REASONS["chain"]
        return _("Signat per %(signer)s: signatura no comprovada (%(reason)s)") % values
    if reason_text:
        return _("Signat per %(signer)s: signatura NO vàlida (%(reason)s)") % values
    return _("Signat per %(signer)s: signatura NO vàlida") % values


# --- Judging the signer's certificate -------------------------------------------------------------


def _run(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """pyHanko's and certvalidator's asynchronous API, from synchronous code (or a thread of its
    own when this thread already runs an event loop)."""
    return off_event_loop(lambda: asyncio.run(make()))


def _common_name(cert: asn1_x509.Certificate | None) -> str:
    if cert is None:
        return ""
    return str(cert.subject.native.get("common_name") or cert.subject.human_friendly)


def _timestamp_context() -> ValidationContext:
    """For signature timestamps: a TSA that chains to a root the seu knows proves the time."""
    roots = list(trust.trust_roots())
    with contextlib.suppress(ImproperlyConfigured):  # then no citizen signature is judged anyway
        roots += [root.certificate for root in certificates.load_trust().roots]
    return ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")


@dataclass(frozen=True)
class _Timing:
    claimed: dt.datetime | None  # what the signer wrote
    proved: dt.datetime | None  # what a valid, trusted signature timestamp says

    @property
    def best(self) -> tuple[dt.datetime | None, str]:
        if self.proved is not None:
            return self.proved, "timestamp"
        if self.claimed is not None:
            return self.claimed, "claimed"
        return None, ""


def _timing(status: SignatureStatus | Mapping[str, Any]) -> _Timing:
    if isinstance(status, Mapping):
        claimed, stamp = status.get("signer_reported_dt"), status.get("timestamp_validity")
    else:
        claimed = getattr(status, "signer_reported_dt", None)
        stamp = getattr(status, "timestamp_validity", None)
    proved = None
    if stamp is not None and stamp.intact and stamp.valid and stamp.trusted:
        proved = stamp.timestamp
    return _Timing(claimed=claimed, proved=proved)


def _judge(
    cert: asn1_x509.Certificate,
    others: Sequence[asn1_x509.Certificate],
    timing: _Timing,
    *,
    now: dt.datetime,
) -> tuple[str, str]:
    """(status, reason) for a signature already found intact, by its signer's certificate."""
    try:
        citizen_trust = certificates.load_trust()
    except ImproperlyConfigured:
        logger.error("CITIZEN_TRUST_FILE cannot be read: no citizen signature can be checked")
        return UNCHECKED, "issuer_not_accepted"
    issuer = citizen_trust.issuer_of(cert)
    if issuer is None:
        return UNCHECKED, "issuer_not_accepted"
    try:
        revocation = certificates.revocation_data(
            x509.load_der_x509_certificate(cert.dump()), issuer, now=now
        )
    except certificates.RevocationUnavailable:
        return UNCHECKED, "revocation_unavailable"
    except ValueError:
        return UNCHECKED, "unreadable"
    # A claimed time proves nothing: without a timestamp, the certificate is judged now, and the
    # claim can only make it worse (see the module's docstring).
    proved = timing.proved if timing.proved is not None and timing.proved < now else None
    claimed = timing.claimed if timing.claimed is not None and timing.claimed < now else None
    context = ValidationContext(
        trust_roots=[root.certificate for root in citizen_trust.roots],
        other_certs=[issuer.certificate, *others],
        allow_fetching=False,
        revinfo_policy=_REVOCATION_POLICY,
        ocsps=[revocation.data] if revocation.source == "ocsp" else [],
        crls=[revocation.data] if revocation.source == "crl" else [],
        moment=proved or now,
        # The answer is from now; it speaks for the (earlier) signing time too.
        retroactive_revinfo=True,
    )
    validator = CertificateValidator(cert, validation_context=context)
    try:
        _run(validator.async_validate_path)
        _KEY_USAGE.validate(cert)
    except validation_errors.RevokedError as error:
        if proved is not None or claimed is None or error.revocation_dt <= claimed:
            return INVALID, "revoked"
        return UNCHECKED, "revoked_no_proof"
    except validation_errors.ExpiredError:
        if proved is not None or claimed is None or claimed > cert.not_valid_after:
            return INVALID, "expired"
        if claimed < cert.not_valid_before:
            return INVALID, "not_yet_valid"
        return UNCHECKED, "expired_no_proof"
    except validation_errors.NotYetValidError:
        return INVALID, "not_yet_valid"
    except validation_errors.InsufficientRevinfoError:
        return UNCHECKED, "revocation_unavailable"
    except validation_errors.PathBuildingError:
        return UNCHECKED, "issuer_not_accepted"
    except validation_errors.InvalidCertificateError:
        return INVALID, "not_for_signing"
    except (validation_errors.PathError, validation_errors.ValidationError) as error:
        logger.info("citizen signature: certificate path not validated: %s", error)
        return UNCHECKED, "chain"
    if claimed is not None and proved is None and claimed < cert.not_valid_before:
        return INVALID, "not_yet_valid"
    return VALID, ""


def _check(
    *,
    kind: str,
    cert: asn1_x509.Certificate | None,
    others: Sequence[asn1_x509.Certificate],
    intact: bool,
    timing: _Timing,
    now: dt.datetime,
) -> SignatureCheck:
    signed_at, source = timing.best
    found = SignatureCheck(
        signer=_common_name(cert),
        status=UNCHECKED,
        signed_at=signed_at,
        time_source=source,
        kind=kind,
    )
    if cert is None:
        return replace(found, reason="unreadable")
    if not intact:
        return replace(found, status=INVALID, reason="modified")
    status, reason = _judge(cert, others, timing, now=now)
    return replace(found, status=status, reason=reason, intact=True)


# --- PDF ------------------------------------------------------------------------------------------


def check_pdf(data: bytes, *, now: dt.datetime | None = None) -> list[SignatureCheck]:
    """Every signature in a PDF (document timestamps are nobody's signature and are left out)."""
    now = now or calendar.now()
    try:
        embedded = list(PdfFileReader(BytesIO(data), strict=False).embedded_signatures)
    except Exception:
        logger.warning("citizen signature: a PDF's signatures could not be read", exc_info=True)
        return []
    return [
        _check_pdf_signature(signature, now)
        for signature in embedded
        if signature.sig_object_type != "/DocTimeStamp"
    ]


def _check_pdf_signature(signature: EmbeddedPdfSignature, now: dt.datetime) -> SignatureCheck:
    context = _timestamp_context()
    try:
        status = off_event_loop(
            lambda: validate_pdf_signature(
                signature,
                signer_validation_context=context,
                ts_validation_context=context,
                key_usage_settings=_KEY_USAGE,
            )
        )
    except Exception:
        logger.warning("citizen signature: a PDF signature could not be validated", exc_info=True)
        try:
            cert = signature.signer_cert
        except Exception:
            cert = None
        return SignatureCheck(signer=_common_name(cert), status=UNCHECKED, reason="unreadable")
    # Intact, and nothing but form filling, signing or validation data appended after it.
    unchanged = status.docmdp_ok or status.modification_level is None
    return _check(
        kind="PAdES",
        cert=status.signing_cert,
        others=list(signature.other_embedded_certs),
        intact=bool(status.intact and status.valid and unchanged),
        timing=_timing(status),
        now=now,
    )


# --- CAdES ----------------------------------------------------------------------------------------


def _signed_data_per_signer(data: bytes) -> list[cms.SignedData]:
    """One SignedData per signer (pyHanko validates one signer at a time)."""
    info = cms.ContentInfo.load(data)
    signed: cms.SignedData = info["content"]
    signer_infos = list(signed["signer_infos"])
    if len(signer_infos) == 1:
        return [signed]
    per_signer = []
    for signer_info in signer_infos:
        copy = signed.copy()
        copy["signer_infos"] = cms.SignerInfos([signer_info])
        per_signer.append(copy)
    return per_signer


def signed_digest(data: bytes) -> list[tuple[str, bytes]]:
    """For a detached CMS signature, the (digest algorithm, digest) of the content each signer
    signed, to find that content among the other files."""
    try:
        found = []
        for signed in _signed_data_per_signer(data):
            signer_info = signed["signer_infos"][0]
            digest = find_unique_cms_attribute(signer_info["signed_attrs"], "message_digest")
            found.append((signer_info["digest_algorithm"]["algorithm"].native, digest.native))
        return found
    except Exception:
        return []


def _content_for(signer_info: cms.SignerInfo, contents: Sequence[bytes]) -> bytes | None:
    try:
        digest = find_unique_cms_attribute(signer_info["signed_attrs"], "message_digest").native
        algorithm = get_pyca_cryptography_hash(signer_info["digest_algorithm"]["algorithm"].native)
    except (NonexistentAttributeError, ValueError, KeyError, NotImplementedError):
        return None
    for content in contents:
        hasher = hashes.Hash(algorithm)
        hasher.update(content)
        if hasher.finalize() == digest:
            return content
    return None


def check_cms(
    data: bytes, *, contents: Sequence[bytes] = (), now: dt.datetime | None = None
) -> list[SignatureCheck]:
    """Every signer of a CAdES/CMS file. A detached signature is checked against whichever of
    ``contents`` it signed (the other files of the same submission); without it, not checked."""
    now = now or calendar.now()
    try:
        per_signer = _signed_data_per_signer(data)
    except Exception:
        return [SignatureCheck(signer="", status=UNCHECKED, reason="unreadable", kind="CAdES")]
    return [_check_cms_signer(signed, contents, now) for signed in per_signer]


def _check_cms_signer(
    signed: cms.SignedData, contents: Sequence[bytes], now: dt.datetime
) -> SignatureCheck:
    context = _timestamp_context()
    try:
        cert_info = extract_certs_for_validation(signed)
        cert, others = cert_info.signer_cert, list(cert_info.other_certs)
    except Exception:
        return SignatureCheck(signer="", status=UNCHECKED, reason="unreadable", kind="CAdES")
    signer_info = signed["signer_infos"][0]
    encapsulated = signed["encap_content_info"]["content"]
    try:
        if encapsulated.native is None:
            content = _content_for(signer_info, contents)
            if content is None:
                return SignatureCheck(
                    signer=_common_name(cert),
                    status=UNCHECKED,
                    reason="content_not_attached",
                    signed_at=extract_self_reported_ts(signer_info),
                    time_source="claimed",
                    kind="CAdES",
                )
            status: SignatureStatus = _run(
                lambda: async_validate_detached_cms(
                    content,
                    signed,
                    signer_validation_context=context,
                    ts_validation_context=context,
                    key_usage_settings=_KEY_USAGE,
                )
            )
            timing = _timing(status)
        else:
            content = bytes(encapsulated)

            def digest(algorithm: str) -> bytes:
                hasher = hashes.Hash(get_pyca_cryptography_hash(algorithm))
                hasher.update(content)
                return hasher.finalize()

            status = _run(
                lambda: async_validate_cms_signature(
                    signed, validation_context=context, key_usage_settings=_KEY_USAGE
                )
            )
            timing = _timing(_run(lambda: collect_timing_info(signer_info, context, digest)))
    except Exception:
        logger.warning("citizen signature: a CMS signature could not be validated", exc_info=True)
        return SignatureCheck(
            signer=_common_name(cert), status=UNCHECKED, reason="unreadable", kind="CAdES"
        )
    return _check(
        kind="CAdES",
        cert=cert,
        others=others,
        intact=bool(status.intact and status.valid),
        timing=timing,
        now=now,
    )


# --- XAdES and XML-DSig ---------------------------------------------------------------------------


def _xml_certificates(signature: etree._Element) -> list[x509.Certificate]:
    found = []
    for element in signature.iterfind(
        f".//{{{XMLDSIG_NS}}}KeyInfo//{{{XMLDSIG_NS}}}X509Certificate"
    ):
        try:
            found.append(
                x509.load_der_x509_certificate(
                    base64.b64decode("".join((element.text or "").split()))
                )
            )
        except (ValueError, binascii.Error):
            continue
    return found


def _xades_signing_time(signature: etree._Element) -> dt.datetime | None:
    for namespace in XADES_NAMESPACES:
        element = signature.find(f".//{{{namespace}}}SignedProperties//{{{namespace}}}SigningTime")
        if element is not None and element.text:
            try:
                moment = dt.datetime.fromisoformat(element.text.strip().replace("Z", "+00:00"))
            except ValueError:
                return None
            return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return None


def check_xml(data: bytes, *, now: dt.datetime | None = None) -> list[SignatureCheck]:
    """The (first) XML signature of an XAdES or XML-DSig file."""
    now = now or calendar.now()
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError:
        return []
    signature = (
        root
        if root.tag == f"{{{XMLDSIG_NS}}}Signature"
        else root.find(f".//{{{XMLDSIG_NS}}}Signature")
    )
    if signature is None:
        return []
    xades = any(
        isinstance(element.tag, str)
        and element.tag.startswith(tuple("{" + n for n in XADES_NAMESPACES))
        for element in signature.iter()
    )
    kind = "XAdES" if xades else "XMLDSig"
    candidates = _xml_certificates(signature)
    timing = _Timing(claimed=_xades_signing_time(signature) if xades else None, proved=None)
    signed_at, source = timing.best
    if not candidates:
        return [SignatureCheck(signer="", status=UNCHECKED, reason="unreadable", kind=kind)]
    signer: x509.Certificate | None = None
    outcome = "modified"
    for candidate in candidates:
        # signxml checks only that the certificate was valid at this instant; validity and trust
        # at the signing time are judged below, with the citizen issuers.
        verification_time = candidate.not_valid_before_utc + dt.timedelta(seconds=1)
        config = (
            XAdESSignatureConfiguration(expect_references=True, verification_time=verification_time)
            if xades
            else SignatureConfiguration(expect_references=True, verification_time=verification_time)
        )
        verifier = XAdESVerifier() if xades else XMLVerifier()
        try:
            verifier.verify(data, x509_cert=candidate, expect_config=config)
        except InvalidDigest:
            signer, outcome = candidate, "modified"  # the signature is this key's, the content not
            break
        except InvalidSignature:
            continue  # not this certificate's signature (or the signed info changed)
        except InvalidInput as error:
            outcome = "content_not_attached" if "External URI" in str(error) else "unreadable"
            signer = candidate
            break
        except (SignXMLException, ValueError, etree.LxmlError):
            outcome = "unreadable"
            signer = candidate
            break
        else:
            signer, outcome = candidate, ""
            break
    shown = signer or candidates[0]
    cert = asn1_x509.Certificate.load(shown.public_bytes(Encoding.DER))
    found = SignatureCheck(
        signer=_common_name(cert),
        status=UNCHECKED,
        signed_at=signed_at,
        time_source=source,
        kind=kind,
    )
    if outcome == "modified":
        return [replace(found, status=INVALID, reason="modified")]
    if outcome:
        return [replace(found, reason=outcome)]
    others = [
        asn1_x509.Certificate.load(other.public_bytes(Encoding.DER))
        for other in candidates
        if other is not shown
    ]
    status, reason = _judge(cert, others, timing, now=now)
    if status == VALID and xades:
        reason = "xades_properties_not_checked"
    return [replace(found, status=status, reason=reason, intact=True)]
