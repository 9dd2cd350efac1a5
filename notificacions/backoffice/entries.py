"""The registry entries a clerk may notify about (issue 14 item 2), and the links the registry's
back-office shows on such an entry's page (``registre.hooks.ENTRY_ACTIONS``): "Notificar", and
the notifications already sent about it."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext

from notificacions.models import Notification
from registre import hooks as registre_hooks
from registre.models import Direction, RegistryEntry
from seu.staff import scoped_to_staff


def notifiable_entries(user: Any) -> QuerySet[RegistryEntry]:
    """The incoming entries of the user's organs (not those registered at the office for another
    organ): the ones a clerk may notify about."""
    entries = RegistryEntry.objects.filter(direction=Direction.IN, number__isnull=False)
    return scoped_to_staff(entries.select_related("organ"), user)


def offer_notify(
    *, request: HttpRequest, entry: RegistryEntry, actions: list[registre_hooks.EntryAction]
) -> None:
    """``registre.hooks.ENTRY_ACTIONS``: "Notificar" on an incoming entry of the user's organs,
    for a user who may notify."""
    if not request.user.has_perm("notificacions.add_notification"):
        return
    if not notifiable_entries(request.user).filter(pk=entry.pk).exists():
        return
    actions.append(
        registre_hooks.EntryAction(
            label=gettext("Notificar"),
            url=f"{reverse('admin:notificacions_notification_add')}?entry={entry.pk}",
        )
    )


def offer_entry_notifications(
    *, request: HttpRequest, entry: RegistryEntry, actions: list[registre_hooks.EntryAction]
) -> None:
    """``registre.hooks.ENTRY_ACTIONS``: the notifications of the user's organs about the entry,
    with their outcomes, for a user who may read them (only when there are some)."""
    if not request.user.has_perm("notificacions.view_notification"):
        return
    about = scoped_to_staff(Notification.objects.filter(related_entry=entry), request.user)
    if not about.exists():
        return
    actions.append(
        registre_hooks.EntryAction(
            label=gettext("Notificacions d'aquest assentament"),
            url=f"{reverse('admin:notificacions_notification_changelist')}"
            f"?related_entry={entry.pk}",
        )
    )
