"""The beat's schedule (DESIGN "Background work"): every entry sends a task that a worker runs. A
name the worker does not know would be sent every period and never run, and nothing would say so:
the legal deadlines it sweeps would pass unseen."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings

from seu.celery import app


def unknown_tasks(schedule: Mapping[str, Mapping[str, Any]], known: Iterable[str]) -> list[str]:
    """The entries of ``schedule`` whose task is not among ``known``."""
    names = set(known)
    return sorted(
        f"{key}: {entry['task']}" for key, entry in schedule.items() if entry["task"] not in names
    )


def test_every_scheduled_task_is_one_the_worker_runs() -> None:
    app.loader.import_default_modules()  # what a worker imports at start
    assert unknown_tasks(settings.CELERY_BEAT_SCHEDULE, app.tasks) == []


def test_a_schedule_entry_naming_a_task_that_does_not_exist_is_reported() -> None:
    app.loader.import_default_modules()
    schedule = {
        **settings.CELERY_BEAT_SCHEDULE,
        "typo": {"task": "documents.tasks.sweep_pending_timestamp", "schedule": 60.0},
    }
    assert unknown_tasks(schedule, app.tasks) == ["typo: documents.tasks.sweep_pending_timestamp"]
