"""The registry entries a clerk may open a case file from, and the links the registry's back-office
shows on an entry's page (``registre.hooks.ENTRY_ACTIONS``): "Obrir expedient" on an incoming
entry of the user's organs that belongs to no case file, "Veure l'expedient" on one that does."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext

from expedients import services
from expedients.models import ExpedientEntry
from registre import hooks as registre_hooks
from registre.models import Direction, RegistryEntry
from seu.staff import scoped_to_staff


def openable_entries(user: Any) -> QuerySet[RegistryEntry]:
    """The registered incoming entries of the user's organs: those a case file may start from."""
    entries = RegistryEntry.objects.filter(
        direction=Direction.IN, number__isnull=False, state=RegistryEntry.State.REGISTERED
    )
    return scoped_to_staff(entries.select_related("organ"), user)


def offer_case(
    *, request: HttpRequest, entry: RegistryEntry, actions: list[registre_hooks.EntryAction]
) -> None:
    """``registre.hooks.ENTRY_ACTIONS``: the case file of the entry, or opening one."""
    user = request.user
    if not user.has_perm("expedients.view_expedient"):
        return
    case_id = (
        services.staff_cases(cast(AbstractBaseUser, user))
        .filter(entries__entry=entry)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    if case_id is not None:
        actions.append(
            registre_hooks.EntryAction(
                label=gettext("Veure l'expedient"),
                url=reverse("admin:expedients_expedient_change", args=[case_id]),
            )
        )
        return
    if not user.has_perm("expedients.add_expedient"):
        return
    if entry.direction != Direction.IN or entry.state != RegistryEntry.State.REGISTERED:
        return
    if ExpedientEntry.objects.filter(entry=entry).exists():
        return  # another organ's case file holds it
    if not openable_entries(user).filter(pk=entry.pk).exists():
        return
    actions.append(
        registre_hooks.EntryAction(
            label=gettext("Obrir expedient"),
            url=f"{reverse('admin:expedients_expedient_open')}?entry={entry.pk}",
        )
    )
