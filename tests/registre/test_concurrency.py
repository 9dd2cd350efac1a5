"""Gapless numbering under concurrency, and a submission killed midway (issue 4, acceptance).

Runs on PostgreSQL only: the guarantees under test are those of row locks held by concurrent
connections, and SQLite serialises whole transactions instead.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, connections

from documents import services as documents
from documents.models import Document
from registre import services
from registre.models import RegistryCounter, RegistryEntry
from seu.identity import PersonData

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason=(
            "concurrency acceptance runs on PostgreSQL only (set DATABASE_URL): it tests row "
            "locks taken by concurrent connections, which SQLite does not have"
        ),
    ),
]

# A working day, so that every entry counts in the same year's book.
MONDAY = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
PEOPLE = [
    PersonData(nif="12345678Z", given_name="Maria", surnames="Garcia Ferrer"),
    PersonData(nif="X1234567L", given_name="Joan", surnames="Pons Marti"),
    PersonData(nif="B12345674", legal_name="Forn Cardassar SL"),
]


def run_in_parallel(submitters: int, entries_each: int, submit: Callable[[int], None]) -> None:
    """``submitters`` threads, each with its own database connection, each filing
    ``entries_each`` entries; the first error of any thread fails the test."""
    start = threading.Barrier(submitters)

    def submitter(number: int) -> None:
        try:
            start.wait()
            for i in range(entries_each):
                submit(number * entries_each + i)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=submitters) as pool:
        for future in [pool.submit(submitter, n) for n in range(submitters)]:
            future.result()


def file_one(organ: Any, i: int) -> RegistryEntry:
    return services.register_entry(
        organ=organ,
        subject=f"Instància {i}",
        interested=PEOPLE[i % len(PEOPLE)],
        presented_at=MONDAY + dt.timedelta(microseconds=i),
    )


def _ignore(value: object) -> None:
    return None


def assert_gapless(count: int) -> list[RegistryEntry]:
    entries = list(RegistryEntry.objects.select_related("receipt").order_by("sequence"))
    assert len(entries) == count
    assert [e.sequence for e in entries] == list(range(1, count + 1))
    assert len({e.number for e in entries}) == count
    assert [e.number for e in entries] == [f"E/2026/{n:06d}" for n in range(1, count + 1)]
    assert RegistryCounter.objects.get(direction="in", year=2026).last_number == count
    # Each entry has its own receipt, and the receipt names the entry's number.
    assert len({e.receipt_id for e in entries}) == count
    assert all(e.receipt is not None and str(e.number) in e.receipt.title for e in entries)
    return entries


@pytest.fixture
def fast_receipts(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Receipts recorded as real ``Document`` rows, in the entry's transaction, with a stand-in
    PDF instead of WeasyPrint + the seal: for tests about numbers, not about receipts."""

    def issue_receipt(entry: RegistryEntry, *, acting_user: Any, **_: Any) -> Document:
        prepared = documents.PreparedDocument(
            csv=documents.verification_code.new_code(),
            sealed_pdf=f"%PDF-1.7 stand-in receipt of {entry.number}\n%%EOF\n".encode(),
            issued_at=entry.registered_at or MONDAY,
        )
        return documents.record_document(
            prepared=prepared,
            kind=Document.Kind.RECEIPT,
            title=f"Rebut de presentació {entry.number}",
            organ=entry.organ,
            language=entry.language,
            acting_user=acting_user,
        )

    monkeypatch.setattr(services, "_render_receipt", lambda entry, attachments: None)
    monkeypatch.setattr(services, "_issue_receipt", issue_receipt)
    yield


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "receipt.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_1000_entries_from_50_submitters_are_numbered_1_to_1000(
    transactional_db: None, town_hall: Any, organ: Any, tmp_path: Path
) -> None:
    """50 parallel submitters x 20 entries -> 1..1,000, no gap, no duplicate.

    The whole pipeline, as in production: 50 threads, each with its own PostgreSQL connection,
    call ``register_entry``, which renders the receipt, takes the number, writes the entry,
    prints the number on the receipt and seals and records it in one transaction. About a minute
    and a half on two cores (the rendering of 1,000 receipts), within the budget for the real
    pipeline, so no step is stubbed.
    """
    run_in_parallel(50, 20, lambda i: _ignore(file_one(organ, i)))
    entries = assert_gapless(1000)
    assert Document.objects.filter(kind=Document.Kind.RECEIPT).count() == 1000
    # The sealed receipt of an entry names that entry's number, not a neighbour's.
    for entry in (entries[0], entries[499], entries[-1]):
        assert entry.receipt is not None
        assert documents.verification_report(entry.receipt).unchanged_since_sealing
        text = pdf_text(entry.receipt.current_version().blob.read(), tmp_path)
        assert str(entry.number) in text


def test_failed_submissions_among_concurrent_ones_leave_no_gap(
    transactional_db: None, town_hall: Any, organ: Any, fast_receipts: None, monkeypatch: Any
) -> None:
    """Submissions that fail after taking their number (here: the receipt cannot be rendered),
    among concurrent ones that succeed: each failed number goes to a later entry, no gap.
    Stand-in receipts (``fast_receipts``): what matters is the rollback, not the PDF."""
    issue = services._issue_receipt

    def sometimes_broken(entry: RegistryEntry, *, acting_user: Any, **kwargs: Any) -> Document:
        if entry.subject.endswith(("0", "3", "6", "9")):
            raise services.documents.rendering.RenderError("boom")
        return issue(entry, acting_user=acting_user, **kwargs)

    monkeypatch.setattr(services, "_issue_receipt", sometimes_broken)
    failures: list[int] = []

    def submit(i: int) -> None:
        try:
            file_one(organ, i)
        except services.documents.rendering.RenderError:
            failures.append(i)

    run_in_parallel(20, 10, submit)
    assert len(failures) == sum(1 for i in range(200) if str(i)[-1] in "0369")
    assert_gapless(200 - len(failures))
    assert Document.objects.count() == 200 - len(failures)


@pytest.mark.parametrize("killed", ["after the number was taken", "after the receipt was sealed"])
def test_a_submission_killed_midway_leaves_neither_a_number_nor_a_receipt(
    transactional_db: None, town_hall: Any, organ: Any, monkeypatch: Any, killed: str
) -> None:
    """The database connection of a submission is terminated (``pg_terminate_backend``) in the
    middle of its transaction, at the hook named by ``killed``: the call fails, nothing of it
    remains, and the next entry gets the same number."""
    reached = threading.Event()
    terminated = threading.Event()
    backend: dict[str, Any] = {}

    def pause_here() -> None:
        backend["pid"] = connection.connection.info.backend_pid
        reached.set()
        assert terminated.wait(timeout=30), "the backend was never terminated"

    if killed == "after the number was taken":
        take_number = services._take_number

        def hooked_take_number(direction: str, year: int) -> int:
            number = take_number(direction, year)
            backend["number"] = number
            pause_here()
            return number

        monkeypatch.setattr(services, "_take_number", hooked_take_number)
    else:
        issue_receipt = services._issue_receipt

        def hooked_issue_receipt(
            entry: RegistryEntry, *, acting_user: Any, **kwargs: Any
        ) -> Document:
            receipt = issue_receipt(entry, acting_user=acting_user, **kwargs)
            backend["number"] = entry.sequence or 0
            backend["receipt"] = receipt.pk
            backend["csv"] = receipt.csv
            pause_here()
            return receipt

        monkeypatch.setattr(services, "_issue_receipt", hooked_issue_receipt)

    outcome: dict[str, BaseException | RegistryEntry] = {}

    def submission() -> None:
        try:
            outcome["result"] = file_one(organ, 0)
        except BaseException as exc:
            outcome["result"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=submission)
    thread.start()
    assert reached.wait(timeout=60), "the submission never reached the hook"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [backend["pid"]])
        assert cursor.fetchone() == (True,)
    terminated.set()
    thread.join(timeout=60)

    assert backend["number"] == 1
    assert isinstance(outcome["result"], Exception), outcome["result"]
    assert not RegistryEntry.objects.exists()
    assert not Document.objects.exists()
    assert not RegistryCounter.objects.filter(last_number__gt=0).exists()
    if "csv" in backend:
        assert not Document.objects.filter(csv=backend["csv"]).exists()

    monkeypatch.undo()
    following = file_one(organ, 1)
    assert following.number == "E/2026/000001"
    assert following.receipt is not None
