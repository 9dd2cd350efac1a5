"""What the benchmark scripts share: figures, a fresh PostgreSQL database, waiting for a server."""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432"


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def recreate_database(name: str) -> None:
    """Drop and create ``name`` on the local PostgreSQL (the bench's own database only)."""
    import psycopg

    with psycopg.connect(f"{LOCAL_POSTGRES}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def wait_for_port(
    port: int, process: subprocess.Popen[bytes], *, log: str, timeout: float = 60
) -> None:
    """Until a server started as ``process`` listens on ``port``; its log is named on failure."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped; see {log}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}; see {log}")


def prepare_django() -> None:
    """Set Django up on the bench's database: development PKI, schema, demo town hall."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from devtools.demo import load_demo_data
    from devtools.pki import ensure_dev_pki

    ensure_dev_pki(settings.DEV_PKI_DIR)
    call_command("migrate", interactive=False, verbosity=0)
    load_demo_data()


def _production_config() -> dict[str, object]:
    config: dict[str, object] = {}
    source = (ROOT / "deploy" / "gunicorn.conf.py").read_text()
    exec(compile(source, "gunicorn.conf.py", "exec"), config)  # noqa: S102 (our own file)
    return config


def production_workers() -> int:
    """The number of gunicorn workers deploy/gunicorn.conf.py starts on this machine."""
    return int(_production_config()["workers"])  # type: ignore[call-overload]


def production_threads() -> int:
    """The threads per worker deploy/gunicorn.conf.py starts."""
    return int(_production_config()["threads"])  # type: ignore[call-overload]


def add_gunicorn_arguments(parser: argparse.ArgumentParser) -> None:
    """``--workers`` and ``--threads``, by default what production starts on this machine."""
    parser.add_argument(
        "--workers",
        type=int,
        default=production_workers(),
        help="gunicorn worker processes (default: as deploy/gunicorn.conf.py, 2 x CPUs + 1)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=production_threads(),
        help="threads per worker (default: as deploy/gunicorn.conf.py)",
    )


@contextlib.contextmanager
def running_gunicorn(
    *, workers: int, threads: int, log: Path, timeout: int = 30
) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """gunicorn serving the seu on a free port with the production configuration
    (deploy/gunicorn.conf.py: gthread, the application preloaded), the given workers and threads
    (each worker taking as many connections as it has threads, as that file says); stopped on
    exit."""
    from devtools.servers import free_port

    port = free_port()
    with log.open("wb") as output:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                str(ROOT / "deploy" / "gunicorn.conf.py"),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--worker-connections",
                str(threads),
                "--timeout",
                str(timeout),
                "--log-level",
                "warning",
                "seu.wsgi",
            ],
            cwd=ROOT,
            env={**os.environ},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(port, server, log=str(log))
            yield port, server
        finally:
            server.terminate()
            server.wait(timeout=30)
