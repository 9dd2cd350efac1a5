#!/usr/bin/env python
"""Benchmark of the telematic registry (issue #4).

N concurrent submitters (default 20), each filing entries with a 1 MB PDF attachment through the
API (``POST /api/v1/registre/entrades/`` with a service account's token) to gunicorn on
PostgreSQL; then the bare pipeline in this process: ``services.register_entry`` called
sequentially with the same 1 MB PDF, already stored (render + seal + insert, nothing else).

Also reported, to show where the time goes: how long each bare registration holds the book's
counter lock (from taking the number to the commit: receipt rendering, sealing and the inserts),
which bounds the throughput of any number of submitters, and the CPU time the server spent per
entry, which bounds the throughput of two cores.

    .venv/bin/python bench/registry.py [--clients 20] [--per-client 5] [--workers N] [--threads N]

Uses its own PostgreSQL database, ``seu_bench_registry`` (recreated at each run), files under
var/bench-registry and Redis database 11 (``REDIS_URL``). Targets: p95 under 1 s at 20 concurrent
submitters; throughput at least 60% of the bare pipeline. The last line printed is one JSON
object: entries_per_s, p50_ms, p95_ms, ratio_to_bare.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import shutil
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    add_gunicorn_arguments,
    percentile,
    prepare_django,
    recreate_database,
    running_gunicorn,
)

LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432"
BENCH_DATABASE = "seu_bench_registry"
VAR_DIR = ROOT / "var" / "bench-registry"
os.environ["SEU_VAR_DIR"] = str(VAR_DIR)
os.environ["DATABASE_URL"] = f"{LOCAL_POSTGRES}/{BENCH_DATABASE}"
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/11")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seu.settings")
os.environ.setdefault("LOG_LEVEL", "ERROR")
os.environ["DEBUG"] = "0"  # DEBUG keeps every query in memory: not what production does

ENTRIES = "/api/v1/registre/entrades/"
MB = 1024 * 1024


def make_pdf(size: int, marker: str) -> bytes:
    """A well-formed one-page PDF of about ``size`` bytes, as a scanned annex is: a page whose
    picture (an incompressible grey image) brings it to the size. ``marker`` makes each one
    distinct, so that no two uploads share a stored blob. (Not an embedded file: the registry
    refuses those.)"""
    width = 1000
    height = max(1, (size - 1500) // width)
    filler = secrets.token_bytes(width * height)
    content = f"q 500 0 0 700 48 60 cm /Im1 Do Q BT /F1 12 Tf 72 790 Td (Annex {marker}) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> /XObject << /Im1 6 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content.encode() + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Length %d >>\nstream\n"
        % (width, height, len(filler))
        + filler
        + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def multipart(fields: dict[str, str], files: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value.encode()
            + b"\r\n"
        )
    for filename, data in files:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
            f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
            + data
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


FORM = {
    "organ": "secretaria",
    "subject": "Sol·licitud de llicència d'obra menor",
    "exposition": "Que vull reformar la cuina de l'habitatge del carrer Major, 1.",
    "request": "Que se'm concedeixi la llicència.",
    "interested_given_name": "Maria",
    "interested_surnames": "Garcia Ferrer",
}


def nif(number: int) -> str:
    """A valid DNI: each submitter files for a different person, as citizens do."""
    return f"{number:08d}" + "TRWAGMYFPDXBNJZSQVHLCKE"[number % 23]


def summary(name: str, samples: list[float], wall: float) -> dict[str, float]:
    figures = {
        "per_s": len(samples) / wall,
        "p50_ms": percentile(samples, 0.50) * 1000,
        "p95_ms": percentile(samples, 0.95) * 1000,
    }
    print(
        f"{name:<34} {figures['per_s']:7.2f}/s   p50 {figures['p50_ms']:7.1f} ms"
        f"   p95 {figures['p95_ms']:7.1f} ms   (n={len(samples)})"
    )
    return figures


def tree_cpu_seconds(root_pid: int) -> float:
    """User + system CPU of a process and all its live descendants (gunicorn, its workers, their
    PDF renderers), from /proc."""
    children: dict[int, list[int]] = {}
    ticks: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        pid, parent = int(entry.name), int(fields[1])
        children.setdefault(parent, []).append(pid)
        ticks[pid] = int(fields[11]) + int(fields[12])
    total, stack = 0, [root_pid]
    while stack:
        pid = stack.pop()
        total += ticks.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total / os.sysconf("SC_CLK_TCK")


def postgres_cpu_seconds() -> float:
    """CPU of every PostgreSQL server process (the backends serving the benchmark)."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        if name.startswith("postgres"):
            fields = stat[stat.rindex(")") + 2 :].split()
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def post(port: int, token: str, body: bytes, content_type: str) -> tuple[float, int, bytes]:
    start = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request(
            "POST",
            ENTRIES,
            body=body,
            headers={
                "Authorization": f"Token {token}",
                "Content-Type": content_type,
                "Accept": "application/json",
            },
        )
        response = connection.getresponse()
        answer = response.read()
    finally:
        connection.close()
    return time.perf_counter() - start, response.status, answer


def run_api(
    port: int, token: str, *, clients: int, per_client: int, size: int
) -> tuple[list[float], float, list[str]]:
    bodies = [
        [
            multipart(
                {**FORM, "interested_nif": nif(40_000_000 + c)},
                [(f"annex-{c}-{i}.pdf", make_pdf(size, f"{c}-{i}"))],
            )
            for i in range(per_client)
        ]
        for c in range(clients)
    ]
    start_line = threading.Barrier(clients)
    failures: list[str] = []

    def client(number: int) -> list[float]:
        samples = []
        start_line.wait()
        for body, content_type in bodies[number]:
            elapsed, status, answer = post(port, token, body, content_type)
            if status != 201:
                failures.append(f"{status} {answer[:200]!r}")
            samples.append(elapsed)
        return samples

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        results = list(pool.map(client, range(clients)))
    wall = time.perf_counter() - start
    return [s for samples in results for s in samples], wall, failures


def run_bare(count: int, size: int) -> tuple[list[float], float, list[float]]:
    """``register_entry`` sequentially in this process with one stored 1 MB PDF; also how long
    each call held the counter lock (number taken -> commit)."""
    from django.db import transaction

    from documents import services as documents
    from registre import services
    from seu import calendar
    from seu.identity import PersonData
    from seu.models import Organ

    organ = Organ.objects.get(code=FORM["organ"])
    interested = PersonData(nif=nif(40_000_000), given_name="Maria", surnames="Garcia Ferrer")
    blob = documents.store_blob(make_pdf(size, "bare"), "application/pdf")
    attachment = services.IncomingAttachment(
        name="annex.pdf", content_type="application/pdf", format_label="PDF", blob=blob
    )
    took_number: list[float] = []
    held: list[float] = []
    take_number = services._take_number

    def timed_take_number(direction: str, year: int) -> int:
        number = take_number(direction, year)
        took_number.append(time.perf_counter())
        transaction.on_commit(lambda: held.append(time.perf_counter() - took_number[-1]))
        return number

    def file(i: int) -> None:
        services.register_entry(
            organ=organ,
            subject=FORM["subject"],
            exposition=FORM["exposition"],
            request=FORM["request"],
            interested=interested,
            attachments=[attachment],
            channel="api",
            presented_at=calendar.now(),
        )

    for i in range(3):  # warm: this process's renderers and seal
        file(i)
    services._take_number = timed_take_number
    try:
        samples = []
        start = time.perf_counter()
        for i in range(count):
            t0 = time.perf_counter()
            file(i)
            samples.append(time.perf_counter() - t0)
        wall = time.perf_counter() - start
    finally:
        services._take_number = take_number
    return samples, wall, held


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=20, help="concurrent submitters")
    parser.add_argument("--per-client", type=int, default=5, help="entries each submitter files")
    add_gunicorn_arguments(parser)
    parser.add_argument("--size-mb", type=float, default=1.0, help="size of each attachment")
    arguments = parser.parse_args()
    threads = arguments.threads
    size = int(arguments.size_mb * MB)

    load_before = f"{os.getloadavg()[0]:.2f}"
    recreate_database(BENCH_DATABASE)
    shutil.rmtree(VAR_DIR / "media", ignore_errors=True)
    VAR_DIR.mkdir(parents=True, exist_ok=True)

    prepare_django()

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from rest_framework.authtoken.models import Token

    from seu.celery import app as celery_app

    account = get_user_model().objects.create_user(username="bench-registry")
    account.user_permissions.add(
        Permission.objects.get(content_type__app_label="registre", codename="add_registryentry")
    )
    token = Token.objects.create(user=account).key

    with running_gunicorn(
        workers=arguments.workers, threads=threads, log=VAR_DIR / "gunicorn.log", timeout=120
    ) as (port, gunicorn):
        # Warm-up, as a server that has been running: as many concurrent submitters as will be
        # measured, so that every worker thread has its database connection.
        run_api(port, token, clients=arguments.clients, per_client=2, size=size)
        cpu_before, pg_before = tree_cpu_seconds(gunicorn.pid), postgres_cpu_seconds()
        samples, wall, failures = run_api(
            port, token, clients=arguments.clients, per_client=arguments.per_client, size=size
        )
        server_cpu = tree_cpu_seconds(gunicorn.pid) - cpu_before
        database_cpu = postgres_cpu_seconds() - pg_before

    bare_samples, bare_wall, held = run_bare(len(samples), size)
    celery_app.control.purge()  # the timestamp tasks nobody will run
    shutil.rmtree(VAR_DIR / "media", ignore_errors=True)  # a megabyte per entry, of noise

    entries = len(samples)
    print(
        f"load average before / after: {load_before} / {os.getloadavg()[0]:.2f} (other processes)"
    )
    print(
        f"database: PostgreSQL {BENCH_DATABASE}; gunicorn: {arguments.workers} workers x "
        f"{threads} threads; {arguments.clients} submitters x {arguments.per_client} entries, "
        f"{size / MB:.1f} MB PDF each; {os.cpu_count()} CPUs"
    )
    if failures:
        # Refused submissions are fast: their timings would flatter the figures.
        print(f"FAILED submissions: {len(failures)}; first: {failures[0]}")
        raise SystemExit(1)
    api = summary("API, concurrent (gunicorn)", samples, wall)
    bare = summary("bare register_entry, sequential", bare_samples, bare_wall)
    summary("  counter lock held (bare)", held, sum(held))
    ratio = api["per_s"] / bare["per_s"]
    lock_p50 = percentile(held, 0.5)
    print(
        f"server CPU per entry: {server_cpu / entries * 1000:.0f} ms (gunicorn + renderers) "
        f"+ {database_cpu / entries * 1000:.0f} ms (PostgreSQL)"
    )
    print(
        f"ceilings: 1 / lock held = {1 / lock_p50:.1f} entries/s; "
        f"{os.cpu_count()} CPUs / CPU per entry = "
        f"{(os.cpu_count() or 1) * entries / (server_cpu + database_cpu):.1f} entries/s; "
        f"closed-loop latency at {arguments.clients} submitters >= "
        f"{arguments.clients * lock_p50 * 1000:.0f} ms"
    )
    print(
        f"throughput API / bare: {ratio:.2f} (target >= 0.60); p95 target < 1000 ms at 20: "
        + (
            ("met" if api["p95_ms"] < 1000 else "MISSED")
            if arguments.clients == 20
            else f"not measured (ran with {arguments.clients} submitters)"
        )
    )
    print(
        json.dumps(
            {
                "entries_per_s": round(api["per_s"], 2),
                "p50_ms": round(api["p50_ms"], 1),
                "p95_ms": round(api["p95_ms"], 1),
                "ratio_to_bare": round(ratio, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
