"""Who is asking: the client address, believed from forwarded headers only when a trusted proxy
sent them (a forged ``X-Forwarded-For`` from anywhere else changes nothing)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    if remote in settings.TRUSTED_PROXIES:
        real_ip = request.META.get("HTTP_X_REAL_IP", "").strip()
        if real_ip:
            return real_ip
    return remote
