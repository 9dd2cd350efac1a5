"""The resolution deadline of a case file (art. 27.1; Law 39/2015 art. 21, 30): computed when the
case opens, from the instant its entry counts in the registry (art. 33.h), by ``seu.calendar``,
for periods in months and in working days; told to the person on the receipt (art. 21.4)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from expedients import services
from seu.calendar import PeriodUnit
from tests.actors import CITIZEN
from tests.support.expedients import file_case, make_procedure
from tests.support.notifications import consent_of

pytestmark = pytest.mark.django_db

MADRID = ZoneInfo("Europe/Madrid")


def madrid(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=MADRID)


@pytest.fixture
def identification(town_hall: Any, organ: Any) -> Any:
    return consent_of(CITIZEN, now=madrid(2025, 1, 2, 9))


def receipt_line(case: Any, label: str) -> str:
    lines = {item["label"]: item["value"] for item in case.opening_entry.form_answers}
    return lines[label]


def test_a_case_filed_on_31_january_with_a_three_month_period_is_due_on_30_april(
    identification: Any, organ: Any
) -> None:
    procedure = make_procedure(organ, period=3, unit=PeriodUnit.MONTHS)
    filed = madrid(2025, 1, 31, 10)  # a Friday, a working day
    case = file_case(identification, procedure, presented_at=filed, now=filed)
    assert case.effective_at == filed
    assert case.base_deadline == case.deadline == dt.date(2025, 4, 30)
    # Law 39/2015 art. 21.4: the receipt tells the person the period and its last day.
    assert "30 d'abril de 2025" in receipt_line(case, "Termini màxim per resoldre i notificar")
    assert receipt_line(case, "Data de recepció") == "31 de gener de 2025"
    assert receipt_line(case, "Efecte del silenci administratiu") == "estimatori (positiu)"


def test_a_filing_on_a_saturday_counts_from_monday_for_a_period_in_months(
    identification: Any, organ: Any
) -> None:
    procedure = make_procedure(organ, period=3, unit=PeriodUnit.MONTHS)
    saturday = madrid(2026, 1, 31, 11, 30)
    case = file_case(identification, procedure, presented_at=saturday, now=saturday)
    # Art. 33.h: it counts from 00:00:01 of Monday 2 February.
    assert case.effective_at == madrid(2026, 2, 2, 0, 0, 1)
    assert case.opening_entry.presented_at == saturday
    # 2 February + 3 months = 2 May 2026, a Saturday: the period runs to Monday 4 May (art. 30.5).
    assert case.base_deadline == case.deadline == dt.date(2026, 5, 4)
    assert "4 de maig de 2026" in receipt_line(case, "Termini màxim per resoldre i notificar")


def test_a_filing_on_a_saturday_counts_from_monday_for_a_period_in_working_days(
    identification: Any, organ: Any
) -> None:
    procedure = make_procedure(organ, period=10, unit=PeriodUnit.WORKING_DAYS)
    saturday = madrid(2026, 1, 31, 11, 30)
    case = file_case(identification, procedure, presented_at=saturday, now=saturday)
    assert case.effective_at == madrid(2026, 2, 2, 0, 0, 1)
    # Ten working days from the day after Monday 2 February: 3-6, 9-13 and Monday 16.
    assert case.deadline == dt.date(2026, 2, 16)


def test_a_working_day_period_skips_the_balearic_easter_and_a_municipal_holiday(
    identification: Any, organ: Any
) -> None:
    from tests.factories import NonWorkingDayFactory

    NonWorkingDayFactory(date=dt.date(2026, 4, 8), name="Festa local")
    procedure = make_procedure(organ, period=5, unit=PeriodUnit.WORKING_DAYS)
    wednesday = madrid(2026, 4, 1, 12)
    case = file_case(identification, procedure, presented_at=wednesday, now=wednesday)
    # After 1 April: 2, 3 and 6 April are Balearic Easter, 4-5 a weekend, 8 the local holiday:
    # 7, 9, 10, 13 and 14 April.
    assert case.deadline == dt.date(2026, 4, 14)


def test_the_deadline_is_what_the_person_is_shown_as_the_next_date_while_the_case_is_open(
    identification: Any, organ: Any
) -> None:
    procedure = make_procedure(organ, period=3, unit=PeriodUnit.MONTHS)
    filed = madrid(2025, 1, 31, 10)
    case = file_case(identification, procedure, presented_at=filed, now=filed)
    label, due = services.next_deadline(case)  # type: ignore[misc]
    assert (str(label), due) == ("Termini màxim de resolució", dt.date(2025, 4, 30))
