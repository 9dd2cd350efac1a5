"""Celery tasks of the registry: thin wrappers over ``registre.services``."""

from __future__ import annotations

from celery import shared_task

from registre import services


@shared_task(ignore_result=True)
def register_due_exits() -> int:
    """Exits made on a non-working day are registered when the next working day starts."""
    return services.register_due_exits()


@shared_task(ignore_result=True)
def purge_abandoned_drafts() -> int:
    return services.purge_abandoned_drafts()
