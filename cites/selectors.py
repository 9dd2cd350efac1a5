"""Reads of the appointment office: which days and times are open, the day's agenda, the figures."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import Count, Q
from django.db.models.functions import TruncWeek
from django.utils.text import get_text_list
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from cites import caching
from cites.models import Appointment, ClosedDay, Service, Slot
from seu import calendar
from seu.calendar import SEU_TZ
from seu.office_hours import OfficeHours


class SlotView(NamedTuple):
    """A free time. A tuple rather than a dataclass: the availability page makes hundreds."""

    starts_at: dt.datetime

    @property
    def local(self) -> dt.datetime:
        return calendar.to_local(self.starts_at)

    @property
    def key(self) -> str:
        return self.local.strftime("%H:%M")


@dataclass
class DayView:
    date: dt.date
    slots: list[SlotView] = field(default_factory=list)


def offered_services() -> list[Service]:
    """The active services, in order; from the office's cache (``cites.caching``), each time a
    copy of its own for the caller."""
    version = caching.office_version()
    rows = caching.remembered(
        version, "services", lambda: tuple(Service.objects.filter(is_active=True))
    )
    return [copy.copy(service) for service in rows]


def offered_service(code: str) -> Service | None:
    return next((service for service in offered_services() if service.code == code), None)


def accreditation_hours() -> list[OfficeHours]:
    """The weekly timetables of the offered services where citizens prove their identity for an
    FNMT certificate (those asking for its request code): what ``/certificats/`` announces,
    registered with ``seu.office_hours`` (``CitesConfig.ready``)."""
    return [
        OfficeHours(
            name=service.name,
            weekdays=tuple(sorted(service.weekday_numbers)),
            opens_at=service.opens_at,
            closes_at=service.closes_at,
        )
        for service in offered_services()
        if service.asks_request_code and service.weekday_numbers and service.slot_times()
    ]


def home_summary() -> str:
    """What the home page says the appointment section offers: the services on now, by name
    (a service the office has switched off, such as Cl@ve registration, is not promised)."""
    names = [service.name for service in offered_services()]
    if not names:
        return _("Ara mateix l'oficina d'acreditació no dona cita prèvia.")
    return _("Demanar cita a l'oficina d'acreditació: %(services)s.") % {
        "services": get_text_list(names, pgettext("l'últim element d'una llista", "i"))
    }


def closed_days(service: Service, start: dt.date, end: dt.date) -> set[dt.date]:
    rows = ClosedDay.objects.filter(date__range=(start, end)).filter(
        Q(service__isnull=True) | Q(service=service)
    )
    return set(rows.values_list("date", flat=True))


def opening_days(
    service: Service,
    *,
    now: dt.datetime,
    start: dt.date | None = None,
    end: dt.date | None = None,
    working: calendar.WorkingCalendar | None = None,
) -> list[dt.date]:
    """Days the office opens for ``service``: its weekdays, never a non-working day of the seu's
    calendar (national, Balearic and local holidays), never a closed day, never before today."""
    working = working or calendar.WorkingCalendar()
    today = calendar.to_local(now).date()
    start = max(start or today, today)
    end = end or today + dt.timedelta(days=service.horizon_days)
    closed = closed_days(service, start, end)
    weekdays = service.weekday_numbers
    days = []
    day = start
    while day <= end:
        if day.weekday() in weekdays and day not in closed and working.is_working_day(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _cached_opening_days(
    service: Service, *, now: dt.datetime, start: dt.date | None, end: dt.date | None, version: str
) -> list[dt.date]:
    """``opening_days`` up to the service's horizon, from the office's cache. The office opens its
    agenda ``horizon_days`` ahead: a day further away is not offered, even to an address typed by
    hand."""
    today = calendar.to_local(now).date()
    horizon = today + dt.timedelta(days=service.horizon_days)
    first, last = max(start or today, today), min(end or horizon, horizon)
    days = caching.remembered(
        version,
        ("opening-days", service.pk, today),
        lambda: tuple(opening_days(service, now=now)),
    )
    if first == today and last == horizon:
        return list(days)
    return [day for day in days if first <= day <= last]


def _free_times(service: Service, days: list[dt.date]) -> dict[dt.date, caching.DayTimes]:
    """Every time of ``days`` with free places, closed and full times left out, past ones kept
    (they are dropped when read). One query whatever the number of days: a time without a slot
    row has never been booked or closed."""
    taken_of_slots = (
        Slot.objects.filter(
            service=service,
            starts_at__gte=calendar.start_of_day(days[0]),
            starts_at__lt=calendar.end_of_day(days[-1]),
        )
        .annotate(
            taken=Count("appointments", filter=Q(appointments__state__in=Appointment.ACTIVE_STATES))
        )
        .order_by()
        .values_list("starts_at", "is_closed", "taken")
    )
    places = service.places_per_slot
    unavailable = {
        starts_at for starts_at, is_closed, taken in taken_of_slots if is_closed or taken >= places
    }
    times = service.slot_times()
    result: dict[dt.date, caching.DayTimes] = {}
    for day in days:
        free = []
        for time in times:
            starts_at = dt.datetime.combine(day, time, SEU_TZ).astimezone(dt.UTC)
            if starts_at not in unavailable:
                free.append(starts_at)
        result[day] = tuple(free)
    return result


def availability(
    service: Service,
    *,
    now: dt.datetime,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> list[DayView]:
    """The open days and, for each, its free times (never a time already past).

    Read from the cache (``cites.caching``) when nothing changed since it was computed; otherwise
    at most three queries whatever the range: closed days and non-working days (once per process
    and office version), and the slots with their active appointments. The versions are taken
    before the database is read.
    """
    if not service.is_active:
        return []
    version = caching.office_version()
    days = _cached_opening_days(service, now=now, start=start, end=end, version=version)
    if not days:
        return []
    versions, cached = caching.get_day_times(version, service.pk, days)
    missing = [day for day in days if day not in cached]
    if missing:
        computed = _free_times(service, missing)
        caching.set_day_times(version, service.pk, versions, computed)
        cached.update(computed)
    today = calendar.to_local(now).date()
    result = []
    for day in days:
        times = cached[day]
        # Only today's times can be past: a later day's are all ahead.
        slots = (
            [SlotView(t) for t in times if t > now] if day <= today else list(map(SlotView, times))
        )
        if slots:
            result.append(DayView(date=day, slots=slots))
    return result


def is_offered(service: Service, starts_at: dt.datetime, *, now: dt.datetime) -> bool:
    """Whether ``starts_at`` is one of the service's times on an open day, in the future (places
    and closed slots are checked under the slot's lock when booking)."""
    if not service.is_active or starts_at <= now:
        return False
    local = calendar.to_local(starts_at)
    if local.time().replace(tzinfo=None) not in service.slot_times():
        return False
    day = local.date()
    version = caching.office_version()
    return day in _cached_opening_days(service, now=now, start=day, end=day, version=version)


def closed_reason(
    service: Service, day: dt.date, *, working: calendar.WorkingCalendar | None = None
) -> str | None:
    """Why the office does not open for ``service`` on ``day`` (a non-working day of the seu, a
    closed day, a weekday it does not open), or None when it opens."""
    working = working or calendar.WorkingCalendar()
    reason = working.non_working_reason(day, (get_language() or "ca")[:2])
    if reason:
        return str(_("Dia inhàbil: %(reason)s.") % {"reason": reason})
    closed = (
        ClosedDay.objects.filter(date=day)
        .filter(Q(service__isnull=True) | Q(service=service))
        .values_list("reason", flat=True)
        .first()
    )
    if closed is not None:
        return str(_("Dia tancat: %(reason)s.") % {"reason": closed})
    if day.weekday() not in service.weekday_numbers or not service.slot_times():
        return str(_("Aquest servei no obre aquest dia de la setmana."))
    return None


def agenda_start(service: Service, *, now: dt.datetime) -> dt.date:
    """The day the clerk's agenda opens on: today if the office opens today, else the next day
    it opens (within the service's horizon; today when there is none)."""
    days = opening_days(service, now=now)
    return days[0] if days else calendar.to_local(now).date()


@dataclass(frozen=True)
class AgendaRow:
    """One time of the day, once: its slot (if a row exists) and its appointments."""

    starts_at: dt.datetime
    slot: Slot | None
    appointments: list[Appointment]
    # Whether the time has come: only then can the clerk say if the person came.
    started: bool = False

    @property
    def local(self) -> dt.datetime:
        return calendar.to_local(self.starts_at)

    @property
    def is_closed(self) -> bool:
        return self.slot is not None and self.slot.is_closed


def day_agenda(
    service: Service, day: dt.date, *, now: dt.datetime, open_day: bool = True
) -> list[AgendaRow]:
    """Every time of the day with its appointments, for the clerk, each time once: on a day the
    office opens, its free and closed times too (to close or reopen them); on a day it does not,
    only the times that have appointments (booked before it was closed)."""
    start = calendar.start_of_day(day)
    appointments = list(
        Appointment.objects.on_day(day)
        .filter(service=service)
        .exclude(state=Appointment.State.EXPIRED)
        .order_by("starts_at", "pk")
    )
    slots = {
        slot.starts_at: slot
        for slot in Slot.objects.filter(
            service=service, starts_at__gte=start, starts_at__lt=calendar.end_of_day(day)
        )
    }
    times = {a.starts_at for a in appointments}
    if open_day:
        times |= {
            dt.datetime.combine(day, t, SEU_TZ).astimezone(dt.UTC) for t in service.slot_times()
        }
        times |= set(slots)
    return [
        AgendaRow(
            starts_at=t,
            slot=slots.get(t),
            appointments=[a for a in appointments if a.starts_at == t],
            started=t <= now,
        )
        for t in sorted(times)
    ]


@dataclass(frozen=True)
class WeekFigures:
    week: dt.date
    bookings: int
    attended: int
    no_shows: int

    @property
    def no_show_rate(self) -> float | None:
        seen = self.attended + self.no_shows
        return self.no_shows / seen if seen else None

    @property
    def no_show_percent(self) -> str:
        rate = self.no_show_rate
        return "—" if rate is None else f"{rate * 100:.0f} %"


def weekly_figures(*, since: dt.date, until: dt.date) -> list[WeekFigures]:
    """Bookings per week (by appointment date) and the no-show rate; anonymous, so erasure of
    personal data leaves them unchanged."""
    start = dt.datetime.combine(since, dt.time(0), SEU_TZ)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(0), SEU_TZ)
    rows = (
        Appointment.objects.filter(starts_at__gte=start, starts_at__lt=end)
        .exclude(state=Appointment.State.EXPIRED)
        .annotate(week=TruncWeek("starts_at", tzinfo=SEU_TZ))
        .values("week")
        .annotate(
            bookings=Count("pk"),
            attended=Count("pk", filter=Q(state=Appointment.State.ATTENDED)),
            no_shows=Count("pk", filter=Q(state=Appointment.State.NO_SHOW)),
        )
        .order_by("week")
    )
    return [
        WeekFigures(
            week=row["week"].date() if isinstance(row["week"], dt.datetime) else row["week"],
            bookings=row["bookings"],
            attended=row["attended"],
            no_shows=row["no_shows"],
        )
        for row in rows
    ]


def no_show_rate(figures: list[WeekFigures]) -> float | None:
    attended = sum(f.attended for f in figures)
    no_shows = sum(f.no_shows for f in figures)
    return no_shows / (attended + no_shows) if attended + no_shows else None


def no_show_percent(figures: list[WeekFigures]) -> str:
    rate = no_show_rate(figures)
    return "—" if rate is None else f"{rate * 100:.0f} %"
