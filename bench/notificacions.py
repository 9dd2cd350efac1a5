#!/usr/bin/env python
"""Benchmark of electronic notifications (issue #14), on PostgreSQL.

1. The expiry sweep (``notificacions.clock.expire_due``) against a bare SQL ``UPDATE`` of the same
   rows, in the same run, with 100,000 and with 1,000,000 notifications of which the same 10,000
   are due (one database per size, so that the sizes take turns). The rest is a mix as a town
   hall's table would hold it (20% pending with their expiry ahead, in the sweep's partial index;
   70% accessed, rejected or expired long ago; 10% on paper), each with its exit entry and a log
   row, written with ``INSERT ... SELECT generate_series``. The four measurements take turns (the
   order rotated each run), each on the same due rows put back as they were (and the tables
   vacuumed) after it; the first run is a warm-up; the figures are medians of each run's ratio.
   Besides the wall time, the CPU time of this process and of its PostgreSQL backend: on a machine
   shared with other work it says what the statements cost, with much less noise. The plans of
   the sweep's first batch are printed (EXPLAIN ANALYZE), and the run stops if the due rows are
   not found through the partial index ``notification_expiry_due``.
2. Making notifications available (``notificacions.sending.notify``: exit entry, notification,
   sealed evidence, notice row) against the bare pipeline (``documents.services.issue_document``
   of the same evidence template: render + seal + insert), in turns, on the 1,000,000-row tables.

    .venv/bin/python bench/notificacions.py [--runs 5] [--batch N] [--notify 40] [--keep]

Uses its own PostgreSQL databases, ``seu_bench_notificacions`` and ``..._100k`` (recreated, and
dropped at the end unless ``--keep``), files under var/bench-notificacions and Redis database 15
(``REDIS_URL``, emptied at the end). Targets: ``sweep_ratio_to_bare`` <= 2.0,
``sweep_growth_ratio`` (1,000,000 / 100,000 total) <= 1.3, ``available_ratio_to_bare`` >= 0.6.
The last line printed is one JSON object with those three names and the figures behind them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import percentile, prepare_django, recreate_database  # noqa: E402

LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432"
BENCH_DATABASE = "seu_bench_notificacions"
VAR_DIR = ROOT / "var" / "bench-notificacions"
os.environ["SEU_VAR_DIR"] = str(VAR_DIR)
os.environ["DATABASE_URL"] = f"{LOCAL_POSTGRES}/{BENCH_DATABASE}"
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seu.settings")
os.environ.setdefault("LOG_LEVEL", "ERROR")
os.environ["DEBUG"] = "0"  # DEBUG keeps every query in memory: not what production does

SMALL = 100_000
LARGE = 1_000_000
DUE = 10_000
PERSONS = 1_000
# One database per size (the default connection is the large one's), so that they take turns.
DATABASES = {LARGE: BENCH_DATABASE, SMALL: f"{BENCH_DATABASE}_100k"}
CHUNK = 100_000
INDEX = "notification_expiry_due"

NOTIFICATION = "notificacions_notification"
EVENT = "notificacions_notificationevent"
ENTRY = "registre_registryentry"
PERSON = "seu_person"


# --- Population ------------------------------------------------------------------------------

# What a NOT NULL column without a default gets when a statement below does not name it (the
# blank strings, zeros and empty JSON Django writes): new columns other apps add do not break it.
FILL = {
    "character varying": "''",
    "text": "''",
    "integer": "0",
    "smallint": "0",
    "bigint": "0",
    "boolean": "false",
    "jsonb": "'{}'::jsonb",
}


def _required_columns(cursor: Any, table: str) -> dict[str, str]:
    cursor.execute(
        """
        SELECT column_name, data_type FROM information_schema.columns
        WHERE table_name = %s AND is_nullable = 'NO' AND column_default IS NULL
          AND is_identity = 'NO'
        """,
        [table],
    )
    return dict(cursor.fetchall())


def _insert_select(cursor: Any, table: str, values: dict[str, str], source: str) -> str:
    """``INSERT INTO table (...) SELECT ... source``, naming every required column."""
    columns = dict(values)
    for name, kind in _required_columns(cursor, table).items():
        if name not in columns:
            if kind not in FILL:
                raise RuntimeError(f"{table}.{name} ({kind}) is required: give it a value")
            columns[name] = FILL[kind]
    # Names from the schema, values written by this script: nothing comes from outside.
    names, expressions = ", ".join(columns), ", ".join(columns.values())
    return f"INSERT INTO {table} ({names}) SELECT {expressions} {source}"


def _at(instant: dt.datetime) -> str:
    return f"timestamptz '{instant.isoformat()}'"


def _category() -> str:
    """Row ``g``'s kind: among the first SMALL rows, one in SMALL/DUE is due; of the others, 20%
    pending (expiry ahead), 10% on paper, the rest final."""
    step = SMALL // DUE
    return f"""CASE WHEN g <= {SMALL} AND g % {step} = 0 THEN 'due'
                   WHEN g % 5 = 1 THEN 'pending'
                   WHEN g % 10 = 2 THEN 'paper'
                   ELSE 'final' END"""


def populate(first: int, last: int, *, now: dt.datetime, organ_id: int, person_id: int) -> None:
    """Notifications ``first``..``last`` (each with its exit entry and its creation log row), in
    chunks, foreign-key triggers off (the rows are consistent by construction)."""
    from django.db import connection

    now_sql = _at(now)
    minute = "interval '1 minute'"
    day = "interval '1 day'"
    # Expiry by kind: due in the last three days; pending up to ten days ahead; final and paper
    # over the last year.
    expires = f"""CASE cat
        WHEN 'due' THEN {now_sql} - (1 + g % 4320) * {minute}
        WHEN 'pending' THEN {now_sql} + (1 + g % 14000) * {minute}
        ELSE {now_sql} - 20 * {day} - (g % 500000) * {minute} END"""
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        entries = _insert_select(
            cursor,
            ENTRY,
            {
                "direction": "'out'",
                "channel": "'electronic'",
                "state": "'registered'",
                "number": "'S/2000/' || lpad(g::text, 7, '0')",
                "year": "2000",
                "sequence": "g",
                "presented_at": f"{now_sql} - (g % 500000) * {minute} - 30 * {day}",
                "effective_at": f"{now_sql} - (g % 500000) * {minute} - 30 * {day}",
                "registered_at": f"{now_sql} - (g % 500000) * {minute} - 30 * {day}",
                "organ_id": str(organ_id),
                "interested_id": f"{person_id} + g % {PERSONS}",
                "interested_kind": "'natural'",
                "addressee": "'Persona de prova ' || (g % 1000)",
                "subject": "'Resolució de la vostra sol·licitud ' || g",
                "language": "'ca'",
            },
            "FROM generate_series(__FIRST__, __LAST__) AS g",
        )
        notifications = _insert_select(
            cursor,
            NOTIFICATION,
            {
                "public_id": "gen_random_uuid()",
                "kind": "'notification'",
                "channel": "CASE cat WHEN 'paper' THEN 'paper' ELSE 'electronic' END",
                "state": """CASE cat WHEN 'due' THEN 'available' WHEN 'pending' THEN 'available'
                    WHEN 'paper' THEN 'delivered'
                    ELSE (ARRAY['accessed', 'rejected', 'expired'])[1 + g % 3] END""",
                "organ_id": str(organ_id),
                "holder_id": "holder_id",
                "subject": "subject",
                "case_reference": "'EXP/2026/' || g",
                "exit_entry_id": "id",
                "required_loa": "'substantial'",
                "language": "'ca'",
                "created_at": "expires - 10 * interval '1 day'",
                "available_at": "expires - 10 * interval '1 day'",
                "base_expires_at": "CASE cat WHEN 'paper' THEN NULL ELSE expires END",
                "expires_at": "CASE cat WHEN 'paper' THEN NULL ELSE expires END",
                "outcome_at": """CASE cat WHEN 'final' THEN expires - 9 * interval '1 day'
                    WHEN 'paper' THEN expires - 5 * interval '1 day' END""",
                "next_reminder_at": "CASE cat WHEN 'pending' THEN expires - interval '1 day' END",
                "reminders_sent": "CASE cat WHEN 'due' THEN 2 ELSE 0 END",
            },
            f"""FROM (SELECT *, {expires} AS expires FROM (
                    SELECT *, {_category()} AS cat FROM (
                        SELECT id, sequence AS g, interested_id AS holder_id, subject
                        FROM entries) AS r) AS e) AS s RETURNING id, created_at""",  # noqa: S608
        )
        events = _insert_select(
            cursor,
            EVENT,
            {
                "notification_id": "id",
                "from_state": "''",
                "to_state": "'pending'",
                "at": "created_at",
                "event": "'created'",
                "details": "'{}'::jsonb",
            },
            "FROM made",
        )
        # The indexes that back no constraint are built again afterwards: building one is much
        # faster than a million insertions into it.
        cursor.execute(
            """SELECT indexname, indexdef FROM pg_indexes AS i
               WHERE tablename IN (%s, %s, %s) AND NOT EXISTS (
                   SELECT FROM pg_constraint WHERE conname = i.indexname)""",
            [ENTRY, NOTIFICATION, EVENT],
        )
        secondary = cursor.fetchall()
        for name, _definition in secondary:
            cursor.execute(f'DROP INDEX "{name}"')
        for start in range(first, last + 1, CHUNK):
            # No parameters: the expressions use "%" as the modulo operator.
            chunk = entries.replace("__FIRST__", str(start)).replace(
                "__LAST__", str(min(last, start + CHUNK - 1))
            )
            cursor.execute(
                f"WITH entries AS ({chunk} RETURNING id, sequence, interested_id, subject), "
                f"made AS ({notifications}) {events}"
            )
        cursor.execute("SET maintenance_work_mem = '256MB'")
        for _name, definition in secondary:
            cursor.execute(definition)
        cursor.execute("RESET maintenance_work_mem")
        cursor.execute("SET session_replication_role = DEFAULT")


def make_persons() -> int:
    """PERSONS natural persons with valid DNIs; returns the first id."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            _insert_select(
                cursor,
                PERSON,
                {
                    "nif": "lpad((90000000 + g)::text, 8, '0') || "
                    "substr('TRWAGMYFPDXBNJZSQVHLCKE', 1 + (90000000 + g) % 23, 1)",
                    "kind": "'natural'",
                    "given_name": "'Persona'",
                    "surnames": "'De Prova ' || g",
                    "created_at": "now()",
                    "updated_at": "now()",
                },
                f"FROM generate_series(0, {PERSONS - 1}) AS g RETURNING id",
            )
        )
        return min(row[0] for row in cursor.fetchall())


def vacuum(*tables: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM ANALYZE {table}")


# --- The sweep and the bare UPDATE -----------------------------------------------------------


@contextmanager
def captured() -> Iterator[list[tuple[str, list[Any] | tuple[Any, ...], float]]]:
    """Every statement run meanwhile, with its parameters and how long it took."""
    from django.db import connection

    statements: list[tuple[str, Any, float]] = []

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append((sql, params, time.perf_counter() - start))

    with connection.execute_wrapper(wrapper):
        yield statements


# The sweep's batch, when ``--batch`` asks for another than ``clock.EXPIRY_BATCH``.
BATCH: dict[str, int] = {}


def sweep(now: dt.datetime) -> None:
    from notificacions import clock

    moved = clock.expire_due(now=now, **BATCH)
    assert moved == DUE, moved


def bare_update(now: dt.datetime) -> None:
    """The same change of the same rows as one plain statement: what the sweep is held to."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {NOTIFICATION} SET state = 'expired', outcome_at = expires_at,
                    next_reminder_at = NULL, certificate_due_at = %s
                WHERE state = 'available' AND expires_at < %s""",  # noqa: S608
            [now, now],
        )
        assert cursor.rowcount == DUE, cursor.rowcount


def restore(now: dt.datetime) -> None:
    """The due rows as they were before either expired them, the sweep's log rows gone, and the
    tables vacuumed: the next turn finds what the first found."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {NOTIFICATION} AS n SET state = 'available', outcome_at = NULL,
                    certificate_due_at = NULL, next_reminder_at = d.next_reminder_at
                FROM bench_due AS d WHERE n.id = d.id"""  # noqa: S608
        )
        assert cursor.rowcount == DUE, cursor.rowcount
        cursor.execute(f"DELETE FROM {EVENT} WHERE event = 'expired' AND at = %s", [now])  # noqa: S608
    vacuum(NOTIFICATION, EVENT)


def mark_due(now: dt.datetime) -> None:
    """Keep the due rows' ids and what ``restore`` puts back."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"""CREATE TABLE bench_due AS SELECT id, next_reminder_at FROM {NOTIFICATION}
                WHERE state = 'available' AND expires_at < %s""",  # noqa: S608
            [now],
        )
        assert cursor.rowcount == DUE, cursor.rowcount


def table_sizes() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_size_pretty(pg_total_relation_size(%s)), "
            "pg_size_pretty(pg_relation_size(%s))",
            [NOTIFICATION, INDEX],
        )
        total, index = cursor.fetchone()
    return f"notifications table with its indexes {total}, {INDEX} {index}"


def explain(now: dt.datetime) -> list[tuple[str, str]]:
    """(statement, plan) of each statement of the sweep's first batch that reads the
    notifications: the sweep is run once and rolled back, then that batch's statements are run
    again in order under EXPLAIN ANALYZE (so each finds what the sweep found), and rolled back."""
    from django.db import connection, transaction

    from notificacions import clock

    with transaction.atomic():
        with captured() as statements:
            clock.expire_due(now=now)
        transaction.set_rollback(True)
    first_batch = []
    for sql, params, _elapsed in statements:
        words = " ".join(sql.split())
        if not words.upper().startswith(("SELECT", "WITH", "UPDATE", "INSERT", "DELETE")):
            continue  # savepoints
        first_batch.append((words, params))
        if NOTIFICATION in words and words.upper().startswith(("WITH", "UPDATE")):
            break  # the batch's change of state ends the batch
    plans = []
    with transaction.atomic(), connection.cursor() as cursor:
        for sql, params in first_batch:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {sql}", params)
            if NOTIFICATION in sql:
                plans.append((sql, "\n".join(row[0] for row in cursor.fetchall())))
        transaction.set_rollback(True)
    return plans


def check_plans(plans: list[tuple[str, str]], *, total: int, show: bool) -> None:
    """The statement that finds the due rows goes through the partial index; each statement is
    named with its first buffer figures (the whole plan too when ``show``)."""
    reads_due = [plan for sql, plan in plans if '"expires_at" <' in sql]
    if not reads_due or INDEX not in reads_due[0]:
        raise SystemExit(f"the sweep does not find its due rows through {INDEX} at {total:,}")
    for sql, plan in plans:
        uses = "uses" if INDEX in plan else "does not use"
        buffers = next((line.strip() for line in plan.splitlines() if "Buffers:" in line), "")
        print(f"{total:>9,} total, first batch ({uses} {INDEX}; {buffers}): {sql[:90]}...")
        if show:  # an "id IN (...)" of a thousand ids shortened
            for line in plan.splitlines():
                print(f"    {line[:160]}{'...' if len(line) > 160 else ''}")


def breakdown(now: dt.datetime) -> list[tuple[str, int, float]]:
    """Where one sweep spends its time: statements grouped by their first words."""
    with captured() as statements:
        sweep(now)
    groups: dict[str, list[float]] = defaultdict(list)
    for sql, _params, elapsed in statements:
        words = " ".join(sql.split())
        label = words[:90]
        groups[label].append(elapsed)
    return sorted(
        ((label, len(times), sum(times)) for label, times in groups.items()),
        key=lambda item: -item[2],
    )


@contextmanager
def on_database(name: str) -> Iterator[None]:
    """Django's default connection on the database ``name`` meanwhile (the sweep runs on the
    default connection): each size has its own database, so that they can take turns."""
    from django.db import connection

    previous = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = name
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = previous


def _backend_pid() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (the PostgreSQL backend serving this connection)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measured(function: Callable[[dt.datetime], None], now: dt.datetime) -> tuple[float, float]:
    """Wall time, and CPU time of this process and of its database backend together: on a
    machine that other work shares, the CPU time is what the statements cost, and it varies
    much less than the wall time."""
    pid = _backend_pid()
    cpu, backend = time.process_time(), _cpu_seconds(pid)
    start = time.perf_counter()
    function(now)
    wall = time.perf_counter() - start
    return wall, time.process_time() - cpu + _cpu_seconds(pid) - backend


Samples = dict[tuple[str, int], list[tuple[float, float]]]


def measure_sweeps(now: dt.datetime, runs: int, databases: dict[int, str]) -> Samples:
    """The sweep and the bare UPDATE at each size, in turns (the order rotated each run), each
    on the same due rows put back; the first run is a warm-up."""
    turns = [(name, size) for size in sorted(databases, reverse=True) for name in ("sweep", "bare")]
    functions = {"sweep": sweep, "bare": bare_update}
    samples: Samples = defaultdict(list)
    for run in range(runs + 1):
        shift = run % len(turns)
        for name, size in turns[shift:] + turns[:shift]:
            with on_database(databases[size]):
                figures = measured(functions[name], now)
                restore(now)
            if run:
                samples[name, size].append(figures)
    return samples


def median_ratio(
    top: list[tuple[float, float]], bottom: list[tuple[float, float]], at: int
) -> float:
    """The median over the runs of each run's ratio (a run's turns are minutes apart at most)."""
    return statistics.median(a[at] / b[at] for a, b in zip(top, bottom, strict=True))


def report_sweeps(samples: Samples) -> dict[str, float]:
    for (name, size), taken in sorted(samples.items(), key=lambda item: (-item[0][1], item[0][0])):
        label = "sweep (expire_due)" if name == "sweep" else "bare UPDATE"
        wall = statistics.median(sample[0] for sample in taken) * 1000
        cpu = statistics.median(sample[1] for sample in taken) * 1000
        runs = ", ".join(f"{sample[0] * 1000:.0f}" for sample in taken)
        print(
            f"{size:>9,} total, {label:<18} wall median {wall:6.0f} ms (runs {runs}); "
            f"CPU median {cpu:6.0f} ms"
        )
    figures: dict[str, float] = {}
    for at, unit in ((0, "wall"), (1, "cpu")):
        figures[f"ratio_{unit}"] = median_ratio(samples["sweep", LARGE], samples["bare", LARGE], at)
        figures[f"ratio_100k_{unit}"] = median_ratio(
            samples["sweep", SMALL], samples["bare", SMALL], at
        )
        figures[f"growth_{unit}"] = median_ratio(
            samples["sweep", LARGE], samples["sweep", SMALL], at
        )
        figures[f"bare_growth_{unit}"] = median_ratio(
            samples["bare", LARGE], samples["bare", SMALL], at
        )
        print(
            f"{unit:>4}: sweep / bare {figures[f'ratio_{unit}']:.2f} at {LARGE:,}, "
            f"{figures[f'ratio_100k_{unit}']:.2f} at {SMALL:,}; {LARGE:,} / {SMALL:,}: sweep "
            f"{figures[f'growth_{unit}']:.2f}, bare UPDATE {figures[f'bare_growth_{unit}']:.2f}"
            " (medians of the runs' ratios)"
        )
    figures["sweep_ms"] = statistics.median(sample[0] for sample in samples["sweep", LARGE]) * 1000
    figures["bare_ms"] = statistics.median(sample[0] for sample in samples["bare", LARGE]) * 1000
    return figures


# --- Making notifications available ----------------------------------------------------------


def working_instant() -> dt.datetime:
    """Now, or 10:00 of the last working day: on a non-working day an exit (and its
    notification) waits, and nothing would be made available."""
    from seu import calendar

    now = calendar.now()
    day = calendar.to_local(now).date()
    if calendar.is_working_day(day):
        return now
    while not calendar.is_working_day(day):
        day -= dt.timedelta(days=1)
    return calendar.start_of_day(day) + dt.timedelta(hours=10)


def measure_available(count: int) -> tuple[dict[str, float], dict[str, float]]:
    """``notify`` and the bare evidence pipeline in turns, ``count`` of each, after a warm-up."""
    from documents import services as documents
    from documents.models import Document
    from notificacions import evidence, sending
    from notificacions import services as consents
    from notificacions.models import Notification
    from seu import identity
    from seu.models import Identification, LoA, Organ

    organ = Organ.objects.order_by("pk").first()
    assert organ is not None
    holder = identity.PersonData(nif="12345678Z", given_name="Maria", surnames="Garcia Ferrer")
    identification = identity.record_identification(
        person=holder,
        method=Identification.Method.CLAVE,
        loa=LoA.SUBSTANTIAL,
        evidence=identity.Evidence(provider="Cl@ve", saml_assertion_id="_bench"),
    )
    consents.give_consent(identification=identification, email="maria@exemple.cat", accepted=True)
    notified = documents.issue_document(
        kind=Document.Kind.TEST,
        title="Resolució de prova",
        template_name="documents/pdf/test_document.html",
        context={"text": "Resolució de prova: text de la resolució."},
        organ=organ,
    )
    now = working_instant()

    def send(i: int) -> Notification:
        return sending.notify(
            organ=organ,
            holder=holder,
            documents=[notified],
            subject=f"Resolució de la vostra sol·licitud {i}",
            acting_user=None,
            now=now,
        )

    model = send(0)
    assert model.state == Notification.State.AVAILABLE, model.state
    context = {
        "notification": model,
        "documents": evidence.document_facts(model),
        "available_at": now,
    }
    title = model.evidence.title if model.evidence else "Evidència"

    def bare(i: int) -> None:
        documents.issue_document(
            kind=Document.Kind.NOTIFICATION_EVIDENCE,
            title=title,
            template_name="notificacions/pdf/availability.html",
            context=context,
            organ=organ,
            language=model.language,
            now=now,
        )

    for i in range(1, 4):  # warm: renderers, the seal key, templates
        send(i)
        bare(i)
    # In turns, so that a burst of load from other processes weighs on both alike.
    notify_samples: list[float] = []
    bare_samples: list[float] = []
    for i in range(count):
        t0 = time.perf_counter()
        bare(i)
        t1 = time.perf_counter()
        made = send(100 + i)
        notify_samples.append(time.perf_counter() - t1)
        bare_samples.append(t1 - t0)
        assert made.state == Notification.State.AVAILABLE and made.evidence_id is not None
    summaries = []
    for name, samples in (
        ("bare evidence (render + seal + insert)", bare_samples),
        ("notify (exit + evidence + notice)", notify_samples),
    ):
        figures = {
            "per_s": len(samples) / sum(samples),
            "p50_ms": percentile(samples, 0.5) * 1000,
            "p95_ms": percentile(samples, 0.95) * 1000,
        }
        print(
            f"{name:<40} {figures['per_s']:6.2f}/s   p50 {figures['p50_ms']:6.1f} ms"
            f"   p95 {figures['p95_ms']:6.1f} ms   (n={len(samples)})"
        )
        summaries.append(figures)
    return summaries[0], summaries[1]


# --- The run ---------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5, help="measured turns of the four sweeps")
    parser.add_argument(
        "--batch", type=int, default=0, help="the sweep's batch (default: clock.EXPIRY_BATCH)"
    )
    parser.add_argument("--notify", type=int, default=40, help="notifications made available")
    parser.add_argument("--keep", action="store_true", help="leave the databases for a look")
    arguments = parser.parse_args()

    load_before = f"{os.getloadavg()[0]:.2f}"
    for name in DATABASES.values():
        recreate_database(name)
    shutil.rmtree(VAR_DIR, ignore_errors=True)
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    try:
        results = run(arguments)
    finally:
        from django.db import connections

        from seu.celery import app as celery_app

        try:
            celery_app.control.purge()  # the timestamp and e-mail tasks nobody will run
        except Exception as error:  # a failed purge must not hide the run's own error
            print(f"could not purge the queue: {error}")
        connections.close_all()
        if not arguments.keep:
            from django.core.cache import cache

            cache.clear()  # Redis database 15: this script's own
            import psycopg

            with psycopg.connect(f"{LOCAL_POSTGRES}/postgres", autocommit=True) as connection:
                for name in DATABASES.values():
                    connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            shutil.rmtree(VAR_DIR, ignore_errors=True)
    print(f"load average before / after: {load_before} / {os.getloadavg()[0]:.2f}")
    print(json.dumps(results))


def run(arguments: argparse.Namespace) -> dict[str, float]:
    prepare_django()  # the default database: the large one
    if arguments.batch:
        BATCH["limit"] = arguments.batch
    from django.core.management import call_command

    from devtools.demo import load_demo_data
    from notificacions import clock
    from seu import calendar
    from seu.models import Organ

    with on_database(DATABASES[SMALL]):
        call_command("migrate", interactive=False, verbosity=0)
        load_demo_data()
    # A round instant, so that the sweep's log rows are told apart from the population's.
    now = calendar.now().replace(microsecond=0)
    print(
        f"PostgreSQL {', '.join(DATABASES.values())}; {os.cpu_count()} CPUs; "
        f"load average {os.getloadavg()[0]:.2f}; sweep at {now}, batches of "
        f"{BATCH.get('limit', clock.EXPIRY_BATCH)}"
    )

    population = {}
    for size in (SMALL, LARGE):
        with on_database(DATABASES[size]):
            start = time.perf_counter()
            organ = Organ.objects.order_by("pk").first()
            assert organ is not None
            person_id = make_persons()
            populate(1, size, now=now, organ_id=organ.pk, person_id=person_id)
            mark_due(now)
            vacuum(NOTIFICATION, EVENT, ENTRY, PERSON, "bench_due")
            population[size] = time.perf_counter() - start
            print(f"{size:,} notifications written in {population[size]:.1f} s; {table_sizes()}")
            plans = explain(now)
            restore(now)
            check_plans(plans, total=size, show=size == LARGE)

    sweeps = report_sweeps(measure_sweeps(now, arguments.runs, DATABASES))
    with on_database(DATABASES[LARGE]):
        print(f"where one sweep's time goes ({LARGE:,} total, {DUE:,} due):")
        for label, count, elapsed in breakdown(now):
            print(f"    {elapsed * 1000:8.1f} ms  {count:3d} x  {label}")
        restore(now)

        bare, available = measure_available(arguments.notify)
    results = {
        "sweep_ratio_to_bare": round(sweeps["ratio_wall"], 3),
        "sweep_growth_ratio": round(sweeps["growth_wall"], 3),
        "available_ratio_to_bare": round(available["per_s"] / bare["per_s"], 3),
        "sweep_ms": round(sweeps["sweep_ms"], 1),
        "bare_update_ms": round(sweeps["bare_ms"], 1),
        "sweep_ratio_to_bare_cpu": round(sweeps["ratio_cpu"], 3),
        "sweep_growth_ratio_cpu": round(sweeps["growth_cpu"], 3),
        "bare_growth_ratio": round(sweeps["bare_growth_wall"], 3),
        "available_per_s": round(available["per_s"], 2),
        "available_p95_ms": round(available["p95_ms"], 1),
        "population_1m_s": round(population[LARGE], 1),
    }
    print(
        f"targets: sweep / bare {results['sweep_ratio_to_bare']} (<= 2.0), growth "
        f"{results['sweep_growth_ratio']} (<= 1.3), available / bare "
        f"{results['available_ratio_to_bare']} (>= 0.6)"
    )
    return results


if __name__ == "__main__":
    main()
