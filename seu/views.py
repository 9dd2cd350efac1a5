"""Portal pages: the home page, the sections, the accessibility statement and the legal notice."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.dateformat import time_format
from django.utils.text import get_text_list
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.views.decorators.http import require_GET

from seu import calendar, office_hours
from seu.sections import BY_SLUG, SECTIONS, summary


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    now = calendar.now()
    working_calendar = calendar.WorkingCalendar()
    local_now = calendar.to_local(now)
    reason = working_calendar.non_working_reason(local_now.date(), request.LANGUAGE_CODE)
    context = {
        # What works, each saying what it offers now; what is coming, apart, without a link.
        "sections": [(section, summary(section)) for section in SECTIONS if section.available],
        "coming": [section for section in SECTIONS if not section.available],
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


# Weekday names as a timetable says them ("els dilluns i dijous", "on Mondays and Thursdays"),
# 0 = Monday; Catalan and Spanish write them in lower case.
WEEKDAYS_PLURAL = (
    pgettext_lazy("dies de la setmana, en plural", "dilluns"),
    pgettext_lazy("dies de la setmana, en plural", "dimarts"),
    pgettext_lazy("dies de la setmana, en plural", "dimecres"),
    pgettext_lazy("dies de la setmana, en plural", "dijous"),
    pgettext_lazy("dies de la setmana, en plural", "divendres"),
    pgettext_lazy("dies de la setmana, en plural", "dissabtes"),
    pgettext_lazy("dies de la setmana, en plural", "diumenges"),
)


def _timetable(hours: list[office_hours.OfficeHours]) -> str:
    """ "els dilluns, dimarts i dijous, de 9:00 a 13:00", one part per timetable."""
    parts = [
        gettext("els %(days)s, de %(opens)s a %(closes)s")
        % {
            "days": get_text_list(
                [str(WEEKDAYS_PLURAL[day]) for day in timetable.weekdays],
                pgettext("l'últim element d'una llista", "i"),
            ),
            "opens": time_format(timetable.opens_at, "G:i"),
            "closes": time_format(timetable.closes_at, "G:i"),
        }
        for timetable in hours
    ]
    return "; ".join(parts)


@require_GET
def accepted_certificates(request: HttpRequest) -> HttpResponse:
    """ "Certificats digitals admesos" (seed 000, art. 6, 13): the issuers come from the trust
    configuration, so the page says exactly what the login accepts; the office's days and hours
    come from its appointment services (``seu.office_hours``, which ``cites`` fills), so the page
    says exactly what the booking pages offer."""
    from django.core.exceptions import ImproperlyConfigured

    from seu.identity.certificates import load_trust

    try:
        issuers = list(load_trust().issuers)
    except ImproperlyConfigured:
        issuers = []
    context = {
        "software_issuers": [i for i in issuers if i.kind == "software"],
        "smartcard_issuers": [i for i in issuers if i.kind == "smartcard"],
        "office_schedule": _timetable(office_hours.hours(office_hours.CERTIFICATE_ACCREDITATION)),
    }
    return render(request, "seu/accepted_certificates.html", context)
