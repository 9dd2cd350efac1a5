"""Back-office changes with legal effect made in the seu: the town hall's identity (art. 9.1: it
names the owner of the seu on every page and receipt), the days the town hall declares non-working
(art. 33.h) and the planned interruptions (art. 17.1, 33.d).

Every change is written with its ``BackOfficeChange`` row (who, when, the values before and after)
in one transaction, and forgets the caches that showed the old rows: the back-office, the demo data
and any other channel call these functions, never ``save()`` on the rows.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from seu import caching, calendar
from seu.core.hooks import Hook
from seu.errors import InvalidInput
from seu.models import BackOfficeChange, Interruption, NonWorkingDay, TownHall
from seu.translated import in_source_language

Action = BackOfficeChange.Action

# --- The log ----------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A field's value as the log stores it (JSON: dates in ISO 8601, instants in UTC, so that
    one typed in the local time and the same read back from the database compare equal)."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(dt.UTC)
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The values of ``fields`` of ``obj`` (foreign keys by id), to compare before and after."""
    values: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        values[name] = _plain(getattr(obj, field.attname))  # type: ignore[union-attr]
    return values


def record_change(
    *,
    obj: models.Model,
    action: str,
    acting_user: AbstractBaseUser | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    now: dt.datetime | None = None,
) -> BackOfficeChange:
    """Write the log row of a change of ``obj``: only the fields whose value changed, each as
    ``[old, new]``. Call it inside the transaction that changes ``obj``."""
    before, after = before or {}, after or {}
    values = {
        name: [before.get(name), after.get(name)]
        for name in sorted(before.keys() | after.keys())
        if before.get(name) != after.get(name)
    }
    return BackOfficeChange.objects.create(
        at=now or calendar.now(),
        actor_id=acting_user.pk if acting_user is not None else None,
        what=obj._meta.label,
        object_id=str(obj.pk),
        action=action,
        values=values,
        reason=reason[:300],
    )


# --- Non-working days (art. 33.h) ----------------------------------------------------------------

_DAY_FIELDS = ("date", "kind", "name")


def _check_day_free(date: dt.date, *, other_than: int | None = None) -> None:
    taken = NonWorkingDay.objects.filter(date=date)
    if other_than is not None:
        taken = taken.exclude(pk=other_than)
    if taken.exists():
        raise InvalidInput(
            _("El dia %(date)s ja és inhàbil.") % {"date": calendar.format_date(date)},
            code="day_already_non_working",
        )


@transaction.atomic
def declare_non_working_day(
    *,
    date: dt.date,
    kind: str,
    name: str,
    acting_user: AbstractBaseUser | None,
    reason: str = "",
) -> NonWorkingDay:
    """``acting_user`` None: the installation's own data (the demo's local holidays)."""
    _check_day_free(date)
    day = NonWorkingDay.objects.create(
        date=date,
        kind=kind,
        name=name[:200],
        declared_by_id=acting_user.pk if acting_user is not None else None,
    )
    record_change(
        obj=day,
        action=Action.CREATED,
        acting_user=acting_user,
        after=snapshot(day, _DAY_FIELDS),
        reason=reason,
    )
    caching.calendar_changed()
    return day


@transaction.atomic
def change_non_working_day(
    *,
    day: NonWorkingDay,
    date: dt.date,
    kind: str,
    name: str,
    acting_user: AbstractBaseUser,
    reason: str = "",
) -> NonWorkingDay:
    day = NonWorkingDay.objects.select_for_update().get(pk=day.pk)
    _check_day_free(date, other_than=day.pk)
    before = snapshot(day, _DAY_FIELDS)
    day.date, day.kind, day.name = date, kind, name[:200]
    day.save(update_fields=list(_DAY_FIELDS))
    record_change(
        obj=day,
        action=Action.CHANGED,
        acting_user=acting_user,
        before=before,
        after=snapshot(day, _DAY_FIELDS),
        reason=reason,
    )
    caching.calendar_changed()
    return day


@transaction.atomic
def withdraw_non_working_day(
    *, day: NonWorkingDay, acting_user: AbstractBaseUser, reason: str = ""
) -> None:
    before = snapshot(day, _DAY_FIELDS)
    record_change(
        obj=day, action=Action.DELETED, acting_user=acting_user, before=before, reason=reason
    )
    NonWorkingDay.objects.filter(pk=day.pk).delete()
    caching.calendar_changed()


# --- Planned interruptions (art. 17.1, 33.d) ------------------------------------------------------

_INTERRUPTION_FIELDS = ("scope", "starts_at", "ends_at", "reason", "alternatives")


# Fired (``interruption=``, ``before=`` the snapshot replaced or None) in the transaction of each
# change: notifications extend the ten-day clock of those the interruption overlaps (art. 32.6).
INTERRUPTION_CHANGED = Hook("seu.interruption_changed")


def _check_period(starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    if ends_at <= starts_at:
        raise InvalidInput(
            _("El final de la interrupció ha de ser posterior a l'inici."), code="invalid_period"
        )


@transaction.atomic
def record_interruption(
    *,
    scope: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    reason: str,
    alternatives: str,
    acting_user: AbstractBaseUser,
) -> Interruption:
    _check_period(starts_at, ends_at)
    interruption = Interruption.objects.create(
        scope=scope,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason[:300],
        alternatives=alternatives,
        announced_by_id=acting_user.pk,
    )
    record_change(
        obj=interruption,
        action=Action.CREATED,
        acting_user=acting_user,
        after=snapshot(interruption, _INTERRUPTION_FIELDS),
    )
    caching.forget(caching.INTERRUPTIONS_KEY)
    INTERRUPTION_CHANGED.fire(interruption=interruption, before=None)
    return interruption


@transaction.atomic
def change_interruption(
    *,
    interruption: Interruption,
    scope: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    reason: str,
    alternatives: str,
    acting_user: AbstractBaseUser,
) -> Interruption:
    _check_period(starts_at, ends_at)
    interruption = Interruption.objects.select_for_update().get(pk=interruption.pk)
    before = snapshot(interruption, _INTERRUPTION_FIELDS)
    interruption.scope, interruption.starts_at, interruption.ends_at = scope, starts_at, ends_at
    interruption.reason, interruption.alternatives = reason[:300], alternatives
    interruption.save(update_fields=list(_INTERRUPTION_FIELDS))
    record_change(
        obj=interruption,
        action=Action.CHANGED,
        acting_user=acting_user,
        before=before,
        after=snapshot(interruption, _INTERRUPTION_FIELDS),
    )
    caching.forget(caching.INTERRUPTIONS_KEY)
    INTERRUPTION_CHANGED.fire(interruption=interruption, before=before)
    return interruption


@transaction.atomic
def delete_interruption(*, interruption: Interruption, acting_user: AbstractBaseUser) -> None:
    record_change(
        obj=interruption,
        action=Action.DELETED,
        acting_user=acting_user,
        before=snapshot(interruption, _INTERRUPTION_FIELDS),
    )
    before = snapshot(interruption, _INTERRUPTION_FIELDS)
    Interruption.objects.filter(pk=interruption.pk).delete()
    caching.forget(caching.INTERRUPTIONS_KEY)
    INTERRUPTION_CHANGED.fire(interruption=None, before=before)


# --- The town hall (art. 9.1) ---------------------------------------------------------------------

_TOWN_HALL_FIELDS = (
    "name",
    "nif",
    "dir3_code",
    "address",
    "postal_code",
    "municipality",
    "phone",
    "email",
    "registry_email",
    "website",
    "office_hours",
    "office_hours_es",
    "office_hours_en",
)


@transaction.atomic
@in_source_language()  # the log's "office_hours" and the original column are the Catalan text
def save_town_hall(
    *, town_hall: TownHall, acting_user: AbstractBaseUser | None, reason: str = ""
) -> TownHall:
    """Create the seu's one town hall or change it (values already validated by the caller's
    form), with its log row; every page shows the new identity at once."""
    if town_hall.pk is None:
        if TownHall.objects.select_for_update().exists():
            raise InvalidInput(
                _("La seu ja té un ajuntament: modificau-lo."), code="town_hall_exists"
            )
        before: dict[str, Any] = {}
        action = Action.CREATED
    else:
        stored = TownHall.objects.select_for_update().get(pk=town_hall.pk)
        before = snapshot(stored, _TOWN_HALL_FIELDS)
        action = Action.CHANGED
    town_hall.save()
    record_change(
        obj=town_hall,
        action=action,
        acting_user=acting_user,
        before=before,
        after=snapshot(town_hall, _TOWN_HALL_FIELDS),
        reason=reason,
    )
    caching.forget(caching.TOWN_HALL_KEY)
    return town_hall
