"""Celery tasks of the accreditation office: thin wrappers over ``cites.services``."""

from __future__ import annotations

from celery import shared_task

from cites import services


@shared_task(ignore_result=True)
def release_unconfirmed() -> int:
    """Places not confirmed in time go back to the availability."""
    return services.release_unconfirmed()


@shared_task(ignore_result=True)
def send_reminders() -> int:
    return services.send_reminders()


@shared_task(ignore_result=True)
def erase_personal_data() -> int:
    return services.erase_personal_data()
