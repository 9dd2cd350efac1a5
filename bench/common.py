"""What the benchmark scripts share: figures, a fresh PostgreSQL database, waiting for a server."""

from __future__ import annotations

import socket
import subprocess
import time

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
