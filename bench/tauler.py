#!/usr/bin/env python
"""Benchmark of the notice board (issue #5).

With 10,000 edicts in the database (500 on display, the rest expired), N concurrent clients
(default 20) request, one endpoint after another, the board's first page, an edict's page and the
Atom feed, and, as the baseline in the same run, the minimal Django view ``/health/`` (through the
same middleware, no database), all through gunicorn on PostgreSQL.

    .venv/bin/python bench/tauler.py [--clients 20] [--requests 2000] [--workers N] [--threads N]

Uses its own PostgreSQL database, ``seu_bench_tauler`` (recreated at each run), files under
var/bench-tauler and Redis database 14 (``REDIS_URL``). Targets: each page at least 50% of the
minimal view's throughput, p95 under 100 ms at 20 clients. The last line printed is one JSON
object: board_ratio, edict_ratio, feed_ratio and p95_ms (the worst of the three pages).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import sys
import time
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
BENCH_DATABASE = "seu_bench_tauler"
VAR_DIR = ROOT / "var" / "bench-tauler"
os.environ["SEU_VAR_DIR"] = str(VAR_DIR)
os.environ["DATABASE_URL"] = f"{LOCAL_POSTGRES}/{BENCH_DATABASE}"
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seu.settings")
os.environ.setdefault("LOG_LEVEL", "ERROR")
os.environ["DEBUG"] = "0"

TOTAL = 10_000
ON_DISPLAY = 500


def seed() -> str:
    """10,000 edicts, 500 on display; returns the address of one on display."""
    import weasyprint
    from django.db import transaction

    from documents.services import store_blob
    from seu import calendar
    from seu.models import Organ
    from tauler.models import Category, Edict, EdictAttachment, EdictCounter, PeriodKind

    now = calendar.now()
    organs = list(Organ.objects.all()[:5]) or [Organ.objects.create(code="alcaldia", name="Batlia")]
    blob = store_blob(weasyprint.HTML(string="<p>Annex</p>").write_pdf(), "application/pdf")
    categories = Category.values
    rows = []
    for number in range(1, TOTAL + 1):
        on_display = number > TOTAL - ON_DISPLAY
        published = now - dt.timedelta(minutes=(TOTAL - number) * 37)
        ends = now + dt.timedelta(days=10) if on_display else published + dt.timedelta(days=20)
        if not on_display:
            ends = min(ends, now - dt.timedelta(minutes=1))
        rows.append(
            Edict(
                title=f"Edicte de prova número {number}",
                category=categories[number % len(categories)],
                organ=organs[number % len(organs)],
                text=("Text de l'edicte amb el contingut de l'anunci. " * 20).strip(),
                state=Edict.State.PUBLISHED if on_display else Edict.State.EXPIRED,
                period_kind=PeriodKind.WORKING_DAYS,
                period_days=15,
                year=2026,
                number=number,
                published_at=published,
                exposure_ends_at=ends,
                created_at=published,
            )
        )
    with transaction.atomic():
        edicts = Edict.objects.bulk_create(rows, batch_size=1000)
        EdictAttachment.objects.bulk_create(
            [
                EdictAttachment(edict=e, position=1, name="annex.pdf", size=blob.size, blob=blob)
                for e in edicts
            ],
            batch_size=1000,
        )
        EdictCounter.objects.create(year=2026, last_number=TOTAL)
    return f"/tauler/2026/{TOTAL - 7}/"


def request(port: int, path: str) -> tuple[float, int]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    start = time.perf_counter()
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    elapsed = time.perf_counter() - start
    connection.close()
    return elapsed, response.status


def measure(port: int, path: str, clients: int, requests: int) -> tuple[float, float]:
    """Requests per second and p95 (ms) of ``requests`` GETs of ``path`` by ``clients``."""
    per_client = max(1, requests // clients)

    def run(_: int) -> list[float]:
        samples = []
        for _ in range(per_client):
            elapsed, status = request(port, path)
            assert status == 200, (path, status)
            samples.append(elapsed)
        return samples

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        samples = [s for batch in pool.map(run, range(clients)) for s in batch]
    wall = time.perf_counter() - start
    return len(samples) / wall, percentile(samples, 0.95) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument(
        "--requests",
        type=int,
        default=2000,
        help="per page: at about 1,000 requests/s, fewer give a figure of a fraction of a second",
    )
    add_gunicorn_arguments(parser)
    arguments = parser.parse_args()
    threads = arguments.threads

    recreate_database(BENCH_DATABASE)
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    prepare_django()
    edict_path = seed()

    paths = {
        "minimal": "/health/",
        "board": "/tauler/",
        "edict": edict_path,
        "feed": "/tauler/feed/",
    }
    results: dict[str, tuple[float, float]] = {}
    with running_gunicorn(
        workers=arguments.workers, threads=threads, log=VAR_DIR / "gunicorn.log"
    ) as (port, _):
        for path in paths.values():  # warm-up: connections, templates
            for _ in range(arguments.workers * 3):
                request(port, path)
        for name, path in paths.items():
            results[name] = measure(port, path, arguments.clients, arguments.requests)

    print(
        f"database: PostgreSQL {BENCH_DATABASE}; {TOTAL} edicts, {ON_DISPLAY} on display; "
        f"{arguments.clients} clients; gunicorn {arguments.workers} workers x {threads} threads"
    )
    for name, (rate, p95) in results.items():
        print(f"{name:<8} {rate:8.1f} req/s   p95 {p95:7.1f} ms   ({paths[name]})")
    baseline = results["minimal"][0]
    print(
        json.dumps(
            {
                "board_ratio": round(results["board"][0] / baseline, 3),
                "edict_ratio": round(results["edict"][0] / baseline, 3),
                "feed_ratio": round(results["feed"][0] / baseline, 3),
                "p95_ms": round(max(results[n][1] for n in ("board", "edict", "feed")), 1),
            }
        )
    )


if __name__ == "__main__":
    main()
