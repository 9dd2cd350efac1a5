"""System checks of the trust configuration, run by ``manage.py check --deploy``: the seal loads
(file present, password right, not a development seal in production), the trust roots are real
certificates (and not the development PKI's in production), and production has a TSA; and, at
every start, that the receipt's fonts are installed."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from seu.env import DEV_MARKER


@checks.register(checks.Tags.security, deploy=True)
def seal_loads(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from documents.sealing import get_seal

    try:
        get_seal()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="documents.E001")]
    return []


@checks.register(checks.Tags.security, deploy=True)
def timestamp_authority_configured(
    app_configs: Any = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Every issued document gets its timestamp from the TSA (art. 30.1); without one, production
    would seal documents whose timestamp never comes."""
    url = settings.TSA_URL
    if not url:
        if settings.PRODUCTION:
            return [
                checks.Error(
                    "TSA_URL: production needs the address of an RFC 3161 time-stamping authority",
                    id="documents.E002",
                )
            ]
        return []
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return [
            checks.Error(
                f"TSA_URL: expected an http(s):// address, got {url!r}", id="documents.E002"
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def trust_roots_load(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """The verification report judges seals and timestamps against these roots only: a missing
    file trusts nothing, and the development root in production would trust forged seals."""
    path = Path(settings.TRUST_ROOTS_FILE)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [
            checks.Error(
                f"TRUST_ROOTS_FILE: cannot read {str(path)!r} ({exc.strerror})", id="documents.E003"
            )
        ]
    try:
        roots = x509.load_pem_x509_certificates(data)
    except ValueError:
        roots = []
    if not roots:
        return [
            checks.Error(
                f"TRUST_ROOTS_FILE: {str(path)!r} holds no PEM certificate", id="documents.E003"
            )
        ]
    if settings.PRODUCTION and any(DEV_MARKER in root.subject.rfc4514_string() for root in roots):
        return [
            checks.Error(
                f"TRUST_ROOTS_FILE: {str(path)!r} holds the development PKI's root; production "
                "must trust only the real seal and TSA roots",
                id="documents.E004",
            )
        ]
    return []


@checks.register()
def sheet_fonts_installed(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """The registry receipt (``documents.sheets``) embeds the DejaVu fonts: without them no
    submission could get its receipt, so none would be registered (art. 33.f)."""
    from documents import sheets

    missing = [name for name in sheets.FONTS.values() if sheets.font_file(name) is None]
    if missing:
        return [
            checks.Error(
                f"fonts {', '.join(missing)} not found under "
                f"{', '.join(str(d) for d in sheets.FONT_DIRS)}: install fonts-dejavu-core",
                id="documents.E005",
            )
        ]
    return []
