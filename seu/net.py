"""Who is asking: the client address, believed from forwarded headers only when a trusted proxy
sent them (a forged ``X-Forwarded-For`` from anywhere else changes nothing)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    if remote in settings.TRUSTED_PROXIES:
        real_ip = request.META.get("HTTP_X_REAL_IP", "").strip()
        if real_ip:
            return real_ip
    return remote


def request_start(request: HttpRequest) -> dt.datetime:
    """When the transmission began (art. 33.i): the proxy's ``X-Request-Start: t=<seconds>``
    (nginx's ``$msec``), believed only from a trusted proxy; else the moment Django got it."""
    from seu import calendar

    now = calendar.now()
    if request.META.get("REMOTE_ADDR", "") not in settings.TRUSTED_PROXIES:
        return now
    raw = request.META.get("HTTP_X_REQUEST_START", "").strip()
    if raw.startswith("t="):
        raw = raw[2:]
    try:
        started = dt.datetime.fromtimestamp(float(raw), tz=dt.UTC)
    except (ValueError, OverflowError, OSError):
        return now
    # A start in the future or more than an hour ago is not a request start: ignore it.
    if started > now or now - started > dt.timedelta(hours=1):
        return now
    return started
