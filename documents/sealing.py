"""The town hall's electronic seal (art. 10.1.a): one key, loaded once per process.

The seal comes from a PKCS#12 file (``SEAL_PKCS12_FILE`` / ``SEAL_PKCS12_PASSWORD``). A missing file
or a wrong password is an ``ImproperlyConfigured`` naming the setting, raised at start-up by
``seu.wsgi`` and by the system check, not at the first document. Production refuses a seal issued
by the development PKI.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from asn1crypto import keys, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from pyhanko.pdf_utils.font.basic import COURIER_META, SimpleFontEngineFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import attributes, fields, signers
from pyhanko.sign.attributes import SignedAttributeProviderSpec
from pyhanko.sign.general import as_signing_certificate_v2, get_pyca_cryptography_hash
from pyhanko.stamp.text import TextStamp, TextStampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore

from documents.sync import off_event_loop
from seu.env import DEV_MARKER


class _PreparedSigningCertificate(attributes.CMSAttributeProvider):
    """The signing-certificate-v2 attribute (which certificate sealed: PAdES), serialised once."""

    attribute_type = "signing_certificate_v2"

    def __init__(self, der: bytes) -> None:
        self._der = der

    async def build_attr_value(self, dry_run: bool = False) -> tsp.SigningCertificateV2:
        # A fresh object from the bytes each time (the seal's threads share the bytes only):
        # loaded, it serialises without walking its parts again.
        return tsp.SigningCertificateV2.load(self._der)


class _WithPreparedSigningCertificate(SignedAttributeProviderSpec):
    """pyHanko's signed attributes, the signing certificate's from ``_PreparedSigningCertificate``:
    pyHanko builds that value anew for every signature, and asn1crypto then serialises the
    issuer's name again each time the value is copied (2.5 ms of a 10 ms seal, all of it under
    the registry book's lock)."""

    def __init__(self, spec: SignedAttributeProviderSpec, der: bytes) -> None:
        self._spec = spec
        self._der = der

    def signed_attr_providers(
        self, data_digest: bytes, digest_algorithm: str
    ) -> Iterator[attributes.CMSAttributeProvider]:
        for provider in self._spec.signed_attr_providers(data_digest, digest_algorithm):
            if isinstance(provider, attributes.SigningCertificateV2Provider):
                yield _PreparedSigningCertificate(self._der)
            else:
                yield provider


class _LoadedKeySigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner re-parses the private key on every signature; this one keeps the
    parsed key (measured: 37 ms -> under 1 ms per seal for RSA), and the signing certificate's
    attribute serialised once."""

    def __init__(
        self, *, private_key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey, **kwargs: object
    ) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._private_key = private_key
        self._signing_certificate_der = as_signing_certificate_v2(self.signing_cert).dump()

    def _signed_attr_provider_spec(self, *args: Any, **kwargs: Any) -> SignedAttributeProviderSpec:
        spec = super()._signed_attr_provider_spec(*args, **kwargs)
        return _WithPreparedSigningCertificate(spec, self._signing_certificate_der)

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        hash_algo = get_pyca_cryptography_hash(digest_algorithm)
        if isinstance(self._private_key, ec.EllipticCurvePrivateKey):
            return self._private_key.sign(data, ec.ECDSA(hash_algo))
        return self._private_key.sign(data, padding.PKCS1v15(), hash_algo)


@dataclass(frozen=True)
class Seal:
    signer: signers.Signer
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]

    @property
    def fingerprint(self) -> str:
        return self.certificate.fingerprint(hashes.SHA256()).hex()

    @property
    def subject(self) -> str:
        return self.certificate.subject.rfc4514_string()

    @property
    def is_development(self) -> bool:
        names = [cert.issuer.rfc4514_string() for cert in (self.certificate, *self.chain)]
        return any(DEV_MARKER in name for name in names)


_lock = threading.Lock()
_seal: Seal | None = None


def load_seal(path: Path, password: str, *, production: bool) -> Seal:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImproperlyConfigured(
            f"SEAL_PKCS12_FILE: the seal file {str(path)!r} does not exist "
            "(development: run `make run` once, or `manage.py devpki`)"
        ) from None
    except OSError as exc:
        raise ImproperlyConfigured(f"SEAL_PKCS12_FILE: cannot read {str(path)!r} ({exc})") from None
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, password.encode() or None)
    except ValueError:
        raise ImproperlyConfigured(
            f"SEAL_PKCS12_PASSWORD: wrong password for {str(path)!r}, or the file is not PKCS#12"
        ) from None
    if key is None or cert is None:
        raise ImproperlyConfigured(f"SEAL_PKCS12_FILE: {str(path)!r} holds no key and certificate")
    if isinstance(key, rsa.RSAPrivateKey) and key.key_size < 3072 and production:
        raise ImproperlyConfigured("SEAL_PKCS12_FILE: an RSA seal key needs at least 3072 bits")
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise ImproperlyConfigured("SEAL_PKCS12_FILE: the seal key must be ECDSA or RSA")
    chain = tuple(extra or ())
    der_key = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    asn1_cert = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    asn1_chain = [
        asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in chain
    ]
    signer = _LoadedKeySigner(
        private_key=key,
        signing_cert=asn1_cert,
        signing_key=keys.PrivateKeyInfo.load(der_key),
        cert_registry=SimpleCertificateStore.from_certs([asn1_cert, *asn1_chain]),
    )
    seal = Seal(signer=signer, certificate=cert, chain=chain)
    if production and seal.is_development:
        raise ImproperlyConfigured(
            "SEAL_PKCS12_FILE: this seal was issued by the development PKI; "
            "production needs the town hall's own seal certificate"
        )
    return seal


def get_seal() -> Seal:
    """The process's seal, loaded on first use and kept."""
    global _seal
    if _seal is None:
        with _lock:
            if _seal is None:
                _seal = load_seal(
                    Path(settings.SEAL_PKCS12_FILE),
                    settings.SEAL_PKCS12_PASSWORD,
                    production=settings.PRODUCTION,
                )
    return _seal


def reset_seal() -> None:
    """Forget the loaded seal (tests that change the seal settings)."""
    global _seal
    with _lock:
        _seal = None


SIGNATURE_FIELD = "SegellAjuntament"


@dataclass(frozen=True)
class PageStamp:
    """A line of text printed on the first page as the document is sealed, like the stamp an
    office puts on a paper: what is only known at the last moment (a registry number, taken under
    the book's lock) without rendering the document again. ``x`` and ``y`` are the lower left
    corner of the text box, in points from the page's lower left corner."""

    text: str
    x: float
    y: float
    font_size: int = 13


def _apply_stamp(writer: IncrementalPdfFileWriter, stamp: PageStamp) -> None:
    font = SimpleFontEngineFactory("Courier-Bold", 0.6, COURIER_META)
    style = TextStampStyle(
        stamp_text="%(text)s",
        border_width=0,
        text_box_style=TextBoxStyle(font=font, font_size=stamp.font_size),
    )
    TextStamp(writer, style, text_params={"text": stamp.text}).apply(0, stamp.x, stamp.y)  # type: ignore[arg-type]


def seal_pdf(
    pdf: bytes,
    *,
    reason: str,
    location: str,
    stamp: PageStamp | None = None,
    contact_info: str | None = None,
) -> bytes:
    """A PAdES baseline B-B seal over the whole PDF; the timestamp follows as a new version.

    A ``stamp`` goes in the same incremental update, so the seal covers it. ``contact_info`` is
    the document's verification address: in the signature dictionary, covered by the seal, it
    binds the file to its CSV (``documents.integrity``)."""
    seal = get_seal()
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    if stamp is not None:
        _apply_stamp(writer, stamp)
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
        contact_info=contact_info,
        md_algorithm="sha256",
    )
    signer = signers.PdfSigner(meta, signer=seal.signer)
    output = off_event_loop(lambda: signer.sign_pdf(writer, bytes_reserved=16384, in_place=False))
    return output.getvalue()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
