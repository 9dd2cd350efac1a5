#!/usr/bin/env python
"""Benchmark of "Cita prèvia" (issue #6).

With 1,000 appointments already booked in the next eight weeks, N concurrent clients (default 20)
each repeat: open the availability page of the FNMT service (eight weeks of days), open a day's
booking form, and book a time with a NIF of their own (the CSRF token taken from the form), to
gunicorn on PostgreSQL. A booking that loses its place to another client ("choose another time")
still counts as a request; the number of such answers is printed.

    .venv/bin/python bench/cites.py [--clients 20] [--per-client 5] [--workers N] [--threads N]

Uses its own PostgreSQL database, ``seu_bench_cites`` (recreated at each run), files under
var/bench-cites and Redis database 13 (``REDIS_URL``). Target: availability p95 under 150 ms. The
last line printed is one JSON object: availability_p95_ms, booking_p95_ms, requests_per_s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

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
BENCH_DATABASE = "seu_bench_cites"
VAR_DIR = ROOT / "var" / "bench-cites"
os.environ["SEU_VAR_DIR"] = str(VAR_DIR)
os.environ["DATABASE_URL"] = f"{LOCAL_POSTGRES}/{BENCH_DATABASE}"
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/13")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seu.settings")
os.environ.setdefault("LOG_LEVEL", "ERROR")
os.environ["DEBUG"] = "0"
# The bench books from one address on purpose; the per-address limit is not what it measures.
os.environ["CITES_BOOKINGS_PER_ADDRESS"] = "1000000"

LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
EXISTING = 1000


def nif(number: int) -> str:
    return f"{number:08d}{LETTERS[number % 23]}"


def summary(name: str, samples: list[float]) -> float:
    p50, p95 = percentile(samples, 0.5) * 1000, percentile(samples, 0.95) * 1000
    print(f"{name:<16} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   (n={len(samples)})")
    return p95


def seed() -> list[str]:
    """1,000 appointments over the next eight weeks; returns the open days' addresses."""
    from django.db import transaction

    from cites import selectors
    from cites.models import Appointment, Service, Slot
    from seu import calendar

    service = Service.objects.get(code="fnmt")
    service.opens_at, service.closes_at = dt.time(9, 0), dt.time(14, 0)
    service.slot_minutes, service.places_per_slot, service.is_active = 15, 4, True
    service.save()
    now = calendar.now()
    days = selectors.availability(service, now=now)
    times = [slot.starts_at for day in days for slot in day.slots]
    with transaction.atomic():
        slots = Slot.objects.bulk_create([Slot(service=service, starts_at=t) for t in times])
        rows = []
        for number in range(EXISTING):
            slot = slots[number % len(slots)]
            rows.append(
                Appointment(
                    service=service,
                    slot=slot,
                    starts_at=slot.starts_at,
                    state=Appointment.State.CONFIRMED,
                    nif=nif(number + 1),
                    given_name="Persona",
                    first_surname=f"Prova{number}",
                    email=f"p{number}@example.org",
                    created_at=now,
                    confirmed_at=now,
                )
            )
        Appointment.objects.bulk_create(rows)
    return [f"/cita-previa/fnmt/{day.date.isoformat()}/" for day in days]


def request(
    port: int, method: str, path: str, body: str = "", headers: dict[str, str] | None = None
) -> tuple[float, int, bytes, list[tuple[str, str]]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    start = time.perf_counter()
    connection.request(method, path, body=body.encode() or None, headers=headers or {})
    response = connection.getresponse()
    data = response.read()
    elapsed = time.perf_counter() - start
    connection.close()
    return elapsed, response.status, data, response.getheaders()


def client(port: int, number: int, per_client: int, day_paths: list[str]) -> dict[str, list]:
    result: dict[str, list] = {"availability": [], "form": [], "booking": [], "outcomes": []}
    for i in range(per_client):
        elapsed, status, _, _ = request(port, "GET", "/cita-previa/fnmt/")
        assert status == 200, status
        result["availability"].append(elapsed)
        path = day_paths[(number * per_client + i) % len(day_paths)]
        elapsed, status, page, headers = request(port, "GET", path)
        result["form"].append(elapsed)
        cookie = next(v for k, v in headers if k.lower() == "set-cookie" and "csrftoken" in v)
        csrf_cookie = cookie.split(";", 1)[0]
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        time_value = re.search(rb'name="time" id="[^"]+" value="([0-9:]+)"', page)
        if not token or not time_value:
            result["outcomes"].append("no free time")
            continue
        body = urlencode(
            {
                "csrfmiddlewaretoken": token.group(1).decode(),
                "time": time_value.group(1).decode(),
                "nif": nif(100_000 + number * 1000 + i),
                "given_name": "Bench",
                "first_surname": f"Client{number}",
                "email": f"c{number}-{i}@example.org",
                "request_code": f"BENCH{number:03d}{i:03d}",
            }
        )
        elapsed, status, _, _ = request(
            port,
            "POST",
            path,
            body,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": csrf_cookie,
                "Referer": f"http://127.0.0.1:{port}{path}",
            },
        )
        result["booking"].append(elapsed)
        result["outcomes"].append("booked" if status == 302 else f"answered {status}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--per-client", type=int, default=5)
    add_gunicorn_arguments(parser)
    arguments = parser.parse_args()
    threads = arguments.threads

    recreate_database(BENCH_DATABASE)
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    prepare_django()
    day_paths = seed()

    with running_gunicorn(
        workers=arguments.workers, threads=threads, log=VAR_DIR / "gunicorn.log"
    ) as (port, _):
        # Warm-up, as a server that has been running: as many concurrent journeys as clients, so
        # that every worker thread has compiled its templates and opened its database connection
        # (not measured; NIFs of their own).
        with ThreadPoolExecutor(max_workers=arguments.clients) as pool:
            list(pool.map(lambda n: client(port, 900 + n, 2, day_paths), range(arguments.clients)))
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=arguments.clients) as pool:
            results = list(
                pool.map(
                    lambda n: client(port, n, arguments.per_client, day_paths),
                    range(arguments.clients),
                )
            )
        wall = time.perf_counter() - start

    availability = [s for r in results for s in r["availability"]]
    forms = [s for r in results for s in r["form"]]
    bookings = [s for r in results for s in r["booking"]]
    outcomes = [o for r in results for o in r["outcomes"]]
    total = len(availability) + len(forms) + len(bookings)
    print(
        f"database: PostgreSQL {BENCH_DATABASE}; {EXISTING} existing appointments; "
        f"{arguments.clients} clients x {arguments.per_client}; gunicorn {arguments.workers} "
        f"workers x {threads} threads"
    )
    availability_p95 = summary("availability", availability)
    summary("day form", forms)
    booking_p95 = summary("booking", bookings)
    print("outcomes:", {o: outcomes.count(o) for o in sorted(set(outcomes))})
    print(f"requests/s: {total / wall:.1f}")
    print(
        json.dumps(
            {
                "availability_p95_ms": round(availability_p95, 1),
                "booking_p95_ms": round(booking_p95, 1),
                "requests_per_s": round(total / wall, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
