"""Registry rules (art. 33): numbers, instants, receipts, exits, non-admission, interruptions."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from registre import services
from registre.models import EntryTransition, RegistryEntry
from seu.models import Interruption
from tests.conftest import pdfsig
from tests.registre.conftest import local

pytestmark = pytest.mark.django_db


def test_an_entry_gets_a_number_and_a_sealed_receipt(file_entry, nss_db, tmp_path: Path) -> None:
    entry = file_entry(local(2026, 11, 23, 10, 15, 30))
    assert entry.number == "E/2026/000001"
    assert entry.effective_at == entry.presented_at
    assert entry.receipt is not None and entry.receipt.kind == "receipt"
    pdf = entry.receipt.current_version().blob.read()
    assert "Signature is Valid." in pdfsig(pdf, nss_db, tmp_path)
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    text = " ".join(text.split())  # a long date may wrap in the receipt's table
    instant = "23 de novembre de 2026, 10:15:30 (UTC+01:00)"
    for expected in ("E/2026/000001", instant, "12345678Z", "Secretaria", "33.f"):
        assert expected in text
    assert "Data i hora d'entrada" not in text  # a working day: one instant only
    # The number is printed inside the registry stamp's box (top right of the first page), and
    # the seal covers it: it was stamped in the same incremental update as the seal.
    box = ["-f", "1", "-l", "1", "-x", "375", "-y", "55", "-W", "175", "-H", "60"]
    stamp = subprocess.run(
        ["pdftotext", *box, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout.split()
    assert stamp == ["Número", "de", "registre", "E/2026/000001"]
    assert "Total document signed" in pdfsig(pdf, nss_db, tmp_path)


def test_numbers_follow_each_other_per_book_and_year(file_entry, organ) -> None:
    numbers = [file_entry(local(2026, 11, 23, 10, m)).number for m in range(3)]
    exit_ = services.register_exit(
        organ=organ,
        addressee="Maria",
        subject="Resposta",
        acting_user=None,
        now=local(2026, 11, 23, 11, 0),
    )
    assert numbers == ["E/2026/000001", "E/2026/000002", "E/2026/000003"]
    assert exit_.number == "S/2026/000001"


def test_a_sunday_filing_counts_from_monday_and_keeps_both_instants(
    file_entry, tmp_path: Path
) -> None:
    sunday = local(2026, 11, 22, 18, 30, 5)
    entry = file_entry(sunday)
    assert entry.presented_at == sunday
    assert entry.effective_at == local(2026, 11, 23, 0, 0, 1)
    path = tmp_path / "r.pdf"
    path.write_bytes(entry.receipt.current_version().blob.read())
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    text = " ".join(text.split())  # a long date may wrap in the receipt's table
    assert "22 de novembre de 2026, 18:30:05 (UTC+01:00)" in text
    assert "23 de novembre de 2026, 00:00:01 (UTC+01:00)" in text
    assert "33.h" in text


def test_non_working_day_entries_keep_their_order_before_the_next_days(file_entry) -> None:
    saturday = file_entry(local(2026, 11, 21, 9, 0))
    sunday = file_entry(local(2026, 11, 22, 23, 59))
    monday = file_entry(local(2026, 11, 23, 0, 0, 2))
    book = list(RegistryEntry.objects.order_by("effective_at", "sequence"))
    assert book == [saturday, sunday, monday]
    assert saturday.sequence < sunday.sequence < monday.sequence
    assert saturday.effective_at == sunday.effective_at == local(2026, 11, 23, 0, 0, 1)


def test_the_year_restarts_by_the_effective_date(file_entry) -> None:
    # 31 December 2027 is a Friday (working); 1 January 2028 a holiday, then a weekend.
    last = file_entry(local(2027, 12, 31, 23, 59, 59))
    first = file_entry(local(2028, 1, 1, 0, 0, 0))
    assert last.number == "E/2027/000001"
    assert first.number == "E/2028/000001"
    assert first.effective_at == local(2028, 1, 3, 0, 0, 1)


def test_an_exit_made_on_a_weekend_waits_for_monday(organ, town_hall) -> None:
    saturday = local(2026, 11, 21, 12, 0)
    exit_ = services.register_exit(
        organ=organ, addressee="Joan", subject="Notificació", acting_user=None, now=saturday
    )
    assert exit_.state == RegistryEntry.State.PENDING and exit_.number is None
    assert exit_.due_at == local(2026, 11, 23, 0, 0, 1)
    assert services.register_due_exits(now=local(2026, 11, 22, 12, 0)) == 0
    assert services.register_due_exits(now=local(2026, 11, 23, 0, 0, 1)) == 1
    assert services.register_due_exits(now=local(2026, 11, 23, 0, 5)) == 0  # once only
    exit_.refresh_from_db()
    assert exit_.number == "S/2026/000001"
    assert exit_.registered_at == local(2026, 11, 23, 0, 0, 1)
    assert list(exit_.transitions.values_list("to_state", flat=True)) == ["pending", "registered"]


def test_not_admitted_tells_why_and_where(file_entry, administrator) -> None:
    entry = file_entry(local(2026, 11, 23, 10, 0))
    services.mark_not_admitted(
        entry=entry,
        reason="No és competència municipal.",
        alternatives="Registre del Govern de les Illes Balears.",
        acting_user=administrator,
        now=local(2026, 11, 23, 11, 0),
    )
    entry.refresh_from_db()
    assert entry.state == RegistryEntry.State.NOT_ADMITTED
    last = EntryTransition.objects.filter(entry=entry).last()
    assert last is not None and last.actor == administrator and last.to_state == "not_admitted"
    with pytest.raises(services.InvalidTransition):
        services.mark_not_admitted(
            entry=entry, reason="x", alternatives="y", acting_user=administrator
        )


def test_an_interruption_says_so_and_registers_nothing(file_entry) -> None:
    Interruption.objects.create(
        scope=Interruption.Scope.REGISTRY,
        starts_at=local(2026, 11, 23, 8, 0),
        ends_at=local(2026, 11, 23, 12, 0),
        reason="Actualització",
        alternatives="Oficina d'Atenció a la Ciutadania",
    )
    with pytest.raises(services.RegistryInterrupted, match="Oficina d'Atenció"):
        file_entry(local(2026, 11, 23, 10, 0))
    assert not RegistryEntry.objects.exists()
    assert file_entry(local(2026, 11, 23, 12, 0)).number == "E/2026/000001"


def test_a_failure_while_issuing_the_receipt_leaves_no_number(file_entry, monkeypatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise services.documents.rendering.RenderError("boom")

    monkeypatch.setattr(services.documents, "seal_rendered", broken)  # the number is taken
    with pytest.raises(services.documents.rendering.RenderError):
        file_entry(local(2026, 11, 23, 10, 0))
    assert not RegistryEntry.objects.exists()
    monkeypatch.undo()
    assert file_entry(local(2026, 11, 23, 10, 1)).number == "E/2026/000001"
