"""The one settings module, read from the environment (see README "Configuration").

Development is the default and needs no variable at all: SQLite and files under ``var/``, a local
PKI/TSA generated on first run, tasks on a filesystem broker. ``SEU_ENV=production`` turns on every
production guard: no debug, no development secret, no development seal, secure cookies, HSTS.
"""

from __future__ import annotations

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
    "seu.admin_apps.SeuAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "seu",
    "documents",
    "registre",
    "expedients",
    "notificacions",
    "tauler",
    "cites",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery -----------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
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
}

# --- Auth, sessions, security ---------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

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
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# nginx always overwrites X-Forwarded-Proto; the app is never reachable except through it.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

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
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Madrid"
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
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "seu@localhost")

# --- Logging --------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "seu.security": {"level": "INFO"},
        "fontTools": {"level": "WARNING"},
        "weasyprint": {"level": "ERROR"},
    },
}
