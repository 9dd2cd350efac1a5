"""The timestamp runs on a real Celery worker (Redis in CI), is idempotent, and a document whose
TSA call failed is picked up later by the periodic sweep."""

from __future__ import annotations

import datetime as dt

import pytest

from documents import tasks
from documents.models import Document
from tests.conftest import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _state(document: Document) -> Document:
    document.refresh_from_db()
    return document


def test_the_worker_timestamps_an_issued_document_once(issue, celery_worker_process, tsa) -> None:
    first = issue()
    # Duplicated deliveries of the same task (a redelivery after a lost ack) change nothing.
    tasks.timestamp_document.delay(first.pk)
    tasks.timestamp_document.delay(first.pk)
    second = issue()  # queued after the duplicates: a single solo worker takes them in order
    assert wait_for(lambda: _state(second).timestamp_state == Document.TimestampState.DONE)
    assert _state(first).timestamp_state == Document.TimestampState.DONE
    assert list(first.versions.values_list("stage", flat=True).order_by("number")) == [
        "sealed",
        "timestamped",
    ]


def test_the_sweep_catches_up_on_a_failed_timestamp(issue, celery_worker_process, tsa) -> None:
    tsa.tsa_failures_left = 1
    document = issue()
    assert wait_for(lambda: _state(document).timestamp_attempts == 1)
    assert document.timestamp_state == Document.TimestampState.PENDING
    # Time passes beyond the back-off; the beat's sweep runs on the worker.
    Document.objects.filter(pk=document.pk).update(
        timestamp_due_at=document.timestamp_due_at - dt.timedelta(hours=1)
    )
    tasks.sweep_pending_timestamps.delay()
    assert wait_for(lambda: _state(document).timestamp_state == Document.TimestampState.DONE)
    assert document.versions.count() == 2
