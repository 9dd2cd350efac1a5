"""Periodic housekeeping of identification: thin wrappers over services."""

from __future__ import annotations

from celery import shared_task

from seu.identity import clave


@shared_task(ignore_result=True)
def purge_spent_saml_assertions() -> int:
    """Assertion IDs are kept for replay detection only while the assertion could still be used."""
    return clave.purge_spent_assertions()


@shared_task(ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def deliver_email(email_id: int) -> str:
    from seu.core import outbox

    return outbox.deliver_email(email_id=email_id)


@shared_task(ignore_result=True)
def deliver_pending_emails() -> int:
    """E-mails whose task was lost (a broker down at the commit) leave with this sweep."""
    from seu.core import outbox

    return outbox.deliver_pending_emails()
