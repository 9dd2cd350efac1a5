from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.translation import get_language

from seu import caching


def seu(request: HttpRequest) -> dict[str, Any]:
    """The town hall's identity and the language switch, on every page."""
    current = get_language() or settings.LANGUAGE_CODE
    switch = [
        {"code": code, "name": name, "url": translate_url(request.get_full_path(), code)}
        for code, name in settings.LANGUAGES
        if code != current
    ]
    return {"town_hall": caching.town_hall(), "language_switch": switch}
