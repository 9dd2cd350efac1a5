#!/usr/bin/env python
"""Benchmark of procedures and case files (issue #15), on PostgreSQL.

100,000 case files over 10 organs (one procedure each, with the demo's form of minor works), each
with its registry entry, its opening link, one or two log rows and a document, written with
``INSERT ... SELECT generate_series`` (foreign-key triggers off, the secondary indexes built
afterwards). 60% are open, opened over the last 150 days, so an organ's queue filtered "due
within 10 days" has a backlog of a few thousand rows; the rest are resolved or closed. Then, in
the same run, each against its baseline, in turns (bare, real, bare, real...) after a warm-up:

(a) an organ's queue (``admin:expedients_expedient_changelist?organ=<pk>&dies=10``, 50 rows) as
    the organ's clerk, against a bare view reading the same 50 rows (the same scoped query) into a
    minimal template -> ``queue_ratio``;
(b) a case's back-office page (``admin:expedients_expedient_change``) against a bare view reading
    the same rows (the case with its procedure, version, organ, person and entry; its entries,
    documents, log, remedies and resolutions) -> ``case_ratio``;
(c) filing a procedure form (entry, case, sealed receipt listing the answers, the case number and
    the deadline) against a plain registry filing (entry, sealed receipt) of the same text, like
    with like: each from a draft saved beforehand, outside the time taken, so that neither pays
    for the form's typing step (``file_procedure`` of a procedure draft against
    ``registre.services.file_draft`` of a registry draft whose text holds the same answers, no
    file attached on either side) -> ``filing_ratio_to_registry``.

Pages are requested in this process through Django's test client: the whole middleware stack and
URL resolution, no network (the figure compares the work of the pages, not the server). The bare
views are added to the URLconf for the run. Throughputs are requests per second of the summed
request times; the queue's statement is printed with its plan (EXPLAIN ANALYZE), and each page's
number of queries (``BENCH_SHOW_QUERIES=1`` lists them).

    .venv/bin/python bench/expedients.py [--requests 300] [--filings 30] [--keep]

Uses its own PostgreSQL database, ``seu_bench_expedients`` (recreated, dropped at the end unless
``--keep``), files under var/bench-expedients and Redis database 12 (``REDIS_URL``). Targets:
``queue_ratio`` and ``case_ratio`` >= 0.5, ``filing_ratio_to_registry`` >= 0.8. The last line
printed is one JSON object with those three names first, then the figures behind them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import percentile, prepare_django, recreate_database  # noqa: E402

LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432"
BENCH_DATABASE = "seu_bench_expedients"
VAR_DIR = ROOT / "var" / "bench-expedients"
os.environ["SEU_VAR_DIR"] = str(VAR_DIR)
os.environ["DATABASE_URL"] = f"{LOCAL_POSTGRES}/{BENCH_DATABASE}"
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/12")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seu.settings")
os.environ.setdefault("LOG_LEVEL", "ERROR")
os.environ["DEBUG"] = "0"  # DEBUG keeps every query in memory: not what production does

CASES = 100_000
ORGANS = 10
PERSONS = 1_000
CHUNK = 25_000
DUE_WITHIN = 10
HOST = "127.0.0.1"  # in ALLOWED_HOSTS outside production

ENTRY = "registre_registryentry"
PERSON = "seu_person"
CASE = "expedients_expedient"
LINK = "expedients_expediententry"
LOG = "expedients_expedienttransition"
DOCUMENT = "expedients_expedientdocument"
COUNTER = "expedients_expedientcounter"
TABLES = (ENTRY, CASE, LINK, LOG, DOCUMENT)


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


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


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


def make_procedures() -> list[tuple[int, int, int, str]]:
    """Ten organs (the demo's and more) with a procedure each, its form the demo's minor works':
    ``(organ id, procedure id, version id, code)``."""
    from devtools.demo_expedients import OBRES_FORM
    from expedients import services
    from expedients.models import Procedure, SilenceEffect
    from seu.models import Organ

    organs = list(Organ.objects.order_by("pk"))
    for number in range(len(organs), ORGANS):
        organs.append(Organ.objects.create(code=f"bench-{number}", name=f"Àrea de prova {number}"))
    made = []
    for number, organ in enumerate(organs[:ORGANS]):
        procedure = Procedure.objects.create(
            code=f"B{number}",
            name=f"Comunicació prèvia de prova {number}",
            topic="Urbanisme",
            organ=organ,
            resolution_period=3,
            resolution_period_unit="months",
            silence_effect=SilenceEffect.POSITIVE,
        )
        version = services.publish_version(procedure=procedure, form=OBRES_FORM, acting_user=None)
        made.append((organ.pk, procedure.pk, version.pk, procedure.code))
    return made


# The answers every case file holds: the demo's minor works, as filed.
ANSWERS = {
    "adreca_obra": "Carrer de Ses Cases Noves, 12, Son Carrió",
    "referencia_cadastral": "9872023VH5797S0001WX",
    "tipus_obra": "cuina_bany",
    "descripcio": "Substitució dels mobles i del revestiment de la cuina.",
    "pressupost": "8450",
    "inici": "2026-06-01",
    "durada_setmanes": "3",
    "ocupa_via_publica": False,
    "pressupost_detallat": {"declared": True},
    "declaracio_responsable": True,
}


def populate(
    *,
    now: dt.datetime,
    procedures: list[tuple[int, int, int, str]],
    person_id: int,
    blob: str,
) -> None:
    """CASES case files, each with its entry, link, log and document, in chunks."""
    from django.db import connection

    now_sql = f"timestamptz '{now.isoformat()}'"
    minute = "interval '1 minute'"
    organs = "ARRAY[" + ",".join(str(p[0]) for p in procedures) + "]"
    procedure_ids = "ARRAY[" + ",".join(str(p[1]) for p in procedures) + "]"
    versions = "ARRAY[" + ",".join(str(p[2]) for p in procedures) + "]"
    codes = "ARRAY[" + ",".join(_literal(p[3]) for p in procedures) + "]"
    # Row g: organ g % 10; state by (g / 10) % 20: 60% open (in process, opened, waiting for a
    # remedy, remedied), then resolved, closed, withdrawn. Open ones came in over the last 150
    # days, the others over the 600 days before.
    state = """CASE WHEN s < 6 OR s = 11 THEN 'in_process' WHEN s < 9 THEN 'opened'
                    WHEN s = 9 THEN 'remedy' WHEN s = 10 THEN 'remedied'
                    WHEN s < 15 THEN 'resolved' WHEN s < 19 THEN 'closed' ELSE 'withdrawn' END"""
    effective = f"""CASE WHEN s < 12 THEN {now_sql} - ((g * 7919) % 216000) * {minute}
                    ELSE {now_sql} - 150 * interval '1 day' - ((g * 7919) % 864000) * {minute}
                    END"""
    source = f"""FROM (SELECT *, {state} AS state,
                         (effective AT TIME ZONE 'Europe/Madrid')::date AS local_day
                  FROM (SELECT *, {effective} AS effective FROM (
                        SELECT g, 1 + g % {ORGANS} AS k, (g / {ORGANS}) % 20 AS s,
                               g % {PERSONS} AS p
                        FROM generate_series(__FIRST__, __LAST__) AS g) AS a) AS b) AS src"""  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        entries = _insert_select(
            cursor,
            ENTRY,
            {
                "direction": "'in'",
                "channel": "'electronic'",
                "state": "'registered'",
                "number": "'E/2000/' || lpad(g::text, 7, '0')",
                "year": "2000",
                "sequence": "g",
                "presented_at": "effective",
                "effective_at": "effective",
                "registered_at": "effective",
                "organ_id": f"({organs})[k]",
                "interested_id": f"{person_id} + p",
                "interested_nif": "lpad((90000000 + p)::text, 8, '0') || "
                "substr('TRWAGMYFPDXBNJZSQVHLCKE', 1 + (90000000 + p) % 23, 1)",
                "interested_kind": "'natural'",
                "interested_given_name": "'Persona'",
                "interested_surnames": "'De Prova ' || p",
                "contact_email": "'persona' || p || '@exemple.cat'",
                "subject": "'Comunicació prèvia de prova ' || (k - 1)",
                "language": "'ca'",
            },
            source + " RETURNING id, sequence, effective_at, organ_id, interested_id",
        )
        cases = _insert_select(
            cursor,
            CASE,
            {
                "number": f"({codes})[k] || '/' || extract(year FROM local_day)::int || '/' || g",
                "year": "extract(year FROM local_day)::int",
                "sequence": "g",
                "eni_identifier": "'ES_L01070570_' || extract(year FROM local_day)::int "
                "|| '_EXP_' || lpad(g::text, 30, '0')",
                "public_id": "gen_random_uuid()",
                "procedure_id": f"({procedure_ids})[k]",
                "version_id": f"({versions})[k]",
                "organ_id": f"({organs})[k]",
                "state": "state",
                "subject": "'Comunicació prèvia de prova ' || (k - 1)",
                "interested_id": f"{person_id} + p",
                "opening_entry_id": "entries.id",
                "effective_at": "effective",
                "opened_at": "effective",
                "answers": _literal(json.dumps(ANSWERS)) + "::jsonb",
                "language": "'ca'",
                "base_deadline": "(local_day + interval '3 months')::date",
                "suspended_days": "0",
                "suspended_since": "CASE state WHEN 'remedy' THEN local_day + 20 END",
                "deadline": "(local_day + interval '3 months')::date",
                "resolved_at": "CASE WHEN s >= 12 THEN effective + interval '40 days' END",
                "closed_at": "CASE WHEN s BETWEEN 15 AND 18 "
                "THEN effective + interval '60 days' END",
            },
            source.replace("AS src", "AS src JOIN entries ON entries.sequence = src.g")
            + " RETURNING id, opening_entry_id, effective_at, organ_id, state",
        )
        links = _insert_select(
            cursor,
            LINK,
            {
                "expedient_id": "id",
                "entry_id": "opening_entry_id",
                "role": "'opening'",
                "added_at": "effective_at",
            },
            "FROM cases",
        )
        opened = _insert_select(
            cursor,
            LOG,
            {
                "expedient_id": "id",
                "organ_id": "organ_id",
                "from_state": "''",
                "to_state": "'opened'",
                "at": "effective_at",
                "step": "'opened'",
                "public": "true",
                "reason": "''",
            },
            "FROM cases",
        )
        moved = _insert_select(
            cursor,
            LOG,
            {
                "expedient_id": "id",
                "organ_id": "organ_id",
                "from_state": "'opened'",
                "to_state": "state",
                "at": "effective_at + interval '2 days'",
                "step": "''",
                "public": "true",
                "reason": "''",
            },
            "FROM cases WHERE state <> 'opened'",
        )
        documents = _insert_select(
            cursor,
            DOCUMENT,
            {
                "expedient_id": "id",
                "position": "1",
                "title": "'pressupost-detallat.pdf'",
                "blob_id": _literal(blob),
                "content_type": "'application/pdf'",
                "entry_id": "opening_entry_id",
                "origin": "0",
                "elaboration": "'EE01'",
                "document_type": "'TD99'",
                "captured_at": "effective_at",
                "public": "true",
            },
            "FROM cases",
        )
        # The indexes that back no constraint are built again afterwards.
        cursor.execute(
            """SELECT indexname, indexdef FROM pg_indexes AS i
               WHERE tablename = ANY(%s) AND NOT EXISTS (
                   SELECT FROM pg_constraint WHERE conname = i.indexname)""",
            [list(TABLES)],
        )
        secondary = cursor.fetchall()
        for name, _definition in secondary:
            cursor.execute(f'DROP INDEX "{name}"')
        for start in range(1, CASES + 1, CHUNK):
            # No parameters: the expressions use "%" as the modulo operator.
            last = min(CASES, start + CHUNK - 1)
            bounds = {"__FIRST__": str(start), "__LAST__": str(last)}
            chunk = {}
            for name, sql in (("entries", entries), ("cases", cases)):
                for key, value in bounds.items():
                    sql = sql.replace(key, value)
                chunk[name] = sql
            cursor.execute(
                f"WITH entries AS ({chunk['entries']}), cases AS ({chunk['cases']}), "
                f"links AS ({links}), opened AS ({opened}), moved AS ({moved}) {documents}"
            )
        cursor.execute("SET maintenance_work_mem = '256MB'")
        for _name, definition in secondary:
            cursor.execute(definition)
        cursor.execute("RESET maintenance_work_mem")
        # The case books' counters, as the filings would have left them.
        cursor.execute(
            f"""INSERT INTO {COUNTER} (procedure_code, year, last_number)
                SELECT p.code, e.year, max(e.sequence) FROM {CASE} AS e
                JOIN expedients_procedure AS p ON p.id = e.procedure_id
                GROUP BY p.code, e.year"""  # noqa: S608
        )
        cursor.execute("SET session_replication_role = DEFAULT")
        for table in (*TABLES, PERSON, COUNTER):
            cursor.execute(f"VACUUM ANALYZE {table}")


# --- Pages -----------------------------------------------------------------------------------

# The columns a queue row shows: the case's, its procedure's code and name, its person's (as
# ``expedients.backoffice.queue.ROW_FIELDS``, with the name's columns).
ROW_FIELDS = (
    "number",
    "state",
    "effective_at",
    "deadline",
    "suspended_since",
    "organ_id",
    "procedure_id",
    "interested_id",
    "procedure__code",
    # The name has a column per language (modeltranslation): without them, each row would load
    # its procedure's name with a query of its own.
    "procedure__name_ca",
    "procedure__name_es",
    "procedure__name_en",
    "interested__nif",
    "interested__kind",
    "interested__given_name",
    "interested__surnames",
    "interested__legal_name",
)

BARE_QUEUE = """<!doctype html><title>Cua</title><table>
{% for case in rows %}<tr><td>{{ case.number }}</td><td>{{ case.procedure.name }}</td>
<td>{{ case.interested.given_name }} {{ case.interested.surnames }} {{ case.interested.nif }}</td>
<td>{{ case.get_state_display }}</td><td>{{ case.effective_at }}</td><td>{{ case.deadline }}</td>
</tr>{% endfor %}</table>"""

BARE_CASE = """<!doctype html><title>{{ case.number }}</title><h1>{{ case.number }}</h1>
<p>{{ case.procedure.name }} ({{ case.version.number }}), {{ case.organ.name }},
{{ case.interested.given_name }} {{ case.interested.surnames }}, {{ case.get_state_display }},
{{ case.deadline }}, {{ case.opening_entry.number }}</p>
<dl>{% for key, value in case.answers.items %}<dt>{{ key }}</dt><dd>{{ value }}</dd>
{% endfor %}</dl>
<ul>{% for link in entries %}<li>{{ link.entry.number }} {{ link.role }} {{ link.added_at }}</li>
{% endfor %}</ul>
<ul>{% for item in documents %}<li>{{ item.position }} {{ item.title }}</li>{% endfor %}</ul>
<ul>{% for row in log %}<li>{{ row.at }} {{ row.from_state }} {{ row.to_state }} {{ row.step }}
</li>{% endfor %}</ul>
<ul>{% for remedy in remedies %}<li>{{ remedy.text }}</li>{% endfor %}
{% for resolution in resolutions %}<li>{{ resolution.kind }}</li>{% endfor %}</ul>"""


def bare_queue(request: Any) -> Any:
    """The queue's 50 rows, by the same scoped query, into a minimal template."""
    from django.http import HttpResponse
    from django.template import Context, Engine

    from expedients.models import OPEN_STATES, Expedient
    from seu import calendar, staff

    today = calendar.to_local(calendar.now()).date()
    rows = list(
        staff.scoped_to_staff(Expedient.objects.all(), request.user)
        .filter(
            organ_id=int(request.GET["organ"]),
            state__in=list(OPEN_STATES),
            deadline__lte=today + dt.timedelta(days=int(request.GET["dies"])),
        )
        .order_by("effective_at", "pk")
        .select_related("procedure", "interested")
        .only(*ROW_FIELDS)[:51]
    )
    template = Engine.get_default().from_string(BARE_QUEUE)
    return HttpResponse(template.render(Context({"rows": rows[:50]})))


def bare_case(request: Any, pk: int) -> Any:
    """The case's rows, looked up among the user's organs', into a minimal template."""
    from django.http import HttpResponse
    from django.shortcuts import get_object_or_404
    from django.template import Context, Engine

    from expedients.models import Expedient
    from seu import staff

    case = get_object_or_404(
        staff.scoped_to_staff(Expedient.objects.all(), request.user).select_related(
            "procedure", "version", "organ", "interested", "representative", "opening_entry"
        ),
        pk=pk,
    )
    context = {
        "case": case,
        "entries": list(case.entries.select_related("entry").order_by("added_at", "pk")),
        "documents": list(case.documents.order_by("position")),
        "log": list(case.transitions.order_by("at", "pk")),
        "remedies": list(case.remedies.order_by("requested_at", "pk")),
        "resolutions": list(case.resolutions.order_by("drafted_at")),
    }
    template = Engine.get_default().from_string(BARE_CASE)
    return HttpResponse(template.render(Context(context)))


def add_bare_views() -> None:
    """The bare views in the URLconf for this run, under the same middleware as the pages."""
    from django.urls import clear_url_caches, path

    from seu import urls

    urls.urlpatterns[:0] = [
        path("bench/cua/", bare_queue),
        path("bench/expedient/<int:pk>/", bare_case),
    ]
    clear_url_caches()


def make_clerk(organ_id: int) -> Any:
    """A clerk of the organ with the back-office's permissions on case files, logged in past the
    second factor (as ``tests.conftest.log_in_to_back_office`` does)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from seu import staff
    from seu.identity.staff_auth import enrol_totp_device
    from seu.models import Organ, StaffRole

    user = get_user_model().objects.create_user(username="bench-tramitador", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label__in=["expedients", "registre"])
    )
    staff.grant_membership(
        user=user, organ=Organ.objects.get(pk=organ_id), role=StaffRole.CLERK, acting_user=None
    )
    user = get_user_model().objects.get(pk=user.pk)
    device = enrol_totp_device(user)
    client = Client(HTTP_HOST=HOST)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@contextmanager
def captured() -> Iterator[list[tuple[str, Any, float]]]:
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


def get(client: Any, url: str) -> Any:
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"GET {url}: {response.status_code}")
    return response


def in_turns(client: Any, real: str, bare: str, count: int) -> tuple[list[float], list[float]]:
    """``count`` requests of each, alternating (which goes first alternates too), after a
    warm-up: a burst of load from other processes weighs on both alike."""
    for _ in range(10):
        get(client, real)
        get(client, bare)
    samples: dict[str, list[float]] = {real: [], bare: []}
    for i in range(count):
        for url in (real, bare) if i % 2 else (bare, real):
            start = time.perf_counter()
            get(client, url)
            samples[url].append(time.perf_counter() - start)
    return samples[real], samples[bare]


def summary(name: str, samples: list[float]) -> dict[str, float]:
    figures = {
        "per_s": len(samples) / sum(samples),
        "p50_ms": percentile(samples, 0.5) * 1000,
        "p95_ms": percentile(samples, 0.95) * 1000,
    }
    print(
        f"{name:<46} {figures['per_s']:8.1f}/s   p50 {figures['p50_ms']:7.1f} ms"
        f"   p95 {figures['p95_ms']:7.1f} ms   (n={len(samples)})"
    )
    return figures


def queries_of(client: Any, url: str) -> tuple[int, float, list[tuple[str, Any, float]]]:
    with captured() as statements:
        get(client, url)
    return len(statements), sum(s[2] for s in statements) * 1000, statements


def explain_queue(statements: list[tuple[str, Any, float]]) -> None:
    """The plan of the page's statement that reads the queue's rows."""
    from django.db import connection

    reading = [
        (sql, params)
        for sql, params, _elapsed in statements
        if f'FROM "{CASE}"' in sql and "LIMIT" in sql
    ]
    if not reading:
        print("(no statement of the queue page reads the case files with a LIMIT)")
        return
    sql, params = reading[0]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {sql}", params)
        plan = [row[0] for row in cursor.fetchall()]
    print(f"queue statement: {' '.join(sql.split())[:400]}...")
    for line in plan:
        print(f"    {line}")


def measure_pages(organ_id: int, count: int) -> tuple[dict[str, dict[str, float]], dict[str, Any]]:
    from django.urls import reverse

    from expedients.models import Expedient

    client = make_clerk(organ_id)
    add_bare_views()
    queue = (
        reverse("admin:expedients_expedient_changelist") + f"?organ={organ_id}&dies={DUE_WITHIN}"
    )
    bare_queue_url = f"/bench/cua/?organ={organ_id}&dies={DUE_WITHIN}"
    # A case in process of the organ, from the middle of its queue.
    case = (
        Expedient.objects.filter(organ_id=organ_id, state="in_process")
        .order_by("effective_at", "pk")
        .values_list("pk", "number")[3000]
    )
    case_url = reverse("admin:expedients_expedient_change", args=[case[0]])
    bare_case_url = f"/bench/expedient/{case[0]}/"

    facts: dict[str, Any] = {}
    page = get(client, queue).content.decode()
    bare_page = get(client, bare_queue_url).content.decode()
    shown = bare_page.count("<tr>")
    first = bare_page.split("<td>", 2)[1].split("<", 1)[0]
    if shown != 50 or first not in page:
        raise SystemExit(f"the bare queue shows {shown} rows, the page lacks its first ({first})")
    if case[1] not in get(client, case_url).content.decode():
        raise SystemExit(f"the case page does not show {case[1]}")
    for name, url in (
        ("queue", queue),
        ("bare_queue", bare_queue_url),
        ("case", case_url),
        ("bare_case", bare_case_url),
    ):
        number, sql_ms, statements = queries_of(client, url)
        facts[f"{name}_queries"] = number
        facts[f"{name}_sql_ms"] = round(sql_ms, 2)
        print(f"{name:<11} {number:3d} queries, {sql_ms:6.1f} ms in the database  ({url})")
        if os.environ.get("BENCH_SHOW_QUERIES"):
            for sql, _params, elapsed in statements:
                print(f"    {elapsed * 1000:6.2f} ms  {' '.join(sql.split())[:230]}")
        if name == "queue":
            explain_queue(statements)

    figures: dict[str, dict[str, float]] = {}
    real, bare = in_turns(client, queue, bare_queue_url, count)
    figures["queue"] = summary("queue page (50 rows, due within 10 days)", real)
    figures["bare_queue"] = summary("  bare view, same rows", bare)
    real, bare = in_turns(client, case_url, bare_case_url, count)
    figures["case"] = summary(f"case page ({case[1]})", real)
    figures["bare_case"] = summary("  bare view, same rows", bare)
    return figures, facts


# --- Filing ----------------------------------------------------------------------------------

# What a person types in the demo's minor works form (as the web form sends it).
TYPED = {
    "adreca_obra": "Carrer de Ses Cases Noves, 12, Son Carrió",
    "referencia_cadastral": "9872023VH5797S0001WX",
    "tipus_obra": "cuina_bany",
    "descripcio": "Substitució dels mobles i del revestiment de la cuina.",
    "pressupost": "8.450,00",
    "inici": "2026-06-01",
    "durada_setmanes": "3",
    "ocupa_via_publica": "no",
    "pressupost_detallat__declared": "on",
    "declaracio_responsable": "on",
}


def measure_filing(count: int) -> tuple[dict[str, float], dict[str, float]]:
    """Filing a saved draft of the demo's minor works form (``file_procedure``) and filing a
    saved registry draft of the same text (``registre.services.file_draft``), in turns, after a
    warm-up. Each draft is saved just before it is filed, outside the time taken: neither side
    pays for checking what was typed, both pay for locking their draft, the filing's hook and
    marking the draft filed."""
    from expedients import formdef, services
    from expedients.models import Expedient, State
    from registre import services as registry
    from seu import calendar, identity, people
    from seu.models import Identification, LoA

    procedure = services.procedure_for_filing("OBRES")
    person = identity.PersonData(nif="12345678Z", given_name="Maria", surnames="Garcia Ferrer")
    identification = identity.record_identification(
        person=person,
        method=Identification.Method.CLAVE,
        loa=LoA.SUBSTANTIAL,
        evidence=identity.Evidence(provider="Cl@ve", saml_assertion_id="_bench"),
    )
    contact = people.ContactDetails(email="maria@exemple.cat")
    definition = procedure.current_version.form  # type: ignore[union-attr]
    typed = formdef.build_form(definition, data=TYPED, language="ca")
    assert typed.is_valid(), typed.errors
    # The registry draft says in its text what the form's answers say, line by line; neither
    # has a file attached (the form's budget is declared, to be brought later).
    shown = formdef.display_answers(definition, formdef.cleaned_answers(typed), language="ca")
    exposition = "\n".join(f"{line['label']}: {line['value']}" for line in shown)

    def procedure_draft() -> object:
        result = services.save_procedure_draft(
            identification=identification,
            procedure=procedure,
            draft=None,
            data=TYPED,
            files={},
            contact=contact,
            language="ca",
        )
        assert result.is_valid, result.form.errors
        return result.draft.public_id

    def procedure_filing(public_id: object) -> None:
        case = services.file_procedure(
            identification=identification,
            public_id=public_id,
            presented_at=calendar.now(),
            language="ca",
        )
        assert case.state == State.OPENED and case.opening_entry.receipt_id is not None

    def registry_draft() -> object:
        draft, refused = registry.save_draft(
            identification=identification,
            draft=None,
            organ=procedure.organ,
            subject=procedure.name,
            exposition=exposition,
            request="Que es tengui per presentada la comunicació prèvia.",
            uploads=[],
            contact=contact,
        )
        assert not refused and registry.draft_is_complete(draft)
        return draft.public_id

    def registry_filing(public_id: object) -> None:
        entry = registry.file_draft(
            identification=identification,
            public_id=public_id,
            presented_at=calendar.now(),
            language="ca",
        )
        assert entry.receipt_id is not None

    kinds: dict[str, tuple[Callable[[], object], Callable[[object], None]]] = {
        "procedure": (procedure_draft, procedure_filing),
        "registry": (registry_draft, registry_filing),
    }
    for _ in range(3):  # warm: renderers, the seal key, templates
        for save, file in kinds.values():
            file(save())
    samples: dict[str, list[float]] = {"procedure": [], "registry": []}
    for i in range(count):
        for name in ("procedure", "registry") if i % 2 else ("registry", "procedure"):
            save, file = kinds[name]
            public_id = save()
            start = time.perf_counter()
            file(public_id)
            samples[name].append(time.perf_counter() - start)
    assert Expedient.objects.filter(procedure=procedure).count() == count + 3
    filed = summary("procedure filing (saved draft: entry + case + receipt)", samples["procedure"])
    plain = summary("  registry filing (saved draft, same text)", samples["registry"])
    return filed, plain


# --- The run ---------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300, help="requests of each page")
    parser.add_argument("--filings", type=int, default=30, help="filings of each kind")
    parser.add_argument("--keep", action="store_true", help="leave the database for a look")
    arguments = parser.parse_args()

    load_before = f"{os.getloadavg()[0]:.2f}"
    recreate_database(BENCH_DATABASE)
    shutil.rmtree(VAR_DIR, ignore_errors=True)
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    try:
        results = run(arguments)
    finally:
        from django.db import connections

        from seu.celery import app as celery_app

        try:
            celery_app.control.purge()  # the timestamp and answers tasks nobody will run
        except Exception as error:  # a failed purge must not hide the run's own error
            print(f"could not purge the queue: {error}")
        connections.close_all()
        if not arguments.keep:
            from django.core.cache import cache

            cache.clear()  # this script's own Redis database
            import psycopg

            with psycopg.connect(f"{LOCAL_POSTGRES}/postgres", autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')
            shutil.rmtree(VAR_DIR, ignore_errors=True)
    print(f"load average before / after: {load_before} / {os.getloadavg()[0]:.2f}")
    print(json.dumps(results))


def run(arguments: argparse.Namespace) -> dict[str, Any]:
    prepare_django()  # the demo, its procedures included

    from documents.services import store_blob
    from seu import calendar

    now = calendar.now().replace(microsecond=0)
    print(
        f"PostgreSQL {BENCH_DATABASE}; {os.cpu_count()} CPUs; load average "
        f"{os.getloadavg()[0]:.2f}; {CASES:,} case files over {ORGANS} organs"
    )
    start = time.perf_counter()
    procedures = make_procedures()
    person_id = make_persons()
    blob = store_blob(b"%PDF-1.4\n% pressupost de prova\n%%EOF\n", "application/pdf")
    populate(now=now, procedures=procedures, person_id=person_id, blob=blob.sha256)
    population = time.perf_counter() - start
    print(f"{CASES:,} case files written in {population:.1f} s")

    filed, plain = measure_filing(arguments.filings)
    pages, facts = measure_pages(procedures[0][0], arguments.requests)

    results: dict[str, Any] = {
        "queue_ratio": round(pages["queue"]["per_s"] / pages["bare_queue"]["per_s"], 3),
        "case_ratio": round(pages["case"]["per_s"] / pages["bare_case"]["per_s"], 3),
        "filing_ratio_to_registry": round(filed["per_s"] / plain["per_s"], 3),
        "queue_per_s": round(pages["queue"]["per_s"], 1),
        "queue_p95_ms": round(pages["queue"]["p95_ms"], 1),
        "case_per_s": round(pages["case"]["per_s"], 1),
        "case_p95_ms": round(pages["case"]["p95_ms"], 1),
        "filing_per_s": round(filed["per_s"], 2),
        "filing_p95_ms": round(filed["p95_ms"], 1),
        "registry_per_s": round(plain["per_s"], 2),
        **facts,
        "population_s": round(population, 1),
    }
    print(
        f"targets: queue {results['queue_ratio']} (>= 0.5), case {results['case_ratio']} "
        f"(>= 0.5), filing / registry {results['filing_ratio_to_registry']} (>= 0.8)"
    )
    return results


if __name__ == "__main__":
    main()
