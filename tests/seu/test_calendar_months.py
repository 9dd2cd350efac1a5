"""Periods in months and in working days (Law 39/2015 art. 30.2-30.5), as ``seu.calendar``
computes every resolution deadline and remedy period of the case files (#15)."""

from __future__ import annotations

import datetime as dt

import pytest

from seu.calendar import PeriodUnit, WorkingCalendar
from seu.models import NonWorkingDay
from tests.factories import NonWorkingDayFactory

pytestmark = pytest.mark.django_db


def test_three_months_from_31_january_end_on_30_april_the_last_day_of_the_shorter_month() -> None:
    assert WorkingCalendar().add_months(dt.date(2026, 1, 31), 3) == dt.date(2026, 4, 30)


def test_one_month_from_31_january_2028_ends_on_29_february_in_a_leap_year() -> None:
    calendar = WorkingCalendar()
    assert calendar.add_months(dt.date(2028, 1, 31), 1) == dt.date(2028, 2, 29)
    # In 2027, 28 February is a Sunday and 1 March the Balearic Islands day: to Tuesday 2 March.
    assert calendar.add_months(dt.date(2027, 1, 31), 1) == dt.date(2027, 3, 2)


def test_a_month_runs_date_to_date_when_the_month_has_that_day() -> None:
    # 15 June 2026 is a Monday, a working day.
    assert WorkingCalendar().add_months(dt.date(2026, 5, 15), 1) == dt.date(2026, 6, 15)


def test_a_month_period_ending_on_a_saturday_holiday_runs_to_the_next_working_day() -> None:
    # 15 August 2026 is a Saturday and the Assumption: the period runs to Monday 17 August.
    assert WorkingCalendar().add_months(dt.date(2026, 7, 15), 1) == dt.date(2026, 8, 17)
    # 12 October 2026 is the National Day, a Monday: to Tuesday 13.
    assert WorkingCalendar().add_months(dt.date(2026, 9, 12), 1) == dt.date(2026, 10, 13)


def test_a_month_period_ending_on_a_municipal_holiday_runs_to_the_next_working_day() -> None:
    # Sant Llorenç, 10 August (a Monday in 2026), is the town's feast day.
    assert WorkingCalendar().add_months(dt.date(2026, 7, 10), 1) == dt.date(2026, 8, 10)
    NonWorkingDayFactory(date=dt.date(2026, 8, 10), name="Sant Llorenç")
    assert WorkingCalendar().add_months(dt.date(2026, 7, 10), 1) == dt.date(2026, 8, 11)


def test_working_days_skip_weekends_national_balearic_and_municipal_days() -> None:
    NonWorkingDayFactory(
        date=dt.date(2026, 3, 4), name="Dia declarat inhàbil", kind=NonWorkingDay.Kind.DECLARED
    )
    calendar = WorkingCalendar()
    # Friday 27 February 2026: Saturday, Sunday, Monday 2 March (Balearic Islands day, moved),
    # Tuesday 3 is the first working day, Wednesday 4 declared non-working, Thursday 5 the second.
    assert calendar.add_working_days(dt.date(2026, 2, 27), 1) == dt.date(2026, 3, 3)
    assert calendar.add_working_days(dt.date(2026, 2, 27), 2) == dt.date(2026, 3, 5)
    # Friday 9 October: Monday 12 is the National Day, so the first working day is Tuesday 13.
    assert calendar.add_working_days(dt.date(2026, 10, 9), 1) == dt.date(2026, 10, 13)
    # Ten working days from Thursday 2 April 2026 (Balearic Easter: 2, 3 and 6 April).
    assert calendar.add_working_days(dt.date(2026, 4, 2), 10) == dt.date(2026, 4, 20)


def test_period_end_dispatches_on_the_procedures_unit() -> None:
    calendar = WorkingCalendar()
    start = dt.date(2026, 1, 31)
    assert calendar.period_end(start, 3, PeriodUnit.MONTHS) == dt.date(2026, 4, 30)
    assert calendar.period_end(start, 20, PeriodUnit.WORKING_DAYS) == dt.date(2026, 2, 27)
    # 30 calendar days from 31 January: 2 March, the Balearic holiday moved, so 3 March.
    assert calendar.period_end(start, 30, PeriodUnit.CALENDAR_DAYS) == dt.date(2026, 3, 3)
    with pytest.raises(ValueError):
        calendar.period_end(start, 1, "fortnights")
