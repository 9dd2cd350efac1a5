"""Counting what one client address does in a time window, in the shared cache (Redis in
production), to slow down guessing and hoarding: CSV look-ups, anonymous appointment bookings."""

from __future__ import annotations

import contextlib

from django.core.cache import cache, caches

from seu.cache import RedisCache


def _key(scope: str, key: str) -> str:
    return f"throttle:{scope}:{key}"


def count(*, scope: str, key: str) -> int:
    """How many times ``key`` was recorded under ``scope`` in its current window."""
    return int(cache.get(_key(scope, key), 0))


def record(*, scope: str, key: str, window_seconds: int) -> int:
    """Record one more; the window starts with the first record. Returns the new count."""
    cache_key = _key(scope, key)
    backend = caches["default"]
    if isinstance(backend, RedisCache):  # one round trip, and no counter outlives its window
        return backend.incr_in_window(cache_key, window_seconds)
    # The in-memory cache of development and of the tests without Redis.
    with contextlib.suppress(ValueError):
        return int(cache.incr(cache_key))
    if cache.add(cache_key, 1, timeout=window_seconds):
        return 1
    try:  # another request opened the window meanwhile
        return int(cache.incr(cache_key))
    except ValueError:  # and it has already ended
        cache.set(cache_key, 1, timeout=window_seconds)
        return 1
