"""Caching of the board's public pages for anonymous visitors.

What the board shows changes only when an edict changes state (publication, withdrawal, expiry:
every service bumps the board's version after commit), when an edict's period reaches its end
(the next end instant is part of the cached state) and at local midnight (days left). A cached
page is keyed by that version, the language and the full address, and lives at most until the next
such instant, so nobody sees an edict after its exposure ended or misses one just published.

Only visitors without a session are served from the cache: the header of a page shows who is
identified and pending messages, which must never be shared.
"""

from __future__ import annotations

import datetime as dt
import functools
import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Min
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from seu import calendar
from seu.caching import forget

VERSION_KEY = "tauler:board-version"
MAX_AGE = 300


def board_changed() -> None:
    """Forget the board's version now and again after the commit: a page cached by a request
    that read the old rows while the transaction was open does not survive it."""
    forget(VERSION_KEY)


def _state(now: dt.datetime) -> tuple[str, dt.datetime]:
    """The board's version and the instant until which it stays valid."""
    state = cache.get(VERSION_KEY)
    if state is not None and state[1] > now:
        return state
    from tauler.models import Edict

    next_end = Edict.objects.filter(
        state=Edict.State.PUBLISHED, exposure_ends_at__gt=now
    ).aggregate(next_end=Min("exposure_ends_at"))["next_end"]
    local = calendar.to_local(now)
    midnight = calendar.end_of_day(local.date())
    valid_until = min(
        d for d in (next_end, midnight, now + dt.timedelta(seconds=MAX_AGE)) if d is not None
    )
    state = (secrets.token_hex(8), valid_until)
    cache.set(VERSION_KEY, state, timeout=max(1, int((valid_until - now).total_seconds())))
    return state


# The version this process saw last: the page cached under it is asked for together with the
# current version, one round trip to the cache instead of two when nothing changed meanwhile.
_last_version = ""


def _page_key(version: str, language: str, address: str) -> str:
    return f"tauler:page:{version}:{language}:{address}"


def cached_for_anonymous(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        global _last_version
        if request.method != "GET" or settings.SESSION_COOKIE_NAME in request.COOKIES:
            return view(request, *args, **kwargs)
        now = calendar.now()
        # The absolute address, host included: the feed's links are built from the request.
        address = request.build_absolute_uri()
        language = translation.get_language() or settings.LANGUAGE_CODE
        guess = _last_version
        found = cache.get_many([VERSION_KEY, _page_key(guess, language, address)])
        state = found.get(VERSION_KEY)
        if state is None or state[1] <= now:
            state = _state(now)
        version, valid_until = state
        _last_version = version
        key = _page_key(version, language, address)
        cached = found.get(key) if version == guess else cache.get(key)
        if cached is not None:
            return cached
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.cookies:
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            timeout = int((valid_until - now).total_seconds())
            if timeout > 0:
                cache.set(key, response, timeout=timeout)
        return response

    return wrapper
