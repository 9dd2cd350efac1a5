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


@require_GET
def accepted_certificates(request: HttpRequest) -> HttpResponse:
    """ "Certificats digitals admesos" (seed 000, art. 6, 13): the issuers come from the trust
    configuration, so the page says exactly what the login accepts."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.utils.dates import WEEKDAYS

    from seu.certificates import load_trust

    try:
        issuers = list(load_trust().issuers)
    except ImproperlyConfigured:
        issuers = []
    # Catalan and Spanish write weekday names in lower case mid-sentence; English does not.
    office_days = [
        str(WEEKDAYS[day]) if request.LANGUAGE_CODE == "en" else str(WEEKDAYS[day]).lower()
        for day in settings.ACCREDITATION_OFFICE_WEEKDAYS
    ]
    context = {
        "software_issuers": [i for i in issuers if i.kind == "software"],
        "smartcard_issuers": [i for i in issuers if i.kind == "smartcard"],
        "office_days": office_days,
    }
    return render(request, "seu/accepted_certificates.html", context)
