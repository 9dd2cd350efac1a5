"""Gapless numbering per book and year (art. 33: registry numbers; edict numbers; case numbers).

The counter is a row with the book's key columns and ``last_number``. One
``UPDATE … SET last_number = last_number + 1 … RETURNING last_number`` both locks the row and takes
the number: the lock lasts until the caller's transaction ends, so numbers are unique and gapless
under any concurrency, and a rollback gives the number back. The row of a new book is created once.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, models, transaction


def take_number(counter_model: type[models.Model], **book: Any) -> int:
    """The next number of the book ``book`` (e.g. ``direction="in", year=2026``) of
    ``counter_model``, which has those columns (unique together) and ``last_number``. Must run
    inside the transaction that writes what the number is given to."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("take_number outside a transaction would leak its number")
    quote = connection.ops.quote_name
    table = quote(counter_model._meta.db_table)
    columns = []
    for name in book:
        field = counter_model._meta.get_field(name)
        assert isinstance(field, models.Field)
        columns.append(str(field.column))
    where = " AND ".join(f"{quote(column)} = %s" for column in columns)
    sql = (
        f"UPDATE {table} SET last_number = last_number + 1 "  # noqa: S608 (our own identifiers)
        f"WHERE {where} RETURNING last_number"
    )
    for _attempt in range(2):
        with connection.cursor() as cursor:
            cursor.execute(sql, list(book.values()))
            row = cursor.fetchone()
        if row is not None:
            return int(row[0])
        counter_model._default_manager.bulk_create([counter_model(**book)], ignore_conflicts=True)
    raise RuntimeError(f"no counter row for {counter_model.__name__} {book}")
