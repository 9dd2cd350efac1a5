"""The exposure period of an edict (art. 18; Law 39/2015, art. 30), computed by ``seu.calendar``:
a period of N working days counts from the day after publication and skips non-working days
(art. 30.2); a period of N calendar days also counts from the day after and, if its last day is
non-working, runs to the next working day (art. 30.5); a period "until a date" ends with that day.
Exposure ends at 24:00 (Europe/Madrid) of its last day."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from seu import calendar
from seu.errors import InvalidInput
from tauler.models import PeriodKind


def exposure_end(
    *,
    kind: str,
    days: int | None,
    until: dt.date | None,
    start: dt.datetime,
    working_calendar: calendar.WorkingCalendar | None = None,
) -> dt.datetime:
    """The instant exposure ends (exclusive): 24:00 of the period's last day, local time."""
    cal = working_calendar or calendar.WorkingCalendar()
    start_day = calendar.to_local(start).date()
    if kind == PeriodKind.WORKING_DAYS:
        last = cal.add_working_days(start_day, days or 0)
    elif kind == PeriodKind.CALENDAR_DAYS:
        last = cal.last_day_of_calendar_period(start_day, days or 0)
    else:
        assert until is not None
        last = until
    return calendar.end_of_day(last)


def check_period(
    *, kind: str, days: int | None, until: dt.date | None, start: dt.datetime | None = None
) -> None:
    """A period is a positive number of days up to the maximum, or a date after the start."""
    maximum = settings.TAULER_MAX_EXPOSURE_DAYS
    if kind in (PeriodKind.WORKING_DAYS, PeriodKind.CALENDAR_DAYS):
        if not days or days < 1 or days > maximum:
            raise InvalidInput(
                _("Indicau els dies d'exposició: entre 1 i %(max)d.") % {"max": maximum},
                code="bad_period",
            )
    elif kind == PeriodKind.UNTIL_DATE:
        if until is None:
            raise InvalidInput(_("Indicau fins a quin dia s'exposa l'edicte."), code="bad_period")
        if start is not None and until <= calendar.to_local(start).date():
            raise InvalidInput(
                _("El final de l'exposició (%(end)s) ha de ser posterior a l'inici (%(start)s).")
                % {
                    "end": calendar.format_date(until),
                    "start": calendar.format_date(start),
                },
                code="end_before_start",
            )
    else:
        raise InvalidInput(_("Tipus de període desconegut."), code="bad_period")
