"""How beat sweeps take their due rows (DESIGN "Background work").

``claim_due`` locks up to ``limit`` due rows with ``SELECT … FOR UPDATE SKIP LOCKED``: a second
sweeper running at the same time takes other rows (or none) instead of waiting and acting twice.
The caller then changes each row's state conditionally (``Workflow.move``), so a row whose state
changed since it was read is left alone even where the lock is a no-op (SQLite). A missed beat is
caught up by the next run: due means "deadline passed", never "deadline is now".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import models, transaction

M = TypeVar("M", bound=models.Model)


def claim_due(
    queryset: models.QuerySet[M],
    *,
    limit: int,
    order_by: Sequence[Any] | None = None,
    of: Sequence[str] = ("self",),
) -> list[M]:
    """Lock and return up to ``limit`` rows of ``queryset`` (already filtered to what is due, on
    an indexed deadline column) in ``order_by`` order (or the queryset's own), skipping rows
    another transaction holds. Call it inside the transaction that acts on the rows."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("claim_due outside a transaction would release its locks at once")
    if order_by is not None:
        queryset = queryset.order_by(*order_by)
    elif not queryset.ordered:
        raise ValueError("claim_due needs an order: the oldest due rows go first")
    return list(queryset.select_for_update(skip_locked=True, of=tuple(of))[:limit])


def claim_one(queryset: models.QuerySet[M], *, of: Sequence[str] = ("self",)) -> M | None:
    """The row of ``queryset`` (one row: by id, with the state it must still be in), locked, or
    None if another transaction holds it or it is no longer in that state: a task run twice, or
    by two workers, does its work once."""
    found = claim_due(queryset, limit=1, order_by=["pk"], of=of)
    return found[0] if found else None


def sweep_each(
    due: models.QuerySet[M],
    act: Callable[[M], object],
    *,
    order_by: Sequence[Any],
    limit: int,
    of: Sequence[str] = ("self",),
) -> int:
    """Act on up to ``limit`` rows of ``due`` (filtered to what is due), each claimed in a
    transaction of its own: for work that takes a while per row (sealing a document), where one
    failure must not undo the others. The ids are read first without a lock; each claim asks
    again whether the row is still due and skips one another sweeper holds. Returns how many rows
    ``act`` said it did (a truthy return)."""
    ids = list(due.order_by(*order_by).values_list("pk", flat=True)[:limit])
    done = 0
    for pk in ids:
        with transaction.atomic():
            row = claim_one(due.filter(pk=pk), of=of)
            if row is not None and act(row):
                done += 1
    return done
