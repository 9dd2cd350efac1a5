"""The working-day calendar: the one place where every legal deadline of the portal is computed.

Non-working days are Saturdays and Sundays (Law 39/2015, art. 30.2), national and Balearic holidays
(the ``holidays`` library, Spain subdivision ``IB``), and the municipality's local holidays and days
it declares non-working (``NonWorkingDay`` rows, kept by staff in the back-office). Everything is
reckoned in the seu's official time, Europe/Madrid (art. 33.h).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

import holidays
from dateutil.relativedelta import relativedelta
from django.utils import formats, timezone

SEU_TZ = ZoneInfo("Europe/Madrid")
# Art. 33.h: what is presented on a non-working day counts from the first second of the next one.
START_OF_WORKING_DAY = dt.time(0, 0, 1)


@lru_cache(maxsize=64)
def _regional_holidays(year: int, language: str) -> dict[dt.date, str]:
    calendar = holidays.country_holidays("ES", subdiv="IB", years=year, language=language)
    return dict(calendar.items())


def regional_holidays(year: int, language: str = "ca") -> dict[dt.date, str]:
    """National and Balearic holidays of ``year`` with their names."""
    return _regional_holidays(year, language)


def municipal_non_working_days(start: dt.date, end: dt.date) -> dict[dt.date, str]:
    """Local holidays and declared non-working days between two dates, inclusive."""
    from seu.models import NonWorkingDay  # the calendar is imported by settings-free code too

    rows = NonWorkingDay.objects.filter(date__range=(start, end)).values_list("date", "name")
    return dict(rows)


class PeriodUnit:
    """How a legal period is counted (Law 39/2015, art. 30): the values procedures store."""

    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"
    MONTHS = "months"
    ALL = (WORKING_DAYS, CALENDAR_DAYS, MONTHS)


class WorkingCalendar:
    """Answers working-day questions, reading each year's municipal days from the database once.

    Build one per operation (a request, a sweep): it does not see days declared after it was made.
    """

    def __init__(self) -> None:
        self._municipal: dict[int, dict[dt.date, str]] = {}

    def _municipal_year(self, year: int) -> dict[dt.date, str]:
        if year not in self._municipal:
            self._municipal[year] = municipal_non_working_days(
                dt.date(year, 1, 1), dt.date(year, 12, 31)
            )
        return self._municipal[year]

    def non_working_reason(self, day: dt.date, language: str = "ca") -> str | None:
        """Why ``day`` is non-working, or None when it is a working day."""
        municipal = self._municipal_year(day.year).get(day)
        if municipal:
            return municipal
        regional = regional_holidays(day.year, language).get(day)
        if regional:
            return regional
        if day.weekday() >= 5:
            return {"ca": "Cap de setmana", "es": "Fin de semana"}.get(language, "Weekend")
        return None

    def is_working_day(self, day: dt.date) -> bool:
        return self.non_working_reason(day) is None

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after ``day``."""
        candidate = day + dt.timedelta(days=1)
        while not self.is_working_day(candidate):
            candidate += dt.timedelta(days=1)
        return candidate

    def next_working_day_start(self, instant: dt.datetime) -> dt.datetime:
        """00:00:01 (Europe/Madrid) of the first working day after the local date of ``instant``."""
        day = self.next_working_day(to_local(instant).date())
        return dt.datetime.combine(day, START_OF_WORKING_DAY, tzinfo=SEU_TZ)

    def effective_instant(self, presented_at: dt.datetime) -> dt.datetime:
        """When a presentation counts (art. 33.h): itself on a working day, else the next start."""
        if self.is_working_day(to_local(presented_at).date()):
            return presented_at
        return self.next_working_day_start(presented_at)

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The date ``days`` working days after ``start``, counting from the day after it.

        Law 39/2015, art. 30.2 and 30.3: a period in working days starts the day after the act and
        skips non-working days, so for one day or more the result is a working day; zero days is
        ``start`` itself.
        """
        if days < 0:
            raise ValueError("days must not be negative")
        current = start
        for _ in range(days):
            current = self.next_working_day(current)
        return current

    def last_day_of_calendar_period(self, start: dt.date, days: int) -> dt.date:
        """The last day of a period of ``days`` calendar days counted from the day after
        ``start``; when it is non-working the period runs to the next working day (Law 39/2015,
        art. 30.5)."""
        if days < 0:
            raise ValueError("days must not be negative")
        last = start + dt.timedelta(days=days)
        return last if self.is_working_day(last) else self.next_working_day(last)

    def add_months(self, start: dt.date, months: int) -> dt.date:
        """The last day of a period of ``months`` months counted from the day after ``start``
        (Law 39/2015, art. 30.4): the same day of the month ``months`` later, or that month's last
        day when it has no such day (31 January + 3 months = 30 April); when it is non-working
        the period runs to the next working day (art. 30.5)."""
        if months < 0:
            raise ValueError("months must not be negative")
        last = start + relativedelta(months=months)
        return last if self.is_working_day(last) else self.next_working_day(last)

    def period_end(self, start: dt.date, amount: int, unit: str) -> dt.date:
        """The last day of a period of ``amount`` ``unit`` (``PeriodUnit``) from the day after
        ``start``: the one rule behind resolution deadlines and remedy periods."""
        if unit == PeriodUnit.MONTHS:
            return self.add_months(start, amount)
        if unit == PeriodUnit.WORKING_DAYS:
            return self.add_working_days(start, amount)
        if unit == PeriodUnit.CALENDAR_DAYS:
            return self.last_day_of_calendar_period(start, amount)
        raise ValueError(f"unknown period unit {unit!r}")

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end``."""
        count = 0
        current = start
        while current < end:
            current += dt.timedelta(days=1)
            if self.is_working_day(current):
                count += 1
        return count


def to_local(instant: dt.datetime) -> dt.datetime:
    if timezone.is_naive(instant):
        raise ValueError("the calendar needs aware datetimes")
    return instant.astimezone(SEU_TZ)


def utc_offset(instant: dt.datetime) -> str:
    """The offset of ``instant`` in the seu's time, as ``+01:00`` or ``+02:00``."""
    offset = to_local(instant).utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def format_instant(instant: dt.datetime | None, *, weekday: bool = False) -> str:
    """An instant with legal effect as people read it, in the active language's format: local
    time to the second and its UTC offset, "25 d'octubre de 2026, 02:30:00 (UTC+02:00)"
    (``INSTANT_FORMAT`` in ``seu/formats``; ``WEEKDAY_INSTANT_FORMAT`` with ``weekday``).
    Without the offset the hour the clocks repeat on the last Sunday of October would read the
    same twice; the numeric offset, unlike "CET" or "CEST", means the same in every language.
    Empty for no instant."""
    if instant is None:
        return ""
    name = "WEEKDAY_INSTANT_FORMAT" if weekday else "INSTANT_FORMAT"
    return f"{formats.date_format(to_local(instant), name)} (UTC{utc_offset(instant)})"


def format_date(day: dt.date | dt.datetime, name: str = "DATE_FORMAT") -> str:
    """A day in the active language's named format ("4 d'abril de 2026"); an instant is first
    taken to the seu's time, so that 23:30 UTC on the 3rd reads as the 4th."""
    if isinstance(day, dt.datetime):
        day = to_local(day)
    return formats.date_format(day, name)


def format_datetime(instant: dt.datetime, name: str = "DATETIME_FORMAT") -> str:
    """A local date and time without legal effect ("4 d'abril de 2026, 10:30"): the end of an
    announced interruption, a certificate's expiry. An instant with legal effect uses
    ``format_instant``, which adds the offset."""
    return formats.date_format(to_local(instant), name)


def add_calendar_days(instant: dt.datetime, days: int) -> dt.datetime:
    """``instant`` plus ``days`` calendar days in local time, keeping the wall-clock time across
    daylight-saving changes (art. 32.6 counts ten natural days)."""
    local = to_local(instant)
    shifted = dt.datetime.combine(local.date() + dt.timedelta(days=days), local.time(), SEU_TZ)
    # A wall-clock time the spring change skips (02:30 on the last Sunday of March) would stay an
    # imaginary 02:30; going through UTC turns it into the real instant, 03:30 summer time.
    return shifted.astimezone(dt.UTC).astimezone(SEU_TZ)


def start_of_day(day: dt.date) -> dt.datetime:
    """00:00 of ``day`` in the seu's time."""
    return dt.datetime.combine(day, dt.time(0), SEU_TZ)


def end_of_day(day: dt.date) -> dt.datetime:
    """24:00 of ``day`` in the seu's time: the instant a period whose last day is ``day`` ends."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), SEU_TZ)


def last_day(instant: dt.datetime) -> dt.date:
    """The day a period that ends at ``instant`` ends on: a period ending at 24:00 of a day
    (``end_of_day``) ends on that day, not on the next one."""
    return to_local(instant - dt.timedelta(microseconds=1)).date()


def now() -> dt.datetime:
    """The seu's clock (art. 33.h): the one function every service reads; tests freeze it."""
    return timezone.now()


def is_working_day(day: dt.date) -> bool:
    return WorkingCalendar().is_working_day(day)


def next_working_day_start(instant: dt.datetime) -> dt.datetime:
    return WorkingCalendar().next_working_day_start(instant)


def add_working_days(start: dt.date, days: int) -> dt.date:
    return WorkingCalendar().add_working_days(start, days)


# --- The notification clock (art. 32.6) -----------------------------------------------------------

# Art. 32.6: ten natural days after availability without access, the notification is rejected.
NOTIFICATION_EXPIRY_DAYS = 10
NOTIFICATION_EXPIRY_RULES = ("end_of_day", "instant")
# The last instant of a local day: the microsecond before 24:00, never ambiguous in Europe/Madrid
# (the clocks change at 02:00 and 03:00).
LAST_INSTANT_OF_DAY = dt.time(23, 59, 59, 999999)


def _utc(instant: dt.datetime) -> dt.datetime:
    """``instant`` in UTC; a naive datetime is refused (ValueError)."""
    return to_local(instant).astimezone(dt.UTC)


def notification_expiry(available_at: dt.datetime, *, rule: str | None = None) -> dt.datetime:
    """The instant (UTC) after which a notification made available at ``available_at`` and not
    accessed is deemed rejected (ordinance art. 32.6; Law 39/2015, art. 43.2: "deu dies naturals").

    An access at or before the returned instant is in time; the notification expires once the
    clock is past it. ``rule`` is ``settings.NOTIFICATION_EXPIRY_RULE`` unless given:

    - ``end_of_day`` (the default): the days are counted from the day after availability
      (Law 39/2015, art. 30.3), in the seu's time, and the period runs to the end of the tenth,
      23:59:59.999999 local of day D+10 where D is the local day of availability, with that day's
      offset (+01:00 or +02:00). It is not carried to the next working day when the tenth day is
      non-working (art. 30.5): the days are natural and measure how long the notification waits,
      not a period for the person to act (our choice; #14 asks for the tenth calendar day).
    - ``instant``: availability plus ten times 24 hours of elapsed time, so the local wall-clock
      time moves by an hour when a change of summer time falls inside the ten days.
    """
    if rule is None:
        from django.conf import settings

        rule = str(settings.NOTIFICATION_EXPIRY_RULE)
    if rule not in NOTIFICATION_EXPIRY_RULES:
        raise ValueError(f"unknown notification expiry rule {rule!r}")
    if rule == "instant":
        return _utc(available_at) + dt.timedelta(days=NOTIFICATION_EXPIRY_DAYS)
    last_day = to_local(available_at).date() + dt.timedelta(days=NOTIFICATION_EXPIRY_DAYS)
    return dt.datetime.combine(last_day, LAST_INSTANT_OF_DAY, SEU_TZ).astimezone(dt.UTC)


class Period(NamedTuple):
    """A stretch of time [start, end): an interruption of the seu, a suspension of the clock."""

    start: dt.datetime
    end: dt.datetime


def merge_periods(
    periods: Iterable[tuple[dt.datetime, dt.datetime]], *, since: dt.datetime | None = None
) -> list[Period]:
    """``periods`` as disjoint periods in order of time, overlapping or touching ones joined into
    one, the part of each before ``since`` dropped, empty ones left out. A period that ends
    before it starts is refused (ValueError): it is a mistake in the data, not an empty stretch."""
    clipped: list[Period] = []
    for raw_start, raw_end in periods:
        start, end = _utc(raw_start), _utc(raw_end)
        if end < start:
            raise ValueError(f"a period ends ({end.isoformat()}) before it starts")
        if since is not None and start < since:
            start = since
        if end > start:
            clipped.append(Period(start, end))
    merged: list[Period] = []
    for period in sorted(clipped):
        if merged and period.start <= merged[-1].end:
            last = merged[-1]
            merged[-1] = Period(last.start, max(last.end, period.end))
        else:
            merged.append(period)
    return merged


def extend_for_periods(
    expiry: dt.datetime,
    periods: Iterable[tuple[dt.datetime, dt.datetime]],
    *,
    since: dt.datetime,
) -> dt.datetime:
    """``expiry`` (returned in UTC) extended by the length of every period [start, end) that
    overlaps [since, expiry): interruptions of the seu and declared suspensions of the clock.
    ``since`` is the instant of availability; what lies before it does not count.

    The law: art. 32.6, last clause, keeps the ten days from running to a rejection when "d'ofici
    o a instància de la persona interessada es comprovi la impossibilitat tècnica o material de
    l'accés"; art. 32.5 wants "qualsevol causa tècnica" that prevented access recorded; art. 17.1
    says the seu runs 24 hours a day and an expected outage is announced. Neither says by how much.

    The choice: the person keeps the whole access time the rule gave, so the expiry moves by the
    exact length of each period (not rounded to the end of a day), counting each instant once:
    overlapping periods (an outage during a suspension) are merged first. A period that overlaps
    [since, expiry) counts whole, also its part after the expiry (the seu was still down); a
    period that begins after the original expiry but before the extended one extends it again,
    to a fixed point. A period that begins exactly at the expiry does not overlap [since, expiry)
    and changes nothing. An interruption still going on is passed with ``end`` = now: the expiry
    then stays ahead of now for as long as it lasts, and is recomputed when it ends.
    """
    current = _utc(expiry)
    # Disjoint and in order, so one pass reaches the fixed point: each period that starts before
    # the expiry reached so far moves it on by its length, and may bring the next one in.
    for period in merge_periods(periods, since=_utc(since)):
        if period.start >= current:
            break
        current += period.end - period.start
    return current


# Reminders are never sent at night (#14: 08:00-21:00 local).
REMINDER_START_HOUR = 8
REMINDER_END_HOUR = 21


def _check_hours(start: int, end: int) -> None:
    if not 0 <= start < end <= 24:
        raise ValueError(f"expected 0 <= start < end <= 24, got {start} and {end}")


def is_within_hours(
    instant: dt.datetime, start: int = REMINDER_START_HOUR, end: int = REMINDER_END_HOUR
) -> bool:
    """Whether ``instant`` falls in [start:00, end:00) of the seu's local time (by default
    08:00 to 21:00, 21:00 itself being night)."""
    _check_hours(start, end)
    local = to_local(instant)
    return start <= local.hour < end


def next_reminder_instant(
    wanted: dt.datetime, *, start: int = REMINDER_START_HOUR, end: int = REMINDER_END_HOUR
) -> dt.datetime:
    """The first instant (UTC) at or after ``wanted`` in the allowed hours of the seu's local
    time: ``wanted`` itself by day, else ``start``:00 of the same morning (before dawn) or of the
    next day (after ``end``:00)."""
    _check_hours(start, end)
    local = to_local(wanted)
    if start <= local.hour < end:
        return _utc(wanted)
    day = local.date() if local.hour < start else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(start), SEU_TZ).astimezone(dt.UTC)
