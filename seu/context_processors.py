from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, translate_url
from django.utils.translation import get_language

from seu import caching, calendar


@functools.lru_cache(maxsize=512)
def _translated(path: str, code: str, current: str, urlconf: object, prefix: str) -> str:
    # Resolving the address and reversing it in another language costs more than the rest of the
    # layout's context, and its answer depends only on the arguments (``current`` is the active
    # language, the other two what resolving and reversing read besides it).
    return translate_url(path, code)


def _settings_changed(**kwargs: object) -> None:
    _translated.cache_clear()  # tests may change what addresses resolve to (urls, languages)


setting_changed.connect(_settings_changed, dispatch_uid="seu-translated-urls")


def seu(request: HttpRequest) -> dict[str, Any]:
    """On every page: the town hall's identity, the language switch, and the banner of planned
    interruptions, announced "with the greatest possible notice and while the situation lasts"
    (art. 17.1, 33.d)."""
    current = get_language() or settings.LANGUAGE_CODE
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    path, prefix = request.get_full_path(), get_script_prefix()
    switch = [
        {"code": code, "name": name, "url": _translated(path, code, current, urlconf, prefix)}
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
