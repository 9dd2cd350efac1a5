"""Reads of the consent to electronic notification, for the pages and for the sending code."""

from __future__ import annotations

from typing import TYPE_CHECKING

from notificacions.models import NotificationConsent

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from seu.models import Person


def current_consent(person: Person | int) -> NotificationConsent | None:
    """The person's consent as it stands (the latest change), or None if they never gave one.

    A revoked consent is returned as such: ask ``consent.covers(procedure_code)`` whether a
    notification goes electronically (art. 32.1) and read ``consent.email`` for its notice."""
    return NotificationConsent.objects.of(person).select_related("identification").first()


def consent_history(person: Person | int) -> QuerySet[NotificationConsent]:
    """Every change of the person's consent, newest first, with the identification used."""
    return NotificationConsent.objects.of(person).select_related("identification")
