"""The one settings module, read from the environment (see README "Configuration").

Development is the default and needs no variable at all: SQLite and files under ``var/``, a local
PKI/TSA generated on first run, tasks on a filesystem broker. ``SEU_ENV=production`` turns on every
production guard: no debug, no development secret, no development seal, secure cookies, HSTS.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from seu.env import env_bool, env_float, env_int, env_list, env_path, env_str

# Lets generic admin/queryset classes be subscripted at run time, as the type checker wants.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = env_path("SEU_VAR_DIR", BASE_DIR / "var")

SEU_ENV = env_str("SEU_ENV", "development")
if SEU_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"SEU_ENV: expected 'development' or 'production', got {SEU_ENV!r}")
PRODUCTION = SEU_ENV == "production"

DEV_SECRET_PREFIX = "dev-insecure-"  # noqa: S105 - the marker production refuses
SECRET_KEY = env_str(
    "SECRET_KEY", DEV_SECRET_PREFIX + "do-not-use-this-key-outside-a-laptop-0123456789"
)
DEBUG = env_bool("DEBUG", default=not PRODUCTION)

if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("DEBUG: must be off when SEU_ENV=production")
    if SECRET_KEY.startswith(DEV_SECRET_PREFIX) or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "SECRET_KEY: production needs its own secret of at least 50 characters "
            "(set SECRET_KEY or SECRET_KEY_FILE); the development key is refused"
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS: production needs the host names the seu answers on")

# The public address printed in QR codes and verification links on every issued document.
SEU_BASE_URL = env_str("SEU_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
if PRODUCTION and not SEU_BASE_URL.startswith("https://"):
    raise ImproperlyConfigured("SEU_BASE_URL: production must use an https:// address")

INSTALLED_APPS = [
    # Translated fields of what staff write (translation.py per app); before the admin, which it
    # patches.
    "modeltranslation",
    "seu.admin_apps.SeuAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    # API tokens of the town hall's other systems (service accounts; registre.api).
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "seu",
    "documents",
    "registre",
    "expedients",
    "notificacions",
    "tauler",
    "informacio",
    "cites",
]
# The development PKI, local identity provider, demo data and ``rundev``: never in production.
if not PRODUCTION:
    INSTALLED_APPS.append("devtools")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "seu.identity.IdentificationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a login that django-axes refused into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "seu.urls"
WSGI_APPLICATION = "seu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "seu.context_processors.seu",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL: {exc}") from exc
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded default needs nothing installed
    # A file, not :memory:, so that a worker process started by the tests sees the same database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
    # IMMEDIATE: concurrent writers wait for the lock instead of failing with "database is locked".
    # WAL: the web process reads while the worker writes, and a commit syncs one file, not two
    # (0.3 ms instead of 0.8 here), with the same durability (synchronous stays FULL).
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery -----------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    # The value is not echoed: it may hold the password.
    raise ImproperlyConfigured("REDIS_URL: expected a redis://, rediss:// or unix:// address")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "seu.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "seu"),
        }
    }
    CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {"visibility_timeout": 3600}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # No server needed in development: kombu's filesystem transport, shared by the web process
    # and the worker that `manage.py rundev` starts beside it.
    _broker_dir = VAR_DIR / "broker"
    for _folder in ("queue", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    "sweep-pending-timestamps": {
        "task": "documents.tasks.sweep_pending_timestamps",
        "schedule": env_float("TIMESTAMP_SWEEP_SECONDS", 60.0, minimum=1.0),
    },
    "register-due-exits": {
        "task": "registre.tasks.register_due_exits",
        "schedule": 60.0,
    },
    "purge-spent-saml-assertions": {
        "task": "seu.tasks.purge_spent_saml_assertions",
        "schedule": 3600.0,
    },
    "purge-abandoned-drafts": {"task": "registre.tasks.purge_abandoned_drafts", "schedule": 3600.0},
    "purge-orphan-blobs": {"task": "documents.tasks.purge_orphan_blobs", "schedule": 3600.0},
}

# --- Auth, sessions, security ---------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

# Staff back-office login (issue 3, item 6): password and a TOTP code (django-otp), and django-axes
# locking a username at an address after repeated failures. Axes' backend only checks the lockout;
# the model backend checks the password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30, minimum=1))
# The pair, not either alone: an attacker elsewhere cannot lock a member of staff out of their own
# desk, and guesses for one account from one address stop at the limit.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The address as seu.net.client_ip sees it: X-Real-IP only from TRUSTED_PROXIES, so a forged
# header neither dodges a lockout nor locks someone else out.
AXES_CLIENT_IP_CALLABLE = "seu.net.client_ip"
AXES_LOCKOUT_TEMPLATE = "seu/staff/locked_out.html"
# Further attempts while locked out do not restart the cool-off, so the page can say when it ends.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
# The name authenticator apps show next to the code.
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Seu electrònica")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = PRODUCTION and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if PRODUCTION else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION and env_bool("SECURE_HSTS_PRELOAD", False)
# Preloading commits the whole registrable domain (the town hall's, not only the seu's) to HTTPS
# in every browser, for good: the town hall opts in with SECURE_HSTS_PRELOAD=1. Until then the
# check that recommends it (security.W021) would only be noise in `check --deploy`.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# nginx always overwrites X-Forwarded-Proto; the app is never reachable except through it.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
CSRF_FAILURE_VIEW = "seu.error_views.csrf_failure"

# Addresses of the reverse proxies whose forwarded headers we believe (client address, request
# start). A request from anywhere else has those headers ignored: a forged header changes nothing.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Internationalisation -------------------------------------------------------------------------
LANGUAGE_CODE = "ca"
LANGUAGES = [("ca", _("Català")), ("es", _("Castellano")), ("en", _("English"))]
# Our catalogue first; then our translations of the packages' messages that their own catalogues
# lack (kept apart because makemessages --no-obsolete prunes locale/ to our sources).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_thirdparty"]
TIME_ZONE = "Europe/Madrid"
# One date and time format per language, with our own named ones (seu/formats/__init__.py).
FORMAT_MODULE_PATH = ["seu.formats"]
# What staff write (organs, services, information sections) has a column per language; an empty
# translation shows the Catalan text (django-modeltranslation; each app's translation.py).
MODELTRANSLATION_DEFAULT_LANGUAGE = "ca"
MODELTRANSLATION_LANGUAGES = ("ca", "es", "en")
MODELTRANSLATION_FALLBACK_LANGUAGES = ("ca",)
# A code made from a name (the back-office's prepopulated fields) comes from the Catalan one.
MODELTRANSLATION_PREPOPULATE_LANGUAGE = "ca"


def _column_label(verbose_name: object, language: str) -> object:
    """A translation column's label in the back-office: «nom (castellà)»."""
    from django.utils.text import format_lazy

    names = {"ca": _("català"), "es": _("castellà"), "en": _("anglès")}
    return format_lazy("{} ({})", verbose_name, names[language])


MODELTRANSLATION_BUILD_LOCALIZED_VERBOSE_NAME = _column_label
# mypy's Django plugin reads the models with these settings but cannot type the managers that
# modeltranslation builds at run time: it sees the models without their language columns, which
# the code reads by name (``seu.translated``).
MODELTRANSLATION_ENABLE_REGISTRATIONS = "mypy" not in sys.modules
USE_I18N = True
USE_TZ = True

# --- Static and stored files ----------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env_path("STATIC_ROOT", BASE_DIR / "staticfiles")
MEDIA_ROOT = env_path("SEU_MEDIA_ROOT", VAR_DIR / "media")
MEDIA_URL = "/media-not-served/"  # stored documents are only served through views that check access
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440, minimum=1024)

# Documents attached to a registry entry (art. 33.f), shown in the filing form. nginx's
# client_max_body_size must let a whole entry through (deploy/nginx/seu.conf).
REGISTRY_MAX_FILE_BYTES = env_int("REGISTRY_MAX_FILE_BYTES", 10 * 1024 * 1024, minimum=1024)
REGISTRY_MAX_ENTRY_BYTES = env_int("REGISTRY_MAX_ENTRY_BYTES", 25 * 1024 * 1024, minimum=1024)
REGISTRY_MAX_FILES = env_int("REGISTRY_MAX_FILES", 10, minimum=1)
# A request never confirmed is kept this long after its last change, then deleted with the files
# nothing else refers to (those, BLOB_ORPHAN_GRACE_HOURS after they were stored).
REGISTRY_DRAFT_RETENTION_HOURS = env_int("REGISTRY_DRAFT_RETENTION_HOURS", 72, minimum=1)
BLOB_ORPHAN_GRACE_HOURS = env_int("BLOB_ORPHAN_GRACE_HOURS", 24, minimum=1)
if REGISTRY_MAX_ENTRY_BYTES < REGISTRY_MAX_FILE_BYTES:
    raise ImproperlyConfigured("REGISTRY_MAX_ENTRY_BYTES: must be at least REGISTRY_MAX_FILE_BYTES")
# Files are streamed to a temporary file above this size, never held whole in memory; Django's
# count of files per request stays above ours, so that the form (not a bare 400) explains it.
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", 2_621_440, minimum=1024)
DATA_UPLOAD_MAX_NUMBER_FILES = max(100, 2 * REGISTRY_MAX_FILES)

# --- Documents: seal, TSA, rendering --------------------------------------------------------------
DEV_PKI_DIR = VAR_DIR / "dev-pki"
SEAL_PKCS12_FILE = env_path("SEAL_PKCS12_FILE", DEV_PKI_DIR / "seal.p12")
SEAL_PKCS12_PASSWORD = env_str("SEAL_PKCS12_PASSWORD", "" if PRODUCTION else "development")
# PEM bundle of the roots that anchor our seal and TSA; the verification report checks against it.
TRUST_ROOTS_FILE = env_path("TRUST_ROOTS_FILE", DEV_PKI_DIR / "roots.pem")
TSA_URL = env_str("TSA_URL", "" if PRODUCTION else "http://127.0.0.1:8001/tsa")
TSA_TIMEOUT_SECONDS = env_float("TSA_TIMEOUT_SECONDS", 10.0, minimum=0.1)
DEV_SERVICES_PORT = env_int("DEV_SERVICES_PORT", 8001, minimum=1)
PDF_RENDER_TIMEOUT_SECONDS = env_float("PDF_RENDER_TIMEOUT_SECONDS", 30.0, minimum=0.001)
PDF_RENDER_MEMORY_MB = env_int("PDF_RENDER_MEMORY_MB", 1024, minimum=64)
PDF_RENDER_WORKERS = env_int("PDF_RENDER_WORKERS", 2, minimum=1)
PDF_RENDER_MAX_PAGES = env_int("PDF_RENDER_MAX_PAGES", 200, minimum=1)

# Public verification by CSV (art. 10.1.b, 30.4): failed look-ups allowed per address and window.
VERIFY_MAX_FAILURES = env_int("VERIFY_MAX_FAILURES", 10, minimum=1)
VERIFY_FAILURE_WINDOW_SECONDS = env_int("VERIFY_FAILURE_WINDOW_SECONDS", 900, minimum=1)

# --- Identification of citizens (art. 6-8, 13-14) ------------------------------------------------
# Where the browser goes to present a client certificate: a path (or a host) that nginx serves with
# `ssl_verify_client optional_no_ca`, passing the certificate in the RFC 9440 Client-Cert header.
CERTIFICATE_LOGIN_URL = env_str("CERTIFICATE_LOGIN_URL", "/identificacio/certificat/")
# Qualified certificates (DNIe, FNMT) satisfy any level a procedure may ask (art. 8.1).
CERTIFICATE_LOA = env_str("CERTIFICATE_LOA", "high")
# The proxy proves itself with this header value as well as its address (TRUSTED_PROXIES); a
# Client-Cert header on any other request is refused.
PROXY_SHARED_SECRET = env_str("PROXY_SHARED_SECRET", "" if PRODUCTION else "dev-proxy-secret")
if PRODUCTION and len(PROXY_SHARED_SECRET) < 32:
    raise ImproperlyConfigured("PROXY_SHARED_SECRET: production needs at least 32 characters")
# The accepted certificate issuers: a TOML file listing roots, issuing CAs, their OCSP responders
# and CRLs, and what the "accepted certificates" page says about them.
CITIZEN_TRUST_FILE = env_path("CITIZEN_TRUST_FILE", DEV_PKI_DIR / "citizen-trust.toml")
CERT_REVOCATION_CACHE_SECONDS = env_int("CERT_REVOCATION_CACHE_SECONDS", 300, minimum=0)
# Appointments of the accreditation office (cites): minutes to confirm from the e-mail before the
# place is released, validity of the links to cancel or change, days personal data are kept.
CITES_CONFIRMATION_MINUTES = env_int("CITES_CONFIRMATION_MINUTES", 120, minimum=1)
CITES_LINK_MAX_AGE_DAYS = env_int("CITES_LINK_MAX_AGE_DAYS", 90, minimum=1)
CITES_RETENTION_DAYS = env_int("CITES_RETENTION_DAYS", 365, minimum=1)
# Bookings one client address may make in an hour (anonymous booking must not hoard places).
CITES_BOOKINGS_PER_ADDRESS = env_int("CITES_BOOKINGS_PER_ADDRESS", 5, minimum=1)
CELERY_BEAT_SCHEDULE.update(
    {
        "cites-release-unconfirmed": {"task": "cites.tasks.release_unconfirmed", "schedule": 60.0},
        "seu-deliver-emails": {"task": "seu.tasks.deliver_pending_emails", "schedule": 120.0},
        "cites-send-reminders": {"task": "cites.tasks.send_reminders", "schedule": 900.0},
        "cites-erase-personal-data": {
            "task": "cites.tasks.erase_personal_data",
            "schedule": 86400.0,
        },
    }
)
# Electronic notice board (tauler, art. 18): limits, the board's own health probe (empty URL:
# rendered in-process) and its clocks.
TAULER_MAX_ATTACHMENT_BYTES = env_int("TAULER_MAX_ATTACHMENT_BYTES", 20 * 1024 * 1024, minimum=1)
TAULER_MAX_EXPOSURE_DAYS = env_int("TAULER_MAX_EXPOSURE_DAYS", 365, minimum=1)
TAULER_PAGE_SIZE = env_int("TAULER_PAGE_SIZE", 20, minimum=1)
TAULER_HEALTH_URL = env_str("TAULER_HEALTH_URL", "")
TAULER_HEALTH_INTERVAL_SECONDS = env_int("TAULER_HEALTH_INTERVAL_SECONDS", 60, minimum=5)
TAULER_HEALTH_MAX_GAP_SECONDS = env_int("TAULER_HEALTH_MAX_GAP_SECONDS", 180, minimum=10)
CELERY_BEAT_SCHEDULE.update(
    {
        "tauler-publish-due": {"task": "tauler.tasks.publish_due_edicts", "schedule": 30.0},
        "tauler-expire-due": {"task": "tauler.tasks.expire_due_edicts", "schedule": 60.0},
        "tauler-certify": {"task": "tauler.tasks.certify_publications", "schedule": 60.0},
        "tauler-integrity": {"task": "tauler.tasks.check_integrity", "schedule": 900.0},
        "documents-integrity": {"task": "documents.tasks.check_stored_documents", "schedule": 900},
        "tauler-health": {
            "task": "tauler.tasks.record_board_health",
            "schedule": float(TAULER_HEALTH_INTERVAL_SECONDS),
        },
    }
)
# Level of an identification made by an authorised official on a citizen's behalf (art. 14).
AUTHORISED_OFFICIAL_LOA = env_str("AUTHORISED_OFFICIAL_LOA", "substantial")
if AUTHORISED_OFFICIAL_LOA not in {"low", "substantial", "high"}:
    raise ImproperlyConfigured(
        "AUTHORISED_OFFICIAL_LOA: expected low, substantial or high, "
        f"got {AUTHORISED_OFFICIAL_LOA!r}"
    )

# --- Notifications (art. 32) ---------------------------------------------------------------------
# When ten natural days without access make a notification rejected (art. 32.6; seu.calendar.
# notification_expiry): "end_of_day", the end of the tenth calendar day counted from the day after
# availability in Europe/Madrid, or "instant", availability plus ten times 24 hours.
NOTIFICATION_EXPIRY_RULE = env_str("NOTIFICATION_EXPIRY_RULE", "end_of_day")
if NOTIFICATION_EXPIRY_RULE not in {"end_of_day", "instant"}:
    raise ImproperlyConfigured(
        "NOTIFICATION_EXPIRY_RULE: expected end_of_day or instant, "
        f"got {NOTIFICATION_EXPIRY_RULE!r}"
    )
# Reminders of a notification not yet opened, in days after availability (#14: 5 and 9), each
# moved out of the night (08:00-21:00 local) and never sent once it is no longer pending.
try:
    NOTIFICATION_REMINDER_DAYS = tuple(
        sorted({int(day) for day in env_list("NOTIFICATION_REMINDER_DAYS", ["5", "9"]) if day})
    )
except ValueError:
    raise ImproperlyConfigured(
        "NOTIFICATION_REMINDER_DAYS: expected whole days separated by commas, such as 5,9"
    ) from None
if any(day < 1 or day > 9 for day in NOTIFICATION_REMINDER_DAYS):
    raise ImproperlyConfigured("NOTIFICATION_REMINDER_DAYS: each day must be between 1 and 9")
CELERY_BEAT_SCHEDULE.update(
    {
        "notificacions-expire-due": {"task": "notificacions.tasks.expire_due", "schedule": 60.0},
        "notificacions-reminders": {
            "task": "notificacions.tasks.send_reminders",
            "schedule": 300.0,
        },
        "notificacions-certificates": {
            "task": "notificacions.tasks.issue_due_certificates",
            "schedule": 60.0,
        },
        "notificacions-timestamps": {
            "task": "notificacions.tasks.timestamp_pending_events",
            "schedule": 300.0,
        },
    }
)

CELERY_BEAT_SCHEDULE.update(
    {
        "expedients-lapse-remedies": {"task": "expedients.tasks.lapse_remedies", "schedule": 60.0},
        "expedients-silences": {"task": "expedients.tasks.record_silences", "schedule": 300.0},
        "expedients-answers-documents": {
            "task": "expedients.tasks.issue_due_answers_documents",
            "schedule": 60.0,
        },
    }
)

# --- API ------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "seu.api.exception_handler",
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Seu electrònica API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Choice sets that share a field name across the apps' APIs, named once (the registry's
    # keep the names they had before the notifications API).
    "ENUM_NAME_OVERRIDES": {
        "ChannelEnum": "registre.models.RegistryEntry.Channel",
        "KindEnum": ["natural", "legal"],
        "NotificationStateEnum": "notificacions.models.Notification.State",
        "NotificationChannelEnum": "notificacions.models.Notification.Channel",
        "NotificationKindEnum": "notificacions.models.Notification.Kind",
        "ExpedientStateEnum": "expedients.models.State",
    },
}

# --- E-mail ---------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
# A mail server that hangs must not hold an e-mail row's lock for long (seu.core.outbox).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "seu@localhost")

# --- Logging --------------------------------------------------------------------------------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(
        f"LOG_LEVEL: expected DEBUG, INFO, WARNING, ERROR or CRITICAL, got {LOG_LEVEL!r}"
    )
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "seu.security": {"level": "INFO"},
        # Failed staff logins and lockouts are warnings; the rest of axes' chatter is not needed.
        "axes": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "weasyprint": {"level": "ERROR"},
    },
}

# --- Cl@ve (SAML 2.0) --------------------------------------------------------------- Cl@ve begin -
# Switching from the local identity provider to the real Cl@ve is this block's configuration only:
# its metadata (a URL or a file; CLAVE_IDP_METADATA_CERT, a PEM file, verifies a signed one), our
# entity id, and our signing key and certificate (registered with Cl@ve). Production has no
# default: without CLAVE_IDP_METADATA the Cl@ve option explains that it is unavailable.
CLAVE_DEV_DIR = DEV_PKI_DIR / "clave"
LOCAL_IDP_PORT = env_int("LOCAL_IDP_PORT", 8002, minimum=1)
CLAVE_IDP_METADATA = env_str(
    "CLAVE_IDP_METADATA", "" if PRODUCTION else f"http://127.0.0.1:{LOCAL_IDP_PORT}/metadata/"
)
CLAVE_IDP_METADATA_CERT = env_str("CLAVE_IDP_METADATA_CERT", "")
CLAVE_IDP_ENTITY_ID = env_str("CLAVE_IDP_ENTITY_ID", "")  # needed only if the metadata has several
# Empty: derived from SEU_BASE_URL (<base>/identificacio/clave/metadata/), as the ACS address is.
CLAVE_SP_ENTITY_ID = env_str("CLAVE_SP_ENTITY_ID", "")
CLAVE_SP_BASE_URL = env_str("CLAVE_SP_BASE_URL", "")
CLAVE_SP_KEY_FILE = env_path("CLAVE_SP_KEY_FILE", CLAVE_DEV_DIR / "sp.key")
CLAVE_SP_CERT_FILE = env_path("CLAVE_SP_CERT_FILE", CLAVE_DEV_DIR / "sp.pem")
CLAVE_ACCEPTED_TIME_DIFF = env_int("CLAVE_ACCEPTED_TIME_DIFF", 60, minimum=0)
CLAVE_REQUEST_MAX_AGE_SECONDS = env_int("CLAVE_REQUEST_MAX_AGE_SECONDS", 1800, minimum=60)
CLAVE_METADATA_TIMEOUT_SECONDS = env_float("CLAVE_METADATA_TIMEOUT_SECONDS", 10.0, minimum=0.1)
CLAVE_METADATA_MAX_AGE_SECONDS = env_int("CLAVE_METADATA_MAX_AGE_SECONDS", 3600, minimum=0)
# pysaml2 logs every subject (the NIF) at INFO: keep personal data out of the logs.
_clave_loggers = LOGGING["loggers"]
assert isinstance(_clave_loggers, dict)
_clave_loggers.update({"saml2": {"level": "WARNING"}, "xmlschema": {"level": "WARNING"}})
# ------------------------------------------------------------------------------------ Cl@ve end -
