"""The development PKI: a root CA, the town hall's seal, a TSA and citizen certificates (FNMT- and
DNIe-like issuing CAs), generated once under ``var/``.

It stands in for the real trust services (a qualified seal certificate, a qualified TSA) in
development and tests, through the same formats: a PKCS#12 seal file and a PEM bundle of roots.
Every certificate carries the organisational unit ``DEV_MARKER`` so that production can refuse it.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from seu.env import DEV_MARKER  # production checks it; re-exported for the tooling

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


# --- Citizen certificates (art. 6-8, 13): issuing CAs shaped like the FNMT's and the DNIe's ------

CITIZEN_PASSWORD = "development"  # noqa: S105 - the development citizens' PKCS#12 files only
# Where every development citizen certificate says its OCSP responder, CA certificate and CRL are.
# Nothing may ever fetch these: revocation is asked only where the trust file says (docs/
# citizen-trust.md). `.invalid` never resolves, so a fetch that should not happen fails loudly.
NEVER_FETCH_BASE_URL = "http://pki.never-fetched.invalid"

_ROOT_NAME = "Seu electrònica - CA arrel de desenvolupament"


@dataclass(frozen=True)
class DevIssuer:
    """An issuing CA of the development PKI, as the trust file describes it."""

    key: str
    name: str
    provider: str
    kind: str  # software | smartcard
    holder: str  # natural | representative
    loa: str
    info_url: str
    description_ca: str
    description_es: str
    description_en: str


DEV_ISSUERS: tuple[DevIssuer, ...] = (
    DevIssuer(
        key="fnmt-usuarios",
        name="AC FNMT Usuarios (desenvolupament)",
        provider="FNMT-RCM",
        kind="software",
        holder="natural",
        loa="high",
        info_url="https://www.sede.fnmt.gob.es/certificados/persona-fisica",
        description_ca="Certificat de persona física de la FNMT (programari).",
        description_es="Certificado de persona física de la FNMT (software).",
        description_en="FNMT natural person certificate (software).",
    ),
    DevIssuer(
        key="fnmt-representacion",
        name="AC Representación (desenvolupament)",
        provider="FNMT-RCM",
        kind="software",
        holder="representative",
        loa="high",
        info_url="https://www.sede.fnmt.gob.es/certificados/certificado-de-representante",
        description_ca="Certificat de representant de persona jurídica de la FNMT.",
        description_es="Certificado de representante de persona jurídica de la FNMT.",
        description_en="FNMT certificate of a legal entity's representative.",
    ),
    DevIssuer(
        key="dnie-004",
        name="AC DNIE 004 (desenvolupament)",
        provider="Dirección General de la Policía",
        kind="smartcard",
        holder="natural",
        loa="high",
        info_url="https://www.dnielectronico.es/",
        description_ca="DNI electrònic (certificat d'autenticació).",
        description_es="DNI electrónico (certificado de autenticación).",
        description_en="Spanish electronic identity card (authentication certificate).",
    ),
)


@dataclass(frozen=True)
class Citizen:
    """A development citizen certificate: who it names and what is wrong with it, if anything."""

    name: str  # file stem under citizens/
    issuer: str  # a DevIssuer key; "" for self-signed, "untrusted" for the unknown CA
    nif: str
    given_name: str
    surnames: str
    common_name: str
    entity_name: str = ""
    entity_cif: str = ""
    expired: bool = False
    revoked: bool = False


def _nif(number: str) -> str:
    from stdnum.es import dni

    return number + dni.calc_check_digit(number)


DEV_CITIZENS: tuple[Citizen, ...] = (
    Citizen(
        "fnmt-natural",
        "fnmt-usuarios",
        "12345678Z",
        "MARIA",
        "GARCIA FERRER",
        "GARCIA FERRER MARIA - 12345678Z",
    ),
    Citizen(
        "dnie",
        "dnie-004",
        _nif("43123456"),
        "JOAN",
        "PONS MARTI",
        "PONS MARTI, JOAN (AUTENTICACIÓN)",
    ),
    Citizen(
        "fnmt-representative",
        "fnmt-representacion",
        "12345678Z",
        "MARIA",
        "GARCIA FERRER",
        "12345678Z MARIA GARCIA (R: B12345674)",
        entity_name="SERVEIS DEL LLEVANT SL",
        entity_cif="B12345674",
    ),
    Citizen(
        "expired",
        "fnmt-usuarios",
        _nif("41234567"),
        "ANTONI",
        "SERRA COLL",
        f"SERRA COLL ANTONI - {_nif('41234567')}",
        expired=True,
    ),
    Citizen(
        "revoked",
        "fnmt-usuarios",
        _nif("43210987"),
        "CATALINA",
        "VIDAL ROSSELLO",
        f"VIDAL ROSSELLO CATALINA - {_nif('43210987')}",
        revoked=True,
    ),
    Citizen(
        "self-signed",
        "",
        _nif("42000001"),
        "PERE",
        "MAS RIERA",
        f"MAS RIERA PERE - {_nif('42000001')}",
    ),
    Citizen(
        "untrusted",
        "untrusted",
        _nif("42000002"),
        "MARGALIDA",
        "OLIVER FONT",
        f"OLIVER FONT MARGALIDA - {_nif('42000002')}",
    ),
    # A check letter that does not match the number: the seu must refuse it (art. 4).
    Citizen(
        "invalid-nif",
        "fnmt-usuarios",
        "12345678A",
        "LLUC",
        "FERRER SASTRE",
        "FERRER SASTRE LLUC - 12345678A",
    ),
)


@dataclass(frozen=True)
class CitizenFiles:
    """One citizen certificate as a browser (PKCS#12) and curl (PEM certificate and key) use it."""

    p12: Path
    cert: Path
    key: Path


@dataclass(frozen=True)
class CitizenPki:
    """The citizen side of the development PKI, under ``<dev-pki>/citizens`` and ``issuers``."""

    directory: Path  # the development PKI's directory (root.pem, root.key)

    @property
    def root_cert(self) -> Path:
        return self.directory / "root.pem"

    def issuer_cert(self, key: str) -> Path:
        return self.directory / "issuers" / f"{key}.pem"

    def issuer_key(self, key: str) -> Path:
        return self.directory / "issuers" / f"{key}.key"

    def citizen(self, name: str) -> CitizenFiles:
        folder = self.directory / "citizens"
        return CitizenFiles(
            p12=folder / f"{name}.p12", cert=folder / f"{name}.pem", key=folder / f"{name}.key"
        )

    @property
    def revoked_file(self) -> Path:
        """JSON: issuer key -> revoked certificates (serial, instant); the responders read it."""
        return self.directory / "issuers" / "revoked.json"

    @property
    def server_cert(self) -> Path:
        """TLS certificate for nginx on 127.0.0.1/localhost (with the root, as a chain)."""
        return self.directory / "server.pem"

    @property
    def server_key(self) -> Path:
        return self.directory / "server.key"

    @property
    def trust_file(self) -> Path:
        return self.directory / "citizen-trust.toml"

    def exists(self) -> bool:
        paths = [self.revoked_file, self.server_cert, self.server_key]
        paths += [self.issuer_cert(issuer.key) for issuer in DEV_ISSUERS]
        paths += [self.citizen(citizen.name).p12 for citizen in DEV_CITIZENS]
        return all(path.exists() for path in paths)

    def revoked(self) -> dict[str, list[tuple[int, dt.datetime]]]:
        data = json.loads(self.revoked_file.read_text())
        return {
            key: [(int(item["serial"]), dt.datetime.fromisoformat(item["at"])) for item in items]
            for key, items in data.items()
        }

    def load_issuer(self, key: str) -> tuple[x509.Certificate, PrivateKey]:
        cert = x509.load_pem_x509_certificate(self.issuer_cert(key).read_bytes())
        private = serialization.load_pem_private_key(self.issuer_key(key).read_bytes(), None)
        assert isinstance(private, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey)
        return cert, private


def _key_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _ca_name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "ES"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, DEV_MARKER),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _issuing_ca(
    name: x509.Name, key: PrivateKey, parent: x509.Name, parent_key: PrivateKey
) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(parent)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * 10))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_CA_USAGE, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(parent_key.public_key()),
            critical=False,
        )
        .sign(parent_key, hashes.SHA256())
    )


_CITIZEN_USAGE = x509.KeyUsage(
    digital_signature=True,
    content_commitment=False,
    key_encipherment=True,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=False,
    crl_sign=False,
    encipher_only=False,
    decipher_only=False,
)


def citizen_subject(citizen: Citizen) -> x509.Name:
    """The subject as Spanish certificates write it (ETSI EN 319 412-2/-3, FNMT profiles)."""
    attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, "ES")]
    if citizen.entity_name:
        attributes += [
            x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, f"VATES-{citizen.entity_cif}"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, citizen.entity_name),
        ]
    attributes += [
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, DEV_MARKER),
        x509.NameAttribute(NameOID.SERIAL_NUMBER, f"IDCES-{citizen.nif}"),
        x509.NameAttribute(NameOID.GIVEN_NAME, citizen.given_name),
        x509.NameAttribute(NameOID.SURNAME, citizen.surnames),
        x509.NameAttribute(NameOID.COMMON_NAME, citizen.common_name),
    ]
    return x509.Name(attributes)


def issue_citizen_certificate(
    subject: x509.Name,
    public_key: ec.EllipticCurvePublicKey | rsa.RSAPublicKey,
    *,
    issuer: x509.Certificate | None,
    issuer_key: PrivateKey,
    issuer_path: str = "ca",
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    aia_base_url: str = NEVER_FETCH_BASE_URL,
) -> x509.Certificate:
    """A certificate for TLS client authentication, with AIA and CRL distribution points at
    ``aia_base_url`` (which the seu must never contact). ``issuer=None`` makes it self-signed."""
    now = dt.datetime.now(dt.UTC)
    issuer_name = issuer.subject if issuer is not None else subject
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - dt.timedelta(days=1))
        .not_valid_after(not_after or now + dt.timedelta(days=365 * 2))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_CITIZEN_USAGE, critical=True)
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.EMAIL_PROTECTION]
            ),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
        .add_extension(
            x509.AuthorityInformationAccess(
                [
                    x509.AccessDescription(
                        x509.oid.AuthorityInformationAccessOID.OCSP,
                        x509.UniformResourceIdentifier(f"{aia_base_url}/ocsp/{issuer_path}"),
                    ),
                    x509.AccessDescription(
                        x509.oid.AuthorityInformationAccessOID.CA_ISSUERS,
                        x509.UniformResourceIdentifier(f"{aia_base_url}/ca/{issuer_path}.crt"),
                    ),
                ]
            ),
            critical=False,
        )
        .add_extension(
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        full_name=[
                            x509.UniformResourceIdentifier(f"{aia_base_url}/crl/{issuer_path}.crl")
                        ],
                        relative_name=None,
                        reasons=None,
                        crl_issuer=None,
                    )
                ]
            ),
            critical=False,
        )
    )
    return builder.sign(issuer_key, hashes.SHA256())


def _write_citizen(
    files: CitizenFiles,
    cert: x509.Certificate,
    key: PrivateKey,
    chain: list[x509.Certificate],
    friendly_name: str,
) -> None:
    files.cert.write_bytes(_pem(cert))
    files.key.write_bytes(_key_pem(key))
    files.p12.write_bytes(
        pkcs12.serialize_key_and_certificates(
            name=friendly_name.encode(),
            key=key,
            cert=cert,
            cas=chain or None,
            encryption_algorithm=serialization.BestAvailableEncryption(CITIZEN_PASSWORD.encode()),
        )
    )


def ensure_citizen_pki(directory: Path, services_base_url: str | None = None) -> CitizenPki:
    """Issuing CAs, citizen certificates and nginx's TLS certificate under the development root.

    Generated once (the root from ``ensure_dev_pki`` must exist or is made); with
    ``services_base_url`` the trust file is (re)written to point at those OCSP/CRL responders.
    """
    ensure_dev_pki(directory)
    pki = CitizenPki(directory)
    if not pki.exists():
        _generate_citizen_pki(pki)
    if services_base_url is not None:
        write_citizen_trust(pki, services_base_url, pki.trust_file)
    return pki


def _generate_citizen_pki(pki: CitizenPki) -> None:
    root = x509.load_pem_x509_certificate(pki.root_cert.read_bytes())
    root_key = serialization.load_pem_private_key((pki.directory / "root.key").read_bytes(), None)
    assert isinstance(root_key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey)
    (pki.directory / "issuers").mkdir(exist_ok=True)
    (pki.directory / "citizens").mkdir(exist_ok=True)

    issuers: dict[str, tuple[x509.Certificate, PrivateKey]] = {}
    for issuer in DEV_ISSUERS:
        key = ec.generate_private_key(ec.SECP256R1())
        organisation = (
            "FNMT-RCM" if issuer.key.startswith("fnmt") else "DIRECCION GENERAL DE LA POLICIA"
        )
        cert = _issuing_ca(_ca_name(issuer.name, organisation), key, root.subject, root_key)
        pki.issuer_cert(issuer.key).write_bytes(_pem(cert))
        pki.issuer_key(issuer.key).write_bytes(_key_pem(key))
        issuers[issuer.key] = (cert, key)

    # A CA that looks real but that no trust file lists, under a root of its own.
    unknown_key = ec.generate_private_key(ec.SECP256R1())
    unknown_name = _ca_name("AC Desconeguda (desenvolupament)", "Prestador no admès")
    unknown = _issuing_ca(unknown_name, unknown_key, unknown_name, unknown_key)

    now = dt.datetime.now(dt.UTC)
    revoked: dict[str, list[dict[str, object]]] = {issuer.key: [] for issuer in DEV_ISSUERS}
    for citizen in DEV_CITIZENS:
        key = ec.generate_private_key(ec.SECP256R1())
        chain: list[x509.Certificate]
        ca_cert: x509.Certificate | None
        ca_key: PrivateKey
        if citizen.issuer == "":
            ca_cert, ca_key, chain = None, key, []
        elif citizen.issuer == "untrusted":
            ca_cert, ca_key, chain = unknown, unknown_key, [unknown]
        else:
            ca_cert, ca_key = issuers[citizen.issuer]
            chain = [ca_cert, root]
        cert = issue_citizen_certificate(
            citizen_subject(citizen),
            key.public_key(),
            issuer=ca_cert,
            issuer_key=ca_key,
            issuer_path=citizen.issuer or "self",
            not_before=now - dt.timedelta(days=800) if citizen.expired else None,
            not_after=now - dt.timedelta(days=30) if citizen.expired else None,
        )
        _write_citizen(pki.citizen(citizen.name), cert, key, chain, citizen.common_name)
        if citizen.revoked:
            revoked[citizen.issuer].append(
                {"serial": cert.serial_number, "at": (now - dt.timedelta(days=3)).isoformat()}
            )

    server_key = ec.generate_private_key(ec.SECP256R1())
    server = (
        x509.CertificateBuilder()
        .subject_name(_ca_name("127.0.0.1", "Seu electrònica (desenvolupament)"))
        .issuer_name(root.subject)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                ]
            ),
            critical=False,
        )
        .sign(root_key, hashes.SHA256())
    )
    pki.server_cert.write_bytes(_pem(server) + _pem(root))
    pki.server_key.write_bytes(_key_pem(server_key))
    # Last: its presence is what `exists()` also waits for.
    pki.revoked_file.write_text(json.dumps(revoked, indent=2))
    for path in [*pki.directory.glob("issuers/*.key"), *pki.directory.glob("citizens/*.key")]:
        path.chmod(0o600)
    pki.server_key.chmod(0o600)


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def write_citizen_trust(pki: CitizenPki, base_url: str, path: Path) -> Path:
    """Write the citizen trust file (docs/citizen-trust.md) for the development PKI, with every
    issuer's OCSP responder and CRL at ``base_url`` (the dev services: ``/ocsp/<key>``,
    ``/crl/<key>.crl``). Certificate paths are written relative to the file, as the schema says."""
    base_url = base_url.rstrip("/")
    path.parent.mkdir(parents=True, exist_ok=True)

    def relative(target: Path) -> str:
        return Path(os.path.relpath(target.resolve(), path.parent.resolve())).as_posix()

    lines = [
        "# Generated by devtools.pki.write_citizen_trust for the development PKI: do not edit.",
        "",
        "[[roots]]",
        f"name = {_toml_string(_ROOT_NAME)}",
        f"certificate = {_toml_string(relative(pki.root_cert))}",
    ]
    for issuer in DEV_ISSUERS:
        lines += [
            "",
            "[[issuers]]",
            f"key = {_toml_string(issuer.key)}",
            f"name = {_toml_string(issuer.name)}",
            f"provider = {_toml_string(issuer.provider)}",
            f"kind = {_toml_string(issuer.kind)}",
            f"holder = {_toml_string(issuer.holder)}",
            f"loa = {_toml_string(issuer.loa)}",
            f"certificate = {_toml_string(relative(pki.issuer_cert(issuer.key)))}",
            f"ocsp_url = {_toml_string(f'{base_url}/ocsp/{issuer.key}')}",
            f"crl_url = {_toml_string(f'{base_url}/crl/{issuer.key}.crl')}",
            f"info_url = {_toml_string(issuer.info_url)}",
            f"description_ca = {_toml_string(issuer.description_ca)}",
            f"description_es = {_toml_string(issuer.description_es)}",
            f"description_en = {_toml_string(issuer.description_en)}",
        ]
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    temporary.replace(path)  # atomic: a reader sees the old file or the new one
    return path
