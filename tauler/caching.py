"""Caching of the board's public pages for anonymous visitors.

What the board shows changes only when an edict changes state (publication, withdrawal, expiry:
every service bumps the board's version after commit), when an edict's period reaches its end
(the next end instant is part of the cached state) and at local midnight (days left). A cached
page is keyed by that version, the language and the full address, and lives at most until the next
such instant, so nobody sees an edict after its exposure ended or misses one just published.

Only visitors without a session are served from the cache: the header of a page shows who is
identified and pending messages, which must never be shared.

Only a bounded set of addresses is cached (issue 11, item 9): the cache is the Redis that is also
Celery's broker, with ``noeviction``, so a crawler asking for endless distinct addresses must not
be able to fill it. A page is cached when each parameter of its query is one the view declares
bounded (a category, an organ, a page number), given once, or one declared free text (the search)
left empty; and the view did not find a value it does not know (``not_cached``): an unknown
category or organ, a page number past the last page. Anything else is rendered for the visitor
and not kept.
"""

from __future__ import annotations

import datetime as dt
import functools
import secrets
from collections.abc import Callable, Collection
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


UNCACHEABLE = "_tauler_not_cached"

View = Callable[..., HttpResponse]


def not_cached(request: HttpRequest) -> None:
    """Called by a view that found a parameter value it does not know: the page is not kept."""
    setattr(request, UNCACHEABLE, True)


def _bounded_query(request: HttpRequest, params: Collection[str], blank: Collection[str]) -> bool:
    """Whether the query is one of a bounded set: known names, each once, free text empty."""
    for name, values in request.GET.lists():
        if len(values) != 1:
            return False
        if name in blank and not values[0]:
            continue
        if name not in params:
            return False
    return True


def cached_for_anonymous(
    view: View | None = None, *, params: Collection[str] = (), blank: Collection[str] = ()
) -> Any:
    """Cache ``view``'s pages for visitors without a session. ``params`` are the query parameters
    whose values the view checks (calling ``not_cached`` on one it does not know); ``blank`` those
    that are free text, cached only when empty. Any other parameter means no cache."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            global _last_version
            if (
                request.method != "GET"
                or settings.SESSION_COOKIE_NAME in request.COOKIES
                or not _bounded_query(request, params, blank)
            ):
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
            if (
                response.status_code == 200
                and not response.cookies
                and not getattr(request, UNCACHEABLE, False)
            ):
                if hasattr(response, "render") and callable(response.render):
                    response = response.render()
                timeout = int((valid_until - now).total_seconds())
                if timeout > 0:
                    cache.set(key, response, timeout=timeout)
            return response

        return wrapper

    return decorate(view) if view is not None else decorate
