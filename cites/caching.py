"""Caching of the computed availability (never of pages: those may carry a person's data).

Two kinds of version, both random tokens kept in the cache and *deleted* (now and again after the
commit) when what they cover changes, as in ``tauler.caching``:

- the office's version covers what decides which days and times open: the services' settings,
  closed days, the seu's non-working days. What it covers (the active services, their opening
  days) is small and read on every page, so each process keeps it in memory (``remembered``)
  for as long as the version it was computed under is the current one.
- one version per service and day covers which of that day's times are free: it is deleted when
  a time may have become full or free again (a booking that takes a time's last place, any other
  change of an appointment: cancellation, release, change of time, a clerk's outcome; a closed or
  reopened slot), so the other days of the eight weeks stay cached. A booking that leaves places
  in its time changes no day's free times and keeps its day cached.

Both are forgotten by the use cases of ``cites.services`` that make those changes, explicitly (no
signal: a row saved outside the services is not how the cache learns; the back-office goes
through the services too).

A reader takes the versions *before* reading the database and stores what it computed with them:
if a change commits meanwhile, the version it used is deleted after the commit and what it stored
is never used again. A day's entry holds the day's free times (not their places: the pages show
only which times are free); times already past are dropped when read (so they disappear on time
without any change), and every entry expires at the latest after ``MAX_AGE`` seconds. A cached
"free" time is only a proposal: the booking service re-checks the places under the slot's row lock.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
from collections.abc import Callable, Hashable, Iterable
from typing import Any, TypeVar

from django.core.cache import cache

from seu.caching import forget

OFFICE_VERSION_KEY = "cites:office-version"
MAX_AGE = 300

# One day's free times (UTC, in order): closed and full times left out.
DayTimes = tuple[dt.datetime, ...]

T = TypeVar("T")


def office_changed() -> None:
    """A service's settings, a closed day or a non-working day changed: forget everything."""
    forget(OFFICE_VERSION_KEY)


def _day_key(service_id: int, day: dt.date) -> str:
    return f"cites:day-version:{service_id}:{day.isoformat()}"


def day_changed(service_id: int, starts_at: dt.datetime) -> None:
    """The free times of the (local) day of ``starts_at`` may have changed."""
    from seu.calendar import to_local

    forget(_day_key(service_id, to_local(starts_at).date()))


def _token(key: str) -> str:
    token = cache.get(key)
    return _new_token(key) if token is None else str(token)


def _new_token(key: str) -> str:
    """A version for ``key``, found missing: ours, unless another reader added one meanwhile."""
    token = secrets.token_hex(8)
    if cache.add(key, token, timeout=MAX_AGE):
        return token
    return str(cache.get(key) or token)  # an uncached token caches nothing useful


def office_version() -> str:
    return _token(OFFICE_VERSION_KEY)


# --- What the office's version covers, kept in this process -------------------------------------

# {version: {key: value}}: only the values computed under one version, the latest seen.
_office_memo: dict[str, dict[Hashable, Any]] = {}


def remembered(version: str, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, kept in this process while ``version`` (the office's, read by the caller
    before ``compute`` reads the database) is the current one. Values must not be changed by
    their users: they are shared by the process's threads."""
    values = _office_memo.get(version)
    if values is None:
        # Another version came: what was computed under the earlier one is dropped (a thread
        # still reading an older version only recomputes).
        values = {}
        _office_memo.clear()
        _office_memo[version] = values
    if key in values:
        return values[key]
    value = values[key] = compute()
    return value


# --- One day's free times ----------------------------------------------------------------------


def _times_key(service_id: int, day: dt.date) -> str:
    return f"cites:times:{service_id}:{day.isoformat()}"


def get_day_times(
    version: str, service_id: int, days: Iterable[dt.date]
) -> tuple[dict[dt.date, str], dict[dt.date, DayTimes]]:
    """The days' versions (created where missing) and the free times cached under them and under
    the office's ``version``, read in one round trip when nothing changed: each entry carries the
    versions it was computed under."""
    keys = {day: (_day_key(service_id, day), _times_key(service_id, day)) for day in days}
    found = cache.get_many([key for pair in keys.values() for key in pair])
    versions: dict[dt.date, str] = {}
    cached: dict[dt.date, DayTimes] = {}
    for day, (version_key, times_key) in keys.items():
        day_version = found.get(version_key)
        if day_version is None:
            versions[day] = _new_token(version_key)
            continue
        versions[day] = day_version = str(day_version)
        entry = found.get(times_key)
        if entry is not None and entry[0] == version and entry[1] == day_version:
            cached[day] = entry[2]
    return versions, cached


def set_day_times(
    version: str, service_id: int, versions: dict[dt.date, str], times: dict[dt.date, DayTimes]
) -> None:
    if times:
        cache.set_many(
            {
                _times_key(service_id, day): (version, versions[day], day_times)
                for day, day_times in times.items()
            },
            timeout=MAX_AGE,
        )


# --- What forgets the versions ------------------------------------------------------------------
#
# ``cites.services`` calls ``day_changed`` and ``office_changed`` in every use case that writes
# an appointment, a slot or a service (the only writers: the back-office and the beat call those
# functions too); no signal listens to the rows.


def _migrated(**kwargs: object) -> None:
    # A database created or migrated anew must not meet entries computed from an earlier one.
    # No cache server while migrating: nothing was cached from this database either.
    with contextlib.suppress(Exception):
        office_changed()


def connect() -> None:
    """The seu's non-working days forget the office's version (``seu.caching.on_calendar_changed``),
    and so does a migration; everything else is forgotten by ``cites.services``."""
    from django.db.models.signals import post_migrate

    from seu.caching import on_calendar_changed

    on_calendar_changed("cites-office", office_changed)
    post_migrate.connect(_migrated, dispatch_uid="cites-office-migrated")
