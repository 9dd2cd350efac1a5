"""Periodic housekeeping of identification: thin wrappers over services."""

from __future__ import annotations

from celery import shared_task

from seu import clave


@shared_task(ignore_result=True)
def purge_spent_saml_assertions() -> int:
    """Assertion IDs are kept for replay detection only while the assertion could still be used."""
    return clave.purge_spent_assertions()
