"""Starting the seu as production does, from nothing: a fresh Python process with exactly the
environment given, a production seal that is not the development one, and a complete production
configuration (the secrets as files, as docker-compose.yml gives them)."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

ROOT = Path(__file__).resolve().parents[2]


def run_python(
    args: list[str], environ: dict[str, str], var_dir: Path, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run the project's Python in /work/main with exactly ``environ`` (plus PATH, the locale and
    SEU_VAR_DIR): nothing of the calling environment reaches the settings."""
    full_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "DJANGO_SETTINGS_MODULE": "seu.settings",
        "SEU_VAR_DIR": str(var_dir),
        **environ,
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


@dataclass(frozen=True)
class ProductionPki:
    """A seal that is not the development one: a fresh CA and an ECDSA P-256 seal certificate."""

    seal_p12: Path
    seal_password: str
    roots: Path


def make_production_pki(directory: Path) -> ProductionPki:
    directory.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)

    def name(common_name: str) -> x509.Name:
        return x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "ES"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Ajuntament de Prova"),
                x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            ]
        )

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(name("CA de prova"))
        .issuer_name(name("CA de prova"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    seal_key = ec.generate_private_key(ec.SECP256R1())
    seal = (
        x509.CertificateBuilder()
        .subject_name(name("SEGELL ELECTRÒNIC - AJUNTAMENT DE PROVA"))
        .issuer_name(ca.subject)
        .public_key(seal_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    password = secrets.token_urlsafe(16)
    pki = ProductionPki(
        seal_p12=directory / "seal.p12", seal_password=password, roots=directory / "roots.pem"
    )
    pki.seal_p12.write_bytes(
        pkcs12.serialize_key_and_certificates(
            name=b"seal",
            key=seal_key,
            cert=seal,
            cas=[ca],
            encryption_algorithm=serialization.BestAvailableEncryption(password.encode()),
        )
    )
    pki.roots.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    return pki


def production_env(pki: ProductionPki, directory: Path) -> dict[str, str]:
    """A complete production configuration, secrets given as files as docker-compose.yml does."""
    secret_file = directory / "secret_key"
    secret_file.write_text(secrets.token_urlsafe(64) + "\n")
    password_file = directory / "seal_password"
    password_file.write_text(pki.seal_password + "\n")
    proxy_secret_file = directory / "proxy_shared_secret"
    proxy_secret_file.write_text(secrets.token_urlsafe(32) + "\n")
    return {
        "SEU_ENV": "production",
        "SECRET_KEY_FILE": str(secret_file),
        "ALLOWED_HOSTS": "seu.example.org",
        "SEU_BASE_URL": "https://seu.example.org",
        "SEAL_PKCS12_FILE": str(pki.seal_p12),
        "SEAL_PKCS12_PASSWORD_FILE": str(password_file),
        "TRUST_ROOTS_FILE": str(pki.roots),
        "TSA_URL": "https://tsa.example.org/tsr",
        "DATABASE_URL": f"sqlite:///{directory / 'db.sqlite3'}",
        "PROXY_SHARED_SECRET_FILE": str(proxy_secret_file),
    }
