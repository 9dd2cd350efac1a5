"""The development PKI: a root CA, the town hall's seal and a TSA, generated once under ``var/``.

It stands in for the real trust services (a qualified seal certificate, a qualified TSA) in
development and tests, through the same formats: a PKCS#12 seal file and a PEM bundle of roots.
Every certificate carries the organisational unit ``DEV_MARKER`` so that production can refuse it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DEV_MARKER = "seu-dev-pki NOT FOR PRODUCTION"
SEAL_PASSWORD = "development"  # noqa: S105 - the development seal only

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


@dataclass(frozen=True)
class DevPki:
    directory: Path

    @property
    def root_cert(self) -> Path:
        return self.directory / "root.pem"

    @property
    def roots(self) -> Path:
        return self.directory / "roots.pem"

    @property
    def seal_p12(self) -> Path:
        return self.directory / "seal.p12"

    @property
    def tsa_cert(self) -> Path:
        return self.directory / "tsa.pem"

    @property
    def tsa_key(self) -> Path:
        return self.directory / "tsa.key"

    def exists(self) -> bool:
        return all(p.exists() for p in (self.roots, self.seal_p12, self.tsa_cert, self.tsa_key))


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "ES"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, DEV_MARKER),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _issue(
    *,
    subject: x509.Name,
    public_key: object,
    issuer: x509.Name,
    issuer_key: PrivateKey,
    ca: bool,
    key_usage: x509.KeyUsage,
    eku: list[x509.ObjectIdentifier] | None = None,
    years: int = 10,
) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)  # type: ignore[arg-type]
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(key_usage, critical=True)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(public_key),  # type: ignore[arg-type]
            critical=False,
        )
    )
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


_CA_USAGE = x509.KeyUsage(
    digital_signature=True,
    content_commitment=False,
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=True,
    crl_sign=True,
    encipher_only=False,
    decipher_only=False,
)
_SIGNING_USAGE = x509.KeyUsage(
    digital_signature=True,
    content_commitment=True,
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=False,
    crl_sign=False,
    encipher_only=False,
    decipher_only=False,
)


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def ensure_dev_pki(
    directory: Path, *, town_hall_name: str = "Ajuntament de Sant Llorenç des Cardassar"
) -> DevPki:
    """Generate the development PKI in ``directory`` unless it is already there."""
    pki = DevPki(directory)
    if pki.exists():
        return pki
    directory.mkdir(parents=True, exist_ok=True)

    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = _name("Seu electrònica - CA arrel de desenvolupament", town_hall_name)
    root = _issue(
        subject=root_name,
        public_key=root_key.public_key(),
        issuer=root_name,
        issuer_key=root_key,
        ca=True,
        key_usage=_CA_USAGE,
        years=20,
    )

    seal_key = ec.generate_private_key(ec.SECP256R1())
    seal = _issue(
        subject=_name(f"SEGELL ELECTRÒNIC - {town_hall_name.upper()}", town_hall_name),
        public_key=seal_key.public_key(),
        issuer=root_name,
        issuer_key=root_key,
        ca=False,
        key_usage=_SIGNING_USAGE,
    )

    # RSA for the TSA: pyHanko's in-process time stamper signs with RSA only.
    tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    tsa = _issue(
        subject=_name("Seu electrònica - TSA de desenvolupament", town_hall_name),
        public_key=tsa_key.public_key(),
        issuer=root_name,
        issuer_key=root_key,
        ca=False,
        key_usage=_SIGNING_USAGE,
        eku=[ExtendedKeyUsageOID.TIME_STAMPING],
    )

    pki.root_cert.write_bytes(_pem(root))
    (directory / "root.key").write_bytes(
        root_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    pki.roots.write_bytes(_pem(root))
    pki.seal_p12.write_bytes(
        pkcs12.serialize_key_and_certificates(
            name=b"seal",
            key=seal_key,
            cert=seal,
            cas=[root],
            encryption_algorithm=serialization.BestAvailableEncryption(SEAL_PASSWORD.encode()),
        )
    )
    pki.tsa_cert.write_bytes(_pem(tsa))
    pki.tsa_key.write_bytes(
        tsa_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    for path in directory.glob("*.key"):
        path.chmod(0o600)
    pki.seal_p12.chmod(0o600)
    return pki
