"""Portal pages: the home page, the sections, the accessibility statement and the legal notice."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from seu import calendar
from seu.sections import BY_SLUG, SECTIONS


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    now = calendar.now()
    working_calendar = calendar.WorkingCalendar()
    local_now = calendar.to_local(now)
    reason = working_calendar.non_working_reason(local_now.date(), request.LANGUAGE_CODE)
    context = {
        "sections": SECTIONS,
        "official_now": local_now,
        "non_working_reason": reason,
        "next_working_start": working_calendar.next_working_day_start(now) if reason else None,
    }
    return render(request, "seu/home.html", context)


@require_GET
def section(request: HttpRequest, slug: str) -> HttpResponse:
    found = BY_SLUG.get(slug)
    if found is None:
        raise Http404
    return render(request, "seu/section_pending.html", {"section": found})


@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "seu/accessibility.html")


@require_GET
def legal_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "seu/legal_notice.html")


@require_GET
def health(request: HttpRequest) -> HttpResponse:
    """Liveness for the proxy and the uptime record: answers without touching the database."""
    return HttpResponse("ok", content_type="text/plain")
