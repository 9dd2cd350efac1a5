"""The working-day calendar (ordinance art. 33.h; Law 39/2015, art. 30) against 2026."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from seu import calendar
from seu.models import NonWorkingDay
from tests.factories import NonWorkingDayFactory

pytestmark = pytest.mark.django_db

MADRID = ZoneInfo("Europe/Madrid")
UTC = dt.UTC

# The official list, annex point 1 of the "Resolución de la consejera de Trabajo, Función Pública y
# Diálogo Social por la que se hace público el calendario laboral general y local para el año 2026
# en el ámbito de las Illes Balears" (signed 25 September 2025, on the Consell de Govern agreement
# of 11 April 2025), BOIB 2025/12164, https://intranet.caib.es/eboibfront/es/2025/12164/706263/ ;
# names as the BOIB prints them in Spanish (the last six as Europa Press, 3 October 2025, quotes
# the same resolution). Twelve days; the Dia de les Illes Balears (1 March) falls on a Sunday and
# the holiday is Monday 2 March.
#
# The ``holidays`` library (0.109, ES subdiv IB) returns exactly these twelve dates. Only names
# differ ("Lunes siguiente a Día de las Islas Baleares", "Natividad del Señor", "San Esteban"), so
# names are checked for presence, not spelling.
OFFICIAL_BALEARIC_HOLIDAYS_2026 = {
    dt.date(2026, 1, 1): "Año Nuevo",  # Thursday
    dt.date(2026, 1, 6): "Epifanía del Señor",  # Tuesday
    dt.date(2026, 3, 2): "Día siguiente al Día de las Illes Balears",  # Monday
    dt.date(2026, 4, 2): "Jueves Santo",
    dt.date(2026, 4, 3): "Viernes Santo",
    dt.date(2026, 4, 6): "Lunes de Pascua",
    dt.date(2026, 5, 1): "Día del Trabajo",  # Friday
    dt.date(2026, 8, 15): "Asunción de la Virgen",  # Saturday
    dt.date(2026, 10, 12): "Fiesta Nacional",  # Monday
    dt.date(2026, 12, 8): "Inmaculada Concepción",  # Tuesday
    dt.date(2026, 12, 25): "Día de Navidad",  # Friday
    dt.date(2026, 12, 26): "Segunda Fiesta de Navidad",  # Saturday
}


def madrid(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=MADRID)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=UTC)


# --- The regional calendar -------------------------------------------------------------------


def test_the_library_gives_exactly_the_official_balearic_holidays_of_2026() -> None:
    assert set(calendar.regional_holidays(2026)) == set(OFFICIAL_BALEARIC_HOLIDAYS_2026)


def test_the_dia_de_les_illes_balears_moves_from_sunday_1_march_to_monday_2_march() -> None:
    assert dt.date(2026, 3, 1).weekday() == 6
    assert dt.date(2026, 3, 1) not in calendar.regional_holidays(2026)
    assert not calendar.is_working_day(dt.date(2026, 3, 1))  # a Sunday all the same
    assert not calendar.is_working_day(dt.date(2026, 3, 2))
    assert calendar.is_working_day(dt.date(2026, 3, 3))


@pytest.mark.parametrize("day", sorted(OFFICIAL_BALEARIC_HOLIDAYS_2026))
@pytest.mark.parametrize("language", ["ca", "es", "en"])
def test_each_balearic_holiday_of_2026_is_non_working_and_has_a_name(
    day: dt.date, language: str
) -> None:
    working_calendar = calendar.WorkingCalendar()

    assert not working_calendar.is_working_day(day)
    reason = working_calendar.non_working_reason(day, language)
    assert reason
    assert reason not in {"Cap de setmana", "Fin de semana", "Weekend"}


@pytest.mark.parametrize(
    ("day", "name"),
    [(dt.date(2026, 4, 2), "Dijous Sant"), (dt.date(2026, 4, 6), "Dilluns de Pasqua")],
)
def test_holy_thursday_and_easter_monday_are_non_working_in_the_balearic_islands(
    day: dt.date, name: str
) -> None:
    # Neither is a national holiday: they come from the IB subdivision.
    assert day.weekday() in {0, 3}
    assert calendar.WorkingCalendar().non_working_reason(day) == name


def test_ordinary_weekdays_are_working_days_and_weekends_are_not() -> None:
    working_calendar = calendar.WorkingCalendar()

    assert working_calendar.non_working_reason(dt.date(2026, 4, 7)) is None  # Tuesday after Easter
    assert working_calendar.non_working_reason(dt.date(2026, 4, 11)) == "Cap de setmana"
    assert working_calendar.non_working_reason(dt.date(2026, 4, 12), "es") == "Fin de semana"
    assert working_calendar.non_working_reason(dt.date(2026, 4, 12), "en") == "Weekend"


# --- Effective instants (ordinance art. 33.h) ------------------------------------------------


def test_a_saturday_submission_counts_from_the_first_second_of_monday() -> None:
    presented = madrid(2026, 5, 16, 18, 45, 12)  # Saturday
    presented_copy = presented.replace()

    effective = calendar.WorkingCalendar().effective_instant(presented)

    assert effective == madrid(2026, 5, 18, 0, 0, 1)
    assert effective.astimezone(UTC) == utc(2026, 5, 17, 22, 0, 1)
    # Both instants go on the entry: the presented one is left as it was.
    assert presented == presented_copy
    assert presented < effective


def test_a_submission_on_christmas_eve_2026_a_thursday_counts_as_presented() -> None:
    presented = madrid(2026, 12, 24, 13, 5)

    assert calendar.is_working_day(presented.date())
    assert calendar.WorkingCalendar().effective_instant(presented) == presented


def test_a_submission_on_christmas_day_2026_counts_from_monday_28_december() -> None:
    # Friday 25 (Nadal), Saturday 26 (Segona festa), Sunday 27: the next working day is Monday 28.
    presented = madrid(2026, 12, 25, 10, 0)

    effective = calendar.WorkingCalendar().effective_instant(presented)

    assert effective == madrid(2026, 12, 28, 0, 0, 1)
    assert effective.utcoffset() == dt.timedelta(hours=1)


def test_a_submission_at_the_first_instant_of_a_working_day_is_not_moved() -> None:
    presented = utc(2026, 5, 17, 22, 0, 0)  # Monday 18 May, 00:00:00 in Madrid

    assert calendar.WorkingCalendar().effective_instant(presented) == presented


# --- Municipal days ---------------------------------------------------------------------------


def test_the_town_halls_two_local_holidays_are_non_working() -> None:
    # Illustrative dates: the real ones are the town's entries in the BOIB annex, kept by staff.
    NonWorkingDayFactory.create(
        date=dt.date(2026, 1, 20), kind=NonWorkingDay.Kind.LOCAL_HOLIDAY, name="Sant Sebastià"
    )
    NonWorkingDayFactory.create(
        date=dt.date(2026, 8, 10), kind=NonWorkingDay.Kind.LOCAL_HOLIDAY, name="Sant Llorenç"
    )
    working_calendar = calendar.WorkingCalendar()

    assert working_calendar.non_working_reason(dt.date(2026, 1, 20)) == "Sant Sebastià"
    assert working_calendar.non_working_reason(dt.date(2026, 8, 10)) == "Sant Llorenç"
    assert working_calendar.is_working_day(dt.date(2026, 8, 11))
    # Presented on the feast day (a Monday), it counts from Tuesday.
    assert working_calendar.effective_instant(madrid(2026, 8, 10, 9, 30)) == madrid(
        2026, 8, 11, 0, 0, 1
    )
    # A period running over it skips it: Friday 7 + 1 working day is Tuesday 11.
    assert working_calendar.add_working_days(dt.date(2026, 8, 7), 1) == dt.date(2026, 8, 11)


def test_a_day_the_town_hall_declares_non_working_counts_like_a_holiday() -> None:
    NonWorkingDayFactory.create(
        date=dt.date(2026, 12, 24),
        kind=NonWorkingDay.Kind.DECLARED,
        name="Tancament de les oficines",
    )
    working_calendar = calendar.WorkingCalendar()

    assert working_calendar.non_working_reason(dt.date(2026, 12, 24)) == (
        "Tancament de les oficines"
    )
    # Christmas Eve declared, then Christmas, Segona festa and Sunday: Monday 28 is next.
    assert working_calendar.effective_instant(madrid(2026, 12, 24, 13, 5)) == madrid(
        2026, 12, 28, 0, 0, 1
    )


# --- Periods in working days (Law 39/2015, art. 30.2) ----------------------------------------


def test_ten_working_days_from_wednesday_1_april_2026_skip_easter_and_weekends() -> None:
    # Counting starts the day after: Thu 2 (Dijous Sant), Fri 3 (Divendres Sant), Sat 4, Sun 5 and
    # Mon 6 (Dilluns de Pasqua) do not count; then Tue 7 (1), Wed 8 (2), Thu 9 (3), Fri 10 (4),
    # Mon 13 (5), Tue 14 (6), Wed 15 (7), Thu 16 (8), Fri 17 (9), Mon 20 (10).
    working_calendar = calendar.WorkingCalendar()

    assert working_calendar.add_working_days(dt.date(2026, 4, 1), 10) == dt.date(2026, 4, 20)
    assert working_calendar.working_days_between(dt.date(2026, 4, 1), dt.date(2026, 4, 20)) == 10
    assert calendar.add_working_days(dt.date(2026, 4, 1), 1) == dt.date(2026, 4, 7)


def test_zero_working_days_is_the_start_date_itself() -> None:
    assert calendar.add_working_days(dt.date(2026, 4, 1), 0) == dt.date(2026, 4, 1)
    assert calendar.add_working_days(dt.date(2026, 4, 4), 0) == dt.date(2026, 4, 4)


def test_a_negative_number_of_working_days_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        calendar.add_working_days(dt.date(2026, 4, 1), -1)


def test_a_period_crossing_new_year_skips_the_holidays_of_both_years() -> None:
    # From Monday 28 December 2026: Tue 29 (1), Wed 30 (2), Thu 31 (3), Fri 1 January (Cap d'Any),
    # Sat 2, Sun 3, Mon 4 (4), Tue 5 (5), Wed 6 (Reis), Thu 7 (6). Both are national holidays, so
    # this holds before the 2027 Balearic calendar is published.
    assert calendar.add_working_days(dt.date(2026, 12, 28), 6) == dt.date(2027, 1, 7)


# --- Local time around midnight and daylight-saving changes ----------------------------------


def test_the_next_working_day_is_reckoned_from_the_local_date_not_the_utc_one() -> None:
    # 23:30 UTC on Friday 27 March is already Saturday 00:30 in Madrid (CET, +01:00).
    instant = utc(2026, 3, 27, 23, 30)
    working_calendar = calendar.WorkingCalendar()

    assert calendar.to_local(instant).date() == dt.date(2026, 3, 28)
    # Monday 30 March, after the clocks went forward on Sunday 29: +02:00.
    start = working_calendar.next_working_day_start(instant)
    assert start == madrid(2026, 3, 30, 0, 0, 1)
    assert start.utcoffset() == dt.timedelta(hours=2)
    assert start.astimezone(UTC) == utc(2026, 3, 29, 22, 0, 1)
    # Friday in UTC but Saturday in Madrid: the presentation is moved.
    assert working_calendar.effective_instant(instant) == start


def test_just_before_local_midnight_a_working_day_is_still_a_working_day() -> None:
    instant = utc(2026, 3, 27, 22, 59, 59)  # Friday 23:59:59 in Madrid

    assert calendar.WorkingCalendar().effective_instant(instant) == instant
    assert calendar.next_working_day_start(instant) == madrid(2026, 3, 30, 0, 0, 1)


def test_ten_calendar_days_across_the_spring_change_keep_the_wall_clock_time() -> None:
    made_available = madrid(2026, 3, 25, 12, 0)  # CET, +01:00

    deadline = calendar.add_calendar_days(made_available, 10)

    assert deadline == madrid(2026, 4, 4, 12, 0)
    assert deadline.utcoffset() == dt.timedelta(hours=2)
    # One hour less than 240 real hours: the clock moved on 29 March. (Subtract in UTC: Python
    # subtracts two datetimes sharing a tzinfo by wall clock.)
    elapsed = deadline.astimezone(UTC) - made_available.astimezone(UTC)
    assert elapsed == dt.timedelta(days=10, hours=-1)


def test_ten_calendar_days_across_the_autumn_change_keep_the_wall_clock_time() -> None:
    made_available = utc(2026, 10, 20, 10, 0)  # 12:00 CEST

    deadline = calendar.add_calendar_days(made_available, 10)

    assert calendar.to_local(deadline).time() == dt.time(12, 0)
    assert deadline.astimezone(UTC) == utc(2026, 10, 30, 11, 0)
    assert deadline.astimezone(UTC) - made_available == dt.timedelta(days=10, hours=1)


def test_a_wall_clock_time_the_spring_change_skips_becomes_the_real_instant() -> None:
    # 02:30 on 29 March 2026 does not exist in Madrid (02:00 CET -> 03:00 CEST).
    made_available = madrid(2026, 3, 19, 2, 30)

    deadline = calendar.add_calendar_days(made_available, 10)

    assert deadline.astimezone(UTC) == utc(2026, 3, 29, 1, 30)
    assert (deadline.hour, deadline.minute) == (3, 30)
    assert deadline.utcoffset() == dt.timedelta(hours=2)


# --- Naive datetimes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "operation",
    [
        calendar.to_local,
        calendar.next_working_day_start,
        calendar.WorkingCalendar().effective_instant,
        lambda instant: calendar.add_calendar_days(instant, 10),
    ],
    ids=["to_local", "next_working_day_start", "effective_instant", "add_calendar_days"],
)
def test_naive_datetimes_are_refused(operation: object) -> None:
    naive = dt.datetime(2026, 5, 16, 18, 45)

    with pytest.raises(ValueError, match="aware"):
        operation(naive)  # type: ignore[operator]


def test_a_calendar_day_period_ending_on_a_non_working_day_runs_to_the_next_working_one() -> None:
    working = calendar.WorkingCalendar()
    # Friday 27 March 2026 + 2 calendar days = Sunday 29: the period runs to Monday 30 March.
    assert working.last_day_of_calendar_period(dt.date(2026, 3, 27), 2) == dt.date(2026, 3, 30)
    # Ending on Holy Thursday 2 April 2026 it runs past Good Friday and Easter Monday to the 7th.
    assert working.last_day_of_calendar_period(dt.date(2026, 3, 31), 2) == dt.date(2026, 4, 7)
    assert working.last_day_of_calendar_period(dt.date(2026, 3, 23), 3) == dt.date(2026, 3, 26)


def test_a_period_ends_at_midnight_local_time_across_daylight_saving() -> None:
    end = calendar.end_of_day(dt.date(2026, 3, 28))
    assert end.isoformat() == "2026-03-29T00:00:00+01:00"
    assert calendar.end_of_day(dt.date(2026, 3, 29)).isoformat() == "2026-03-30T00:00:00+02:00"
