from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.translation import get_language

from seu import caching, calendar


def seu(request: HttpRequest) -> dict[str, Any]:
    """On every page: the town hall's identity, the language switch, and the banner of planned
    interruptions, announced "with the greatest possible notice and while the situation lasts"
    (art. 17.1, 33.d)."""
    current = get_language() or settings.LANGUAGE_CODE
    switch = [
        {"code": code, "name": name, "url": translate_url(request.get_full_path(), code)}
        for code, name in settings.LANGUAGES
        if code != current
    ]
    now = calendar.now()
    town_hall, announced = caching.page_header(at=now)
    return {
        "town_hall": town_hall,
        "language_switch": switch,
        "announced_interruptions": [
            {
                "interruption": item,
                "ongoing": item.starts_at <= now,
                "starts_at": calendar.to_local(item.starts_at),
                "ends_at": calendar.to_local(item.ends_at),
            }
            for item in announced[:10]
        ],
    }
