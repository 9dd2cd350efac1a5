"""Caching of the computed availability (never of pages: those may carry a person's data).

Two kinds of version, both random tokens kept in the cache and *deleted* (now and again after the
commit) when what they cover changes, as in ``tauler.caching``:

- the office's version covers what decides which days open: the services' settings, closed days,
  the seu's non-working days. Every cached entry is keyed by it.
- one version per service and day covers that day's places: a booking, a cancellation, a release
  of an unconfirmed booking, a change of time, a clerk's outcome or a closed/reopened slot deletes
  it, so the other days of the eight weeks stay cached.

A reader takes the versions *before* reading the database and stores what it computed under them:
if a change commits meanwhile, the version it used is deleted after the commit and its entry is
never read again. Entries hold every bookable time of a day with its free places; times already
past are dropped when read (so they disappear on time without any change), and every entry expires
at the latest after ``MAX_AGE`` seconds. A cached "free" time is only a proposal: the booking
service re-checks the places under the slot's row lock.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
from collections.abc import Iterable

from django.core.cache import cache

from seu.caching import forget

OFFICE_VERSION_KEY = "cites:office-version"
MAX_AGE = 300

# One day's bookable times (UTC) with their free places, closed and full times left out.
DaySlots = tuple[tuple[dt.datetime, int], ...]


def office_changed() -> None:
    """A service's settings, a closed day or a non-working day changed: forget everything."""
    forget(OFFICE_VERSION_KEY)


def _day_key(service_id: int, day: dt.date) -> str:
    return f"cites:day-version:{service_id}:{day.isoformat()}"


def day_changed(service_id: int, starts_at: dt.datetime) -> None:
    """The places of the (local) day of ``starts_at`` changed."""
    from seu.calendar import to_local

    forget(_day_key(service_id, to_local(starts_at).date()))


def _token(key: str) -> str:
    token = cache.get(key)
    if token is None:
        cache.add(key, secrets.token_hex(8), timeout=MAX_AGE)
        token = cache.get(key) or secrets.token_hex(8)  # an uncached token caches nothing useful
    return str(token)


def office_version() -> str:
    return _token(OFFICE_VERSION_KEY)


def day_versions(service_id: int, days: Iterable[dt.date]) -> dict[dt.date, str]:
    keys = {day: _day_key(service_id, day) for day in days}
    found = cache.get_many(list(keys.values()))
    versions: dict[dt.date, str] = {}
    for day, key in keys.items():
        versions[day] = str(found[key]) if key in found else _token(key)
    return versions


def opening_days_key(
    version: str, service_id: int, today: dt.date, start: dt.date | None, end: dt.date | None
) -> str:
    return f"cites:open:{version}:{service_id}:{today}:{start}:{end}"


def get_opening_days(key: str) -> list[dt.date] | None:
    value = cache.get(key)
    return list(value) if value is not None else None


def set_opening_days(key: str, days: list[dt.date], *, now: dt.datetime) -> None:
    """Kept until local midnight at the latest: "today" is part of the key anyway."""
    from seu.calendar import end_of_day, to_local

    midnight = end_of_day(to_local(now).date())
    timeout = min(MAX_AGE, int((midnight - now).total_seconds()))
    if timeout > 0:
        cache.set(key, tuple(days), timeout=timeout)


def _slots_key(version: str, service_id: int, day: dt.date, day_version: str) -> str:
    return f"cites:slots:{version}:{service_id}:{day.isoformat()}:{day_version}"


def get_day_slots(
    version: str, service_id: int, versions: dict[dt.date, str]
) -> dict[dt.date, DaySlots]:
    keys = {day: _slots_key(version, service_id, day, v) for day, v in versions.items()}
    found = cache.get_many(list(keys.values()))
    return {day: found[key] for day, key in keys.items() if key in found}


def set_day_slots(
    version: str, service_id: int, versions: dict[dt.date, str], slots: dict[dt.date, DaySlots]
) -> None:
    if slots:
        cache.set_many(
            {_slots_key(version, service_id, day, versions[day]): s for day, s in slots.items()},
            timeout=MAX_AGE,
        )


# --- What forgets the versions ------------------------------------------------------------------


def _appointment_saved(instance: object, **kwargs: object) -> None:
    day_changed(instance.service_id, instance.starts_at)  # type: ignore[attr-defined]


def _office_saved(**kwargs: object) -> None:
    office_changed()


def _migrated(**kwargs: object) -> None:
    # A database created or migrated anew must not meet entries computed from an earlier one.
    # No cache server while migrating: nothing was cached from this database either.
    with contextlib.suppress(Exception):
        office_changed()


def connect() -> None:
    """Every saved or deleted appointment or slot forgets its day; every saved or deleted service,
    closed day or non-working day forgets the office's version (admin edits included)."""
    from django.db.models.signals import post_delete, post_migrate, post_save

    from cites.models import Appointment, ClosedDay, Service, Slot
    from seu.models import NonWorkingDay

    for model in (Appointment, Slot):
        post_save.connect(_appointment_saved, sender=model, dispatch_uid=f"cites-day-{model}")
        post_delete.connect(_appointment_saved, sender=model, dispatch_uid=f"cites-day-d-{model}")
    for office_model in (Service, ClosedDay, NonWorkingDay):
        uid = f"cites-office-{office_model.__name__}"
        post_save.connect(_office_saved, sender=office_model, dispatch_uid=uid)
        post_delete.connect(_office_saved, sender=office_model, dispatch_uid=f"{uid}-deleted")
    post_migrate.connect(_migrated, dispatch_uid="cites-office-migrated")
