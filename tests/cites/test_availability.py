"""Which days and times are offered (seed 000; issue 6 acceptance): opening weekdays only, never a
non-working day of the seu's calendar, a closed day or slot, or a time already past."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from cites import selectors, services
from cites.models import ClosedDay, Service, Slot
from tests.cites.conftest import book, local
from tests.factories import NonWorkingDayFactory

pytestmark = pytest.mark.django_db

# Monday of Holy Week 2026, 08:00 in Palma.
MONDAY = local(2026, 3, 30, 8, 0)


def offered_days(service: Service, now: dt.datetime, end: dt.date) -> list[dt.date]:
    return [d.date for d in selectors.availability(service, now=now, end=end)]


def test_a_new_service_opens_on_the_accreditation_office_weekdays() -> None:
    assert Service(name="x", code="x").weekdays == "0,1,3"


def test_only_opening_weekdays_that_are_working_days_are_offered(fnmt: Service) -> None:
    with time_machine.travel(MONDAY, tick=False):
        days = offered_days(fnmt, MONDAY, dt.date(2026, 4, 10))
    assert days == [
        dt.date(2026, 3, 30),  # Monday
        dt.date(2026, 3, 31),  # Tuesday
        # Wednesday 1 April: the office does not open on Wednesdays.
        # Thursday 2 April: Holy Thursday, a Balearic holiday.
        # Monday 6 April: Easter Monday, a Balearic holiday.
        dt.date(2026, 4, 7),  # Tuesday
        dt.date(2026, 4, 9),  # Thursday
    ]


def test_no_slot_on_a_wednesday_holy_thursday_or_easter_monday(fnmt: Service) -> None:
    with time_machine.travel(MONDAY, tick=False):
        for day in (dt.date(2026, 4, 1), dt.date(2026, 4, 2), dt.date(2026, 4, 6)):
            assert selectors.availability(fnmt, now=MONDAY, start=day, end=day) == []
            with pytest.raises(services.SlotNotOffered):
                book(fnmt, local(day.year, day.month, day.day, 9, 0), now=MONDAY)


def test_no_slot_on_a_local_holiday(fnmt: Service) -> None:
    NonWorkingDayFactory(date=dt.date(2026, 4, 14), name="Festa de Sant Joan Baptista")
    with time_machine.travel(MONDAY, tick=False):
        days = offered_days(fnmt, MONDAY, dt.date(2026, 4, 16))
        assert dt.date(2026, 4, 14) not in days
        assert dt.date(2026, 4, 13) in days and dt.date(2026, 4, 16) in days
        with pytest.raises(services.SlotNotOffered):
            book(fnmt, local(2026, 4, 14, 9, 0), now=MONDAY)


def test_no_slot_in_the_past(fnmt: Service) -> None:
    now = local(2026, 3, 31, 9, 20)  # Tuesday, during opening hours
    with time_machine.travel(now, tick=False):
        views = selectors.availability(fnmt, now=now, end=dt.date(2026, 4, 2))
    assert views[0].date == dt.date(2026, 3, 31)  # not Monday, which is over
    assert [slot.key for slot in views[0].slots] == ["09:30", "09:45"]
    with pytest.raises(services.SlotNotOffered):
        book(fnmt, local(2026, 3, 31, 9, 15), now=now)


def test_a_closed_day_and_a_closed_slot_are_not_offered(fnmt: Service, office_clerk) -> None:
    ClosedDay.objects.create(date=dt.date(2026, 3, 31), reason="Formació")
    services.close_slot(
        service=fnmt,
        starts_at=local(2026, 4, 7, 9, 15),
        reason="Absència",
        acting_user=office_clerk,
    )
    with time_machine.travel(MONDAY, tick=False):
        views = selectors.availability(fnmt, now=MONDAY, end=dt.date(2026, 4, 7))
    assert [v.date for v in views] == [dt.date(2026, 3, 30), dt.date(2026, 4, 7)]
    assert [s.key for s in views[1].slots] == ["09:00", "09:30", "09:45"]
    assert Slot.objects.get(starts_at=local(2026, 4, 7, 9, 15)).is_closed


def test_a_full_slot_is_not_offered(fnmt: Service) -> None:
    book(fnmt, local(2026, 3, 31, 9, 0), now=MONDAY)
    views = selectors.availability(
        fnmt, now=MONDAY, start=dt.date(2026, 3, 31), end=dt.date(2026, 3, 31)
    )
    assert [s.key for s in views[0].slots] == ["09:15", "09:30", "09:45"]


def test_the_page_lists_open_days_and_links_to_them(client: Client, fnmt: Service) -> None:
    with time_machine.travel(MONDAY, tick=False):
        response = client.get("/cita-previa/fnmt/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "/cita-previa/fnmt/2026-03-31/" in body
    assert "/cita-previa/fnmt/2026-04-01/" not in body
    assert "/cita-previa/fnmt/2026-04-02/" not in body
    assert "/cita-previa/fnmt/2026-04-06/" not in body


def test_the_landing_page_explains_the_four_steps_and_what_to_bring(
    client: Client, fnmt: Service
) -> None:
    body = client.get("/cita-previa/").content.decode()
    assert "quatre passos" in body
    assert "codi de sol·licitud" in body
    assert "passaport" in body and "permís de conduir" in body and "NIE" in body
    assert "/cita-previa/fnmt/" in body
