"""The banner of planned interruptions, on every page (art. 17.1, 33.d): announced "with the
greatest possible notice and while the situation lasts"."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from seu import caching, calendar


def interruptions(request: HttpRequest) -> dict[str, Any]:
    now = calendar.now()
    announced = caching.announced_interruptions(at=now)[:10]
    return {
        "announced_interruptions": [
            {
                "interruption": item,
                "ongoing": item.starts_at <= now,
                "starts_at": calendar.to_local(item.starts_at),
                "ends_at": calendar.to_local(item.ends_at),
            }
            for item in announced
        ]
    }
