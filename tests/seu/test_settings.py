"""The settings read from the environment: malformed values and unsafe production configurations
stop the process at start-up with a message naming the variable; a complete production
configuration passes ``check --deploy`` without a warning; pages carry the security headers.

Each start-up is a fresh Python process (``django.setup()``, ``manage.py check --deploy``,
``import seu.wsgi``) with an environment built from nothing: no variable of the test run leaks in.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from devtools.pki import DEV_MARKER, SEAL_PASSWORD, DevPki, ensure_dev_pki
from seu import env
from tests.support.production import (
    ProductionPki,
    last_line,
    make_production_pki,
    production_env,
    run_python,
)

ROOT = Path(__file__).resolve().parents[2]
SETUP = "import django; django.setup()"


# --- Fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def production_pki(tmp_path_factory: pytest.TempPathFactory) -> ProductionPki:
    return make_production_pki(tmp_path_factory.mktemp("production-pki"))


@pytest.fixture(scope="module")
def development_pki(tmp_path_factory: pytest.TempPathFactory) -> DevPki:
    return ensure_dev_pki(tmp_path_factory.mktemp("dev-pki"))


@pytest.fixture
def var_dir(tmp_path: Path) -> Path:
    return tmp_path / "var"


@pytest.fixture
def production(production_pki: ProductionPki, tmp_path: Path) -> dict[str, str]:
    return production_env(production_pki, tmp_path)


# --- seu.env: the readers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        *[("1", True), ("true", True), ("Yes", True), (" on ", True)],
        *[("0", False), ("false", False), ("NO", False), ("off", False), ("", False)],
    ],
)
def test_env_bool_reads_the_usual_spellings(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool
) -> None:
    monkeypatch.setenv("SEU_TEST_FLAG", raw)
    assert env.env_bool("SEU_TEST_FLAG", default=not expected) is expected


def test_env_bool_takes_the_default_when_the_variable_is_unset(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SEU_TEST_FLAG", raising=False)
    assert env.env_bool("SEU_TEST_FLAG", default=True) is True


def test_env_bool_refuses_a_word_it_does_not_know_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match=r"^DEBUG: expected a boolean.*'maybe'"):
        env.env_bool("DEBUG")


def test_env_int_refuses_what_is_not_an_integer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VERIFY_MAX_FAILURES", "abc")
    with pytest.raises(ImproperlyConfigured, match=r"^VERIFY_MAX_FAILURES: expected an integer"):
        env.env_int("VERIFY_MAX_FAILURES", 10, minimum=1)


def test_env_int_refuses_a_value_below_its_minimum(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VERIFY_MAX_FAILURES", "0")
    with pytest.raises(ImproperlyConfigured, match=r"^VERIFY_MAX_FAILURES: must be at least 1"):
        env.env_int("VERIFY_MAX_FAILURES", 10, minimum=1)


def test_env_int_and_env_float_take_the_default_for_an_empty_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SEU_TEST_NUMBER", " ")
    assert env.env_int("SEU_TEST_NUMBER", 7) == 7
    assert env.env_float("SEU_TEST_NUMBER", 2.5) == 2.5


def test_env_float_refuses_what_is_not_a_number(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TSA_TIMEOUT_SECONDS", "soon")
    with pytest.raises(ImproperlyConfigured, match=r"^TSA_TIMEOUT_SECONDS: expected a number"):
        env.env_float("TSA_TIMEOUT_SECONDS", 10.0)
    monkeypatch.setenv("TSA_TIMEOUT_SECONDS", "0.01")
    with pytest.raises(ImproperlyConfigured, match=r"^TSA_TIMEOUT_SECONDS: must be at least 0.1"):
        env.env_float("TSA_TIMEOUT_SECONDS", 10.0, minimum=0.1)


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLOWED_HOSTS", " seu.example.org, ,www.example.org,")
    assert env.env_list("ALLOWED_HOSTS", ["localhost"]) == ["seu.example.org", "www.example.org"]
    monkeypatch.delenv("ALLOWED_HOSTS")
    assert env.env_list("ALLOWED_HOSTS", ["localhost"]) == ["localhost"]


def test_env_path_expands_the_home_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", "/home/seu")
    monkeypatch.setenv("SEAL_PKCS12_FILE", "~/seal.p12")
    assert env.env_path("SEAL_PKCS12_FILE", Path("/x")) == Path("/home/seu/seal.p12")
    monkeypatch.setenv("SEAL_PKCS12_FILE", "")
    assert env.env_path("SEAL_PKCS12_FILE", Path("/x")) == Path("/x")


def test_a_file_variable_wins_over_the_plain_one_without_its_final_newline(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    secret = tmp_path / "secret_key"
    secret.write_text("from-the-file\n")
    monkeypatch.setenv("SECRET_KEY", "from-the-variable")
    monkeypatch.setenv("SECRET_KEY_FILE", str(secret))
    assert env.env_str("SECRET_KEY") == "from-the-file"


def test_a_file_variable_is_read_by_every_typed_reader(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "flag").write_text("yes\n")
    (tmp_path / "count").write_text("abc\n")
    monkeypatch.setenv("SEU_TEST_FLAG_FILE", str(tmp_path / "flag"))
    monkeypatch.setenv("VERIFY_MAX_FAILURES_FILE", str(tmp_path / "count"))
    assert env.env_bool("SEU_TEST_FLAG") is True
    # A malformed value from a file is named by the variable it stands for.
    with pytest.raises(ImproperlyConfigured, match=r"^VERIFY_MAX_FAILURES: expected an integer"):
        env.env_int("VERIFY_MAX_FAILURES", 10)


def test_an_unreadable_file_variable_is_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SECRET_KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match=r"^SECRET_KEY_FILE: cannot read"):
        env.env_str("SECRET_KEY")


# --- Start-up: malformed values ------------------------------------------------------------------


def test_development_starts_without_any_variable(var_dir: Path) -> None:
    result = run_python(["-c", SETUP + "; print('started')"], {}, var_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "started"


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG: expected a boolean"),
        ("VERIFY_MAX_FAILURES", "abc", "VERIFY_MAX_FAILURES: expected an integer"),
        ("VERIFY_MAX_FAILURES", "0", "VERIFY_MAX_FAILURES: must be at least 1"),
        ("SEU_ENV", "staging", "SEU_ENV: expected 'development' or 'production'"),
        ("TSA_TIMEOUT_SECONDS", "soon", "TSA_TIMEOUT_SECONDS: expected a number"),
        ("DATABASE_URL", "nonsense://db", "DATABASE_URL: Scheme 'nonsense://' is unknown"),
        ("REDIS_URL", "localhost:6379", "REDIS_URL: expected a redis://"),
        ("LOG_LEVEL", "chatty", "LOG_LEVEL: expected DEBUG, INFO"),
        (
            "NOTIFICATION_EXPIRY_RULE",
            "midnight",
            "NOTIFICATION_EXPIRY_RULE: expected end_of_day or instant, got 'midnight'",
        ),
        ("SECRET_KEY_FILE", "/nonexistent/secret", "SECRET_KEY_FILE: cannot read"),
    ],
)
def test_a_malformed_value_stops_start_up_naming_the_variable(
    var_dir: Path, variable: str, value: str, message: str
) -> None:
    result = run_python(["-c", SETUP], {variable: value}, var_dir)
    assert result.returncode != 0
    assert last_line(result.stderr).startswith(
        "django.core.exceptions.ImproperlyConfigured: " + message
    ), result.stderr


# --- Start-up: production refuses what is only good for a laptop ---------------------------------


def test_the_complete_production_configuration_starts(
    production: dict[str, str], var_dir: Path
) -> None:
    script = (
        SETUP + "; from django.conf import settings; print(settings.PRODUCTION, settings.DEBUG)"
    )
    result = run_python(["-c", script], production, var_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"SECRET_KEY_FILE": None}, "SECRET_KEY: production needs its own secret"),
        (
            {"SECRET_KEY_FILE": None, "SECRET_KEY": "s3cr3t-but-short"},
            "SECRET_KEY: production needs its own secret",
        ),
        (
            {"SECRET_KEY_FILE": None, "SECRET_KEY": "dev-insecure-" + "x" * 60},
            "SECRET_KEY: production needs its own secret",
        ),
        ({"DEBUG": "1"}, "DEBUG: must be off when SEU_ENV=production"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS: production needs the host names"),
        ({"ALLOWED_HOSTS": " , "}, "ALLOWED_HOSTS: production needs the host names"),
        (
            {"SEU_BASE_URL": "http://seu.example.org"},
            "SEU_BASE_URL: production must use an https:// address",
        ),
        ({"SEU_BASE_URL": None}, "SEU_BASE_URL: production must use an https:// address"),
        ({"PROXY_SHARED_SECRET_FILE": None}, "PROXY_SHARED_SECRET: production needs at least 32"),
    ],
    ids=[
        "development-secret",
        "short-secret",
        "development-prefix",
        "debug",
        "no-allowed-hosts",
        "blank-allowed-hosts",
        "http-base-url",
        "default-base-url",
        "no-proxy-secret",
    ],
)
def test_production_refuses_to_start_with_an_unsafe_setting(
    production: dict[str, str], var_dir: Path, change: dict[str, str | None], message: str
) -> None:
    environ = {**production, **{k: v for k, v in change.items() if v is not None}}
    for name in [k for k, v in change.items() if v is None]:
        environ.pop(name, None)
    result = run_python(["-c", SETUP], environ, var_dir)
    assert result.returncode != 0
    assert last_line(result.stderr).startswith(
        "django.core.exceptions.ImproperlyConfigured: " + message
    ), result.stderr


# --- The seal, the trust roots and the TSA: `check --deploy` and the WSGI entry point ------------


def test_check_deploy_is_clean_with_the_production_configuration(
    production: dict[str, str], var_dir: Path
) -> None:
    result = run_python(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production, var_dir
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # The one silenced check is security.W021 (HSTS preload), an opt-in of the town hall.
    assert "System check identified no issues (1 silenced)." in result.stdout


def test_opting_in_to_hsts_preload_silences_nothing(
    production: dict[str, str], var_dir: Path
) -> None:
    environ = {**production, "SECURE_HSTS_PRELOAD": "1"}
    result = run_python(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], environ, var_dir
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_refuses_the_development_seal(
    production: dict[str, str], development_pki: DevPki, var_dir: Path
) -> None:
    environ = {
        **production,
        "SEAL_PKCS12_FILE": str(development_pki.seal_p12),
        "SEAL_PKCS12_PASSWORD": SEAL_PASSWORD,
    }
    environ.pop("SEAL_PKCS12_PASSWORD_FILE")
    result = run_python(["manage.py", "check", "--deploy"], environ, var_dir)
    assert result.returncode != 0
    assert "(documents.E001) SEAL_PKCS12_FILE: this seal was issued by the development PKI" in (
        result.stderr
    )


@pytest.mark.parametrize("entry_point", ["check --deploy", "seu.wsgi"])
def test_a_missing_seal_file_stops_start_up_naming_it(
    production: dict[str, str], var_dir: Path, tmp_path: Path, entry_point: str
) -> None:
    missing = tmp_path / "no-such-seal.p12"
    environ = {**production, "SEAL_PKCS12_FILE": str(missing)}
    args = (
        ["manage.py", *entry_point.split()]
        if entry_point != "seu.wsgi"
        else ["-c", "import seu.wsgi"]
    )
    result = run_python(args, environ, var_dir)
    assert result.returncode != 0
    assert f"SEAL_PKCS12_FILE: the seal file '{missing}' does not exist" in result.stderr


@pytest.mark.parametrize("entry_point", ["check --deploy", "seu.wsgi"])
def test_a_wrong_seal_password_stops_start_up_naming_it(
    production: dict[str, str], var_dir: Path, entry_point: str
) -> None:
    environ = {**production, "SEAL_PKCS12_PASSWORD": "not-the-password"}
    environ.pop("SEAL_PKCS12_PASSWORD_FILE")
    args = (
        ["manage.py", *entry_point.split()]
        if entry_point != "seu.wsgi"
        else ["-c", "import seu.wsgi"]
    )
    result = run_python(args, environ, var_dir)
    assert result.returncode != 0
    assert "SEAL_PKCS12_PASSWORD: wrong password for" in result.stderr


def test_the_wsgi_entry_point_loads_the_production_seal(
    production: dict[str, str], var_dir: Path
) -> None:
    script = "import seu.wsgi; from documents.sealing import get_seal; print(get_seal().subject)"
    result = run_python(["-c", script], production, var_dir)
    assert result.returncode == 0, result.stderr
    assert "SEGELL ELECTRÒNIC - AJUNTAMENT DE PROVA" in result.stdout


def test_production_check_wants_a_tsa_and_real_trust_roots(
    production: dict[str, str], development_pki: DevPki, var_dir: Path
) -> None:
    environ = {**production, "TRUST_ROOTS_FILE": str(development_pki.roots)}
    environ.pop("TSA_URL")
    result = run_python(["manage.py", "check", "--deploy"], environ, var_dir)
    assert result.returncode != 0
    assert "(documents.E002) TSA_URL: production needs the address" in result.stderr
    assert "(documents.E004) TRUST_ROOTS_FILE:" in result.stderr
    assert "development PKI's root" in result.stderr
    assert DEV_MARKER not in result.stderr  # the message says why, not the certificate's name


def test_production_check_refuses_a_missing_roots_file_and_a_tsa_that_is_not_http(
    production: dict[str, str], var_dir: Path, tmp_path: Path
) -> None:
    environ = {
        **production,
        "TRUST_ROOTS_FILE": str(tmp_path / "no-roots.pem"),
        "TSA_URL": "tsa.example.org:318",
    }
    result = run_python(["manage.py", "check", "--deploy"], environ, var_dir)
    assert result.returncode != 0
    assert "(documents.E002) TSA_URL: expected an http(s):// address" in result.stderr
    assert "(documents.E003) TRUST_ROOTS_FILE: cannot read" in result.stderr


# --- Security headers and cookies -----------------------------------------------------------------


def _csp_directives(header: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


@pytest.mark.django_db
def test_pages_carry_the_security_headers(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    csp = _csp_directives(response.headers["Content-Security-Policy"])
    assert csp["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["default-src"] + csp["style-src"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


# Run in a production process: a probe view that sets a CSRF token and a session, called the way
# nginx calls Django (X-Forwarded-Proto: https) and as a plain-http request would arrive. The
# signed-cookie session engine spares the probe a migrated database; the cookie's flags come from
# the same SESSION_COOKIE_* settings whatever the engine.
_COOKIE_PROBE = """
import json
import django

django.setup()
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client, override_settings
from django.urls import path


def probe(request):
    get_token(request)
    request.session["probe"] = True
    return HttpResponse("ok")


urlpatterns = [path("probe/", probe)]
with override_settings(
    ROOT_URLCONF="__main__", SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies"
):
    client = Client(HTTP_HOST="seu.example.org")
    secure = client.get("/probe/", HTTP_X_FORWARDED_PROTO="https")
    plain = Client(HTTP_HOST="seu.example.org").get("/probe/", HTTP_X_FORWARDED_PROTO="http")
cookies = {
    name: {"secure": bool(m["secure"]), "httponly": bool(m["httponly"]), "samesite": m["samesite"]}
    for name, m in secure.cookies.items()
}
print(json.dumps({
    "status": secure.status_code,
    "hsts": secure.headers.get("Strict-Transport-Security"),
    "cookies": cookies,
    "plain_status": plain.status_code,
    "plain_location": plain.headers.get("Location"),
}))
"""


def test_production_cookies_are_secure_httponly_and_samesite(
    production: dict[str, str], var_dir: Path
) -> None:
    result = run_python(["-c", _COOKIE_PROBE], production, var_dir)
    assert result.returncode == 0, result.stderr
    seen = json.loads(last_line(result.stdout))
    assert seen["status"] == 200
    for name in ("sessionid", "csrftoken"):
        assert seen["cookies"][name] == {"secure": True, "httponly": True, "samesite": "Lax"}
    assert seen["hsts"] == "max-age=31536000; includeSubDomains"
    assert seen["plain_status"] == 301
    assert seen["plain_location"] == "https://seu.example.org/probe/"


def test_production_installs_no_development_tooling_and_imports_none_of_it(
    production: dict[str, str], var_dir: Path
) -> None:
    """Production settings leave ``devtools`` out, and starting every production module (the
    whole URL tree, the Celery tasks, the checks) loads no module of it (DESIGN)."""
    script = (
        f"{SETUP}; import sys; from django.conf import settings; "
        "from django.urls import get_resolver; get_resolver().url_patterns; "
        "from django.core import checks; checks.run_checks(); "
        "import seu.celery; seu.celery.app.loader.import_default_modules(); "
        "print(sorted({name.split('.')[0] for name in sys.modules if name.startswith('devtools')})"
        ", 'devtools' in settings.INSTALLED_APPS)"
    )
    result = run_python(["-c", script], production, var_dir)
    assert result.returncode == 0, result.stderr
    assert last_line(result.stdout) == "[] False"
