"""What every page shows and nearly never changes: the town hall's identity and the announced
interruptions (art. 17.1). Read from the cache instead of two queries per page.

The town hall and the interruptions are forgotten when ``seu.services`` changes them (the
back-office and the demo data go through it), now and again after the commit, as in
``tauler.caching``; an entry lives at most ``MAX_AGE`` seconds anyway, and the interruptions' entry
no longer than the first end among them, so a finished interruption leaves the banner on time.
Whether one has begun is decided when read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import transaction

from seu.models import Interruption, TownHall

TOWN_HALL_KEY = "seu:town-hall"
INTERRUPTIONS_KEY = "seu:interruptions"
MAX_AGE = 300


def _fresh_town_hall() -> TownHall:
    found = TownHall.objects.current()
    if found.pk is not None:  # the placeholder of an empty database is not worth keeping
        cache.set(TOWN_HALL_KEY, found, timeout=MAX_AGE)
    return found


def _fresh_interruptions(at: dt.datetime) -> tuple[dt.datetime, dt.datetime, list[Interruption]]:
    rows = list(Interruption.objects.announced(at=at))
    valid_until = min([at + dt.timedelta(seconds=MAX_AGE), *(row.ends_at for row in rows)])
    state = (at, valid_until, rows)
    cache.set(INTERRUPTIONS_KEY, state, timeout=MAX_AGE)
    return state


def _current(state: Any, at: dt.datetime) -> bool:
    return state is not None and state[0] <= at < state[1]


def town_hall() -> TownHall:
    found = cache.get(TOWN_HALL_KEY)
    return found if found is not None else _fresh_town_hall()


def page_header(*, at: dt.datetime) -> tuple[TownHall, list[Interruption]]:
    """The town hall and the interruptions announced at ``at`` (not yet over, by start), in one
    round trip to the cache: what the layout of every page needs."""
    found = cache.get_many([TOWN_HALL_KEY, INTERRUPTIONS_KEY])
    hall = found.get(TOWN_HALL_KEY) or _fresh_town_hall()
    state = found.get(INTERRUPTIONS_KEY)
    if state is None or not _current(state, at):
        state = _fresh_interruptions(at)
    return hall, [row for row in state[2] if row.ends_at > at]


def forget(*keys: str) -> None:
    """Delete cache entries now and again after the commit: an entry cached by a request that
    read the old rows while the transaction was open does not survive it (every cache of the
    seu's apps forgets this way)."""
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


# What the apps above ``seu`` cache from the working-day calendar registers here (``cites``: the
# office's opening days); ``seu`` does not import them (DESIGN.md's layer rule).
_calendar_listeners: dict[str, Callable[[], None]] = {}


def on_calendar_changed(name: str, listener: Callable[[], None]) -> None:
    """Have ``listener`` forget its caches whenever the municipal non-working days change."""
    _calendar_listeners[name] = listener


def calendar_changed() -> None:
    """The municipal non-working days changed (``seu.services``): every cache built on them goes."""
    for listener in list(_calendar_listeners.values()):
        listener()
