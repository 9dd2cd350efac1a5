"""The working-day calendar: the one place where every legal deadline of the portal is computed.

Non-working days are Saturdays and Sundays (Law 39/2015, art. 30.2), national and Balearic holidays
(the ``holidays`` library, Spain subdivision ``IB``), and the municipality's local holidays and days
it declares non-working (``NonWorkingDay`` rows, kept by staff in the back-office). Everything is
reckoned in the seu's official time, Europe/Madrid (art. 33.h).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
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


def now() -> dt.datetime:
    """The seu's clock (art. 33.h): the one function every service reads; tests freeze it."""
    return timezone.now()


def is_working_day(day: dt.date) -> bool:
    return WorkingCalendar().is_working_day(day)


def next_working_day_start(instant: dt.datetime) -> dt.datetime:
    return WorkingCalendar().next_working_day_start(instant)


def add_working_days(start: dt.date, days: int) -> dt.date:
    return WorkingCalendar().add_working_days(start, days)
