"""Celery tasks of the notice board: thin wrappers over the board's use cases, run by beat.

Each one looks the state up and does nothing when the work is done, so a duplicated or late beat
is harmless and a missed one is caught up by the next run (DESIGN "Background work")."""

from __future__ import annotations

from celery import shared_task

from tauler import availability, certificates, integrity, services


@shared_task(ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def publish_due_edicts() -> int:
    return services.publish_due_edicts()


@shared_task(ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def expire_due_edicts() -> int:
    return services.expire_due_edicts()


@shared_task(ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def certify_publications() -> int:
    return certificates.certify_publications()


@shared_task(ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def check_integrity() -> int:
    return integrity.check_integrity()


@shared_task(ignore_result=True)
def record_board_health() -> bool:
    from tauler import health

    return availability.record_board_health(probe=health.probe_board)
