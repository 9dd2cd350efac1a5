#!/usr/bin/env python
"""Benchmark of citizen login (issue #3).

Certificate logins: nginx (deploy/nginx/seu.conf, as in production) in front of gunicorn serving
the seu (one worker process, threads, so that one warm revocation cache serves every login), the
development citizen PKI and its OCSP responders. Each login is a new TLS connection presenting a
client certificate, then ``GET /identificacio/certificat/`` answered with the redirect that starts
the session; the revocation cache is warmed first, so the figure is nginx + TLS + validation +
recording the identification. Also timed: the same over kept-alive connections, and validation
alone, in this process, with a warm cache (target: under 20 ms p95).

Cl@ve round trips are measured in the marked section below (added by the Cl@ve work).

    .venv/bin/python bench/login.py [-n 300] [--clients 8]

Uses DATABASE_URL, else a database of its own on the local PostgreSQL, else SQLite under var/bench
with a single client. The last line printed is one JSON object:
cert_logins_per_s, cert_validation_p95_ms, clave_per_s.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import ssl
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import percentile, wait_for_port  # noqa: E402

os.environ.setdefault("SEU_VAR_DIR", str(ROOT / "var" / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seu.settings")
os.environ.setdefault("LOG_LEVEL", "ERROR")
# Production's database, PostgreSQL (on this machine at 127.0.0.1:5432, PLATFORM.md), in a database
# of its own; SQLite only if there is none: SQLite refuses concurrent logins ("database is locked"
# when two transactions that have read both want to write), so it is timed with one client.
LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432"
BENCH_DATABASE = "seu_bench_login"


def _local_postgres_url() -> str | None:
    try:
        import psycopg

        with psycopg.connect(f"{LOCAL_POSTGRES}/postgres", autocommit=True, connect_timeout=2) as c:
            if not c.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DATABASE]
            ).fetchone():
                c.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')
    except Exception:
        return None
    return f"{LOCAL_POSTGRES}/{BENCH_DATABASE}"


if "DATABASE_URL" not in os.environ:
    found = _local_postgres_url()
    if found:
        os.environ["DATABASE_URL"] = found

import django  # noqa: E402

django.setup()

from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from devtools.pki import (  # noqa: E402
    CitizenPki,
    ensure_citizen_pki,
    ensure_dev_pki,
    write_citizen_trust,
)
from devtools.servers import free_port, start_dev_services, start_nginx  # noqa: E402
from seu.identity import certificates  # noqa: E402

VALID_CITIZENS = ("fnmt-natural", "dnie", "fnmt-representative")
LOGIN = "/identificacio/certificat/"
PROXY_SECRET = "bench-proxy-secret-0123456789abcdef"  # noqa: S105 - a local benchmark only


def summary(name: str, samples: list[float], wall: float) -> dict[str, float]:
    figures = {
        "per_s": len(samples) / wall,
        "p50_ms": percentile(samples, 0.50) * 1000,
        "p95_ms": percentile(samples, 0.95) * 1000,
    }
    print(
        f"{name:<34} {figures['per_s']:8.1f}/s   p50 {figures['p50_ms']:7.2f} ms"
        f"   p95 {figures['p95_ms']:7.2f} ms   (n={len(samples)})"
    )
    return figures


def tls_context(pki: CitizenPki, citizen: str) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(pki.root_cert))
    files = pki.citizen(citizen)
    context.load_cert_chain(str(files.cert), str(files.key))
    return context


def login(connection: http.client.HTTPSConnection) -> float:
    start = time.perf_counter()
    connection.request("GET", LOGIN, headers={"Host": "127.0.0.1"})
    response = connection.getresponse()
    response.read()
    if response.status != 302:
        raise RuntimeError(f"login answered {response.status}")
    return time.perf_counter() - start


def run_logins(
    port: int, pki: CitizenPki, *, count: int, clients: int, keep_alive: bool
) -> tuple[list[float], float]:
    contexts = [tls_context(pki, citizen) for citizen in VALID_CITIZENS]
    per_client = max(1, count // clients)

    def client(number: int) -> list[float]:
        context = contexts[number % len(contexts)]
        samples = []
        connection = None
        for _ in range(per_client):
            start = time.perf_counter()
            if connection is None or not keep_alive:
                connection = http.client.HTTPSConnection(
                    "127.0.0.1", port, context=context, timeout=30
                )
            login(connection)
            samples.append(time.perf_counter() - start)
            if not keep_alive:
                connection.close()
        if connection is not None:
            connection.close()
        return samples

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        results = list(pool.map(client, range(clients)))
    wall = time.perf_counter() - start
    return [sample for samples in results for sample in samples], wall


def validation_samples(pki: CitizenPki, count: int) -> list[float]:
    ders = [
        x509.load_pem_x509_certificate(pki.citizen(name).cert.read_bytes()).public_bytes(
            serialization.Encoding.DER
        )
        for name in VALID_CITIZENS
    ]
    for der in ders:  # warm: trust file parsed, OCSP answers cached
        certificates.validate_certificate(der)
    samples = []
    for i in range(count):
        start = time.perf_counter()
        certificates.validate_certificate(ders[i % len(ders)])
        samples.append(time.perf_counter() - start)
    return samples


# --- Cl@ve round trips ---------------------------------------------------------------------------
# The Cl@ve work measures here: AuthnRequest -> local identity provider -> signed response -> ACS,
# as many as it can per second. The seu runs in this process (Django's test client, inside a
# transaction rolled back at the end), the local identity provider over HTTP in a thread; each
# round trip signs twice (IdP) and verifies twice (SP) with xmlsec1, which is most of its cost.


def measure_clave_round_trips(count: int) -> float | None:
    from devtools.clave_idp import measure_clave_round_trips as round_trips

    # A hundred give a steady rate (about 20 s); more only make the benchmark longer.
    return round_trips(min(count, 100))


# -------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=300, help="logins (and validations) to time")
    parser.add_argument("--clients", type=int, default=8, help="concurrent connections")
    arguments = parser.parse_args()
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") and arguments.clients > 1:
        print("SQLite: one client only (it refuses concurrent writers)")
        arguments.clients = 1

    call_command("migrate", interactive=False, verbosity=0)
    pki = ensure_citizen_pki(settings.DEV_PKI_DIR)
    services = start_dev_services(ensure_dev_pki(settings.DEV_PKI_DIR))
    trust_file = write_citizen_trust(pki, services.base_url, settings.VAR_DIR / "bench-trust.toml")
    settings.CITIZEN_TRUST_FILE = trust_file

    work = Path(tempfile.mkdtemp(prefix="seu-bench-login-"))
    app_port, https_port = free_port(), free_port()
    environment = {
        **os.environ,
        "SEU_VAR_DIR": str(settings.VAR_DIR),
        "CITIZEN_TRUST_FILE": str(trust_file),
        "TRUSTED_PROXIES": "127.0.0.1",
        "PROXY_SHARED_SECRET": PROXY_SECRET,
        "CERT_REVOCATION_CACHE_SECONDS": "600",
        "LOG_LEVEL": "ERROR",
        "DATABASE_URL": os.environ.get("DATABASE_URL", ""),
    }
    if not environment["DATABASE_URL"]:
        del environment["DATABASE_URL"]
    gunicorn_log = (work / "gunicorn.log").open("wb")  # seu.security logs every login at INFO
    gunicorn = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{app_port}",
            "--workers",
            "1",
            "--worker-class",
            "gthread",
            "--threads",
            str(arguments.clients),
            "--log-level",
            "warning",
            "seu.wsgi",
        ],
        cwd=ROOT,
        env=environment,
        stdout=gunicorn_log,
        stderr=subprocess.STDOUT,
    )
    nginx = None
    try:
        wait_for_port(app_port, gunicorn, log="the benchmark's folder")
        nginx = start_nginx(
            work / "nginx",
            upstream=f"127.0.0.1:{app_port}",
            https_port=https_port,
            server_cert=pki.server_cert,
            server_key=pki.server_key,
            proxy_secret=PROXY_SECRET,
            # Every login comes from this one address: the limiter would measure itself.
            rate_limits=False,
        )
        # Warm-up: every certificate once (fills the revocation cache), then a few more.
        run_logins(https_port, pki, count=len(VALID_CITIZENS) * 4, clients=3, keep_alive=False)
        asked = sum(services.ocsp_requests.values())

        new_samples, new_wall = run_logins(
            https_port, pki, count=arguments.n, clients=arguments.clients, keep_alive=False
        )
        kept_samples, kept_wall = run_logins(
            https_port, pki, count=arguments.n, clients=arguments.clients, keep_alive=True
        )
        if sum(services.ocsp_requests.values()) != asked:
            print("warning: the revocation cache was not warm (the responder was asked again)")

        validations = validation_samples(pki, arguments.n)
        clave_per_s = measure_clave_round_trips(arguments.n)
    finally:
        if nginx is not None:
            nginx.terminate()
            nginx.wait(timeout=10)
        gunicorn.terminate()
        gunicorn.wait(timeout=15)
        gunicorn_log.close()
        services.shutdown()

    print(
        f"logs: {work}\n"
        f"database: {settings.DATABASES['default']['ENGINE']}, clients: {arguments.clients}, "
        f"gunicorn: 1 worker x {arguments.clients} threads"
    )
    logins = summary("certificate login (new TLS each)", new_samples, new_wall)
    summary("certificate login (kept-alive)", kept_samples, kept_wall)
    validation = summary("validation alone (warm cache)", validations, sum(validations))
    print("target: validation p95 < 20 ms")
    print(
        json.dumps(
            {
                "cert_logins_per_s": round(logins["per_s"], 1),
                "cert_validation_p95_ms": round(validation["p95_ms"], 2),
                "clave_per_s": None if clave_per_s is None else round(clave_per_s, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
