"""Shared fixtures: the development PKI, a local TSA, a real Celery worker, the named actors.

The suite runs on whatever ``DATABASE_URL``/``REDIS_URL`` say (PostgreSQL and Redis in CI), or on
SQLite and the filesystem broker without them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from devtools.pki import DevPki, ensure_dev_pki
from devtools.servers import DevServicesServer, start_dev_services

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

ROOT = Path(__file__).resolve().parent.parent

# Fixtures every directory shares, kept in support modules (a test module never imports another).
pytest_plugins = ["tests.support.pki"]


@pytest.fixture(scope="session", autouse=True)
def dev_pki() -> DevPki:
    return ensure_dev_pki(settings.DEV_PKI_DIR)


@pytest.fixture(scope="session")
def dev_services(dev_pki: DevPki) -> Iterator[DevServicesServer]:
    server = start_dev_services(dev_pki)
    yield server
    server.shutdown()


@pytest.fixture(scope="session", autouse=True)
def tsa_url(dev_services: DevServicesServer) -> str:
    """Every test (and the worker) talks to the local TSA started for this session."""
    url = dev_services.base_url + "/tsa"
    settings.TSA_URL = url
    return url


@pytest.fixture
def tsa(dev_services: DevServicesServer) -> Iterator[DevServicesServer]:
    dev_services.tsa_failures_left = 0
    yield dev_services
    dev_services.tsa_failures_left = 0


@pytest.fixture(autouse=True)
def _catalan_again() -> Iterator[None]:
    """A request under /es/ or /en/ leaves its language active in the test thread; reset it."""
    yield
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    # The backend itself: ``django.core.cache.cache`` is a proxy, never an instance of it.
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        # Not FLUSHDB: the Celery broker shares this Redis database.
        client = cache._cache.get_client(write=True)
        keys = list(client.scan_iter(f"{settings.CACHES['default']['KEY_PREFIX']}:*"))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()
    yield


def _database_url() -> str:
    params = connection.settings_dict
    if params["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{params['NAME']}"
    user = quote(params.get("USER") or "")
    password = quote(params.get("PASSWORD") or "")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = params.get("HOST") or "127.0.0.1"
    port = params.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{params['NAME']}"


# Module scope: a worker left running would take the tasks other modules queue (deliver their
# e-mails, timestamp their documents) behind their backs.
@pytest.fixture(scope="module")
def celery_worker_process(
    django_db_setup: None,
    django_db_blocker: object,
    tsa_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[subprocess.Popen[bytes]]:
    """A real ``celery worker`` process on the test database and the configured broker."""
    from seu.celery import app

    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        database_url = _database_url()
    app.control.purge()
    log_dir = tmp_path_factory.mktemp("worker")
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "TSA_URL": tsa_url,
        "SEU_VAR_DIR": str(settings.VAR_DIR),
        "SEU_MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    pidfile = log_dir / "worker.pid"
    log = (log_dir / "worker.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "seu",
            "worker",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
            f"--pidfile={pidfile}",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError((log_dir / "worker.log").read_text())
        if b"ready." in (log_dir / "worker.log").read_bytes():
            break
        time.sleep(0.2)
    else:
        process.kill()
        raise RuntimeError("the Celery worker did not start in 60 s")
    yield process
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.1) -> bool:
    """Poll ``predicate`` until true (for work done by another process, never for a deadline)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())


# --- Named actors (STYLE.md): reused by every app's tests --------------------------------------

STAFF_PASSWORD = "correct horse battery staple"


@pytest.fixture
def executor(transactional_db: None) -> Iterator[MigrationExecutor]:
    """Django's migration executor for a test that migrates back and forth; afterwards the schema
    is the latest again, as every other test expects."""
    from django.contrib.contenttypes.models import ContentType

    executor = MigrationExecutor(connection)
    yield executor
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()


@pytest.fixture
def on_a_working_day(db: None) -> Iterator[None]:
    """Now, when today is a working day in Madrid; otherwise 10:00 of the next working day
    (time_machine, ticking). For a test whose notifications must be made available at once or
    whose filing must count at once, run on a Saturday too (the clock of this process only: a
    test with a real worker process passes past instants instead, ``last_working_instant``)."""
    import datetime as dt

    import time_machine

    from seu import calendar

    today = calendar.to_local(calendar.now()).date()
    working = calendar.WorkingCalendar()
    if working.is_working_day(today):
        yield
        return
    day = working.next_working_day(today)
    with time_machine.travel(calendar.start_of_day(day) + dt.timedelta(hours=10), tick=True):
        yield


@pytest.fixture
def town_hall(db: None):
    from tests.factories import TownHallFactory

    return TownHallFactory()


@pytest.fixture
def organ(db: None):
    from tests.factories import OrganFactory

    return OrganFactory(code="secretaria", name="Secretaria")


@pytest.fixture
def administrator(db: None):
    """A superuser of the back-office."""
    from tests.factories import UserFactory

    return UserFactory(username="administradora", superuser=True)


@pytest.fixture
def clerk(db: None):
    """A staff member without special permissions."""
    from tests.factories import UserFactory

    return UserFactory(username="clerk", staff=True)


def log_in_to_back_office(client: Client, user: User) -> None:
    """Log ``user`` in as the back-office login does after the password and the TOTP code: the
    session holds the user and the verifying device (django-otp), so the back-office lets them in.

    Tests of the login form itself (tests/seu/test_staff_login.py) post the real code instead."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from seu.identity.staff_auth import enrol_totp_device

    device = enrol_totp_device(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


# --- Independent validation of PDF signatures (poppler) -------------------------------------------


@pytest.fixture(scope="session")
def nss_db(tmp_path_factory: pytest.TempPathFactory, dev_pki: DevPki) -> str:
    """An NSS database trusting only the development root, for poppler's pdfsig."""
    directory = tmp_path_factory.mktemp("nss")
    subprocess.run(["certutil", "-N", "-d", f"sql:{directory}", "--empty-password"], check=True)
    subprocess.run(
        [
            "certutil",
            "-A",
            "-d",
            f"sql:{directory}",
            "-n",
            "seu-root",
            "-t",
            "CT,C,C",
            "-i",
            str(dev_pki.root_cert),
        ],
        check=True,
    )
    return f"sql:{directory}"


def pdfsig(pdf: bytes, nss_db: str, tmp_path: Path) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        ["pdfsig", "-nssdir", nss_db, str(path)], capture_output=True, text=True, check=False
    )
    return result.stdout + result.stderr
