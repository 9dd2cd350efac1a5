"""The computed availability is cached, and forgotten by every change of places or timetable; a
time already past leaves the cached availability without any change."""

from __future__ import annotations

import datetime as dt

import pytest

from cites import selectors, services
from cites.models import Appointment, Service
from tests.cites.conftest import book, local

pytestmark = pytest.mark.django_db

MONDAY = local(2026, 3, 30, 8, 0)
NINE = local(2026, 3, 30, 9, 0)
NINE_DAY = NINE.date()


def times(service: Service, now: dt.datetime, day: dt.date = NINE_DAY) -> list[dt.datetime]:
    days = selectors.availability(service, now=now, start=day, end=day)
    return [slot.starts_at for day in days for slot in day.slots]


def test_a_second_read_comes_from_the_cache(fnmt: Service, django_assert_num_queries) -> None:
    assert NINE in times(fnmt, MONDAY)
    with django_assert_num_queries(0):
        assert NINE in times(fnmt, MONDAY)


def test_a_booking_forgets_the_cached_availability(
    fnmt: Service, django_capture_on_commit_callbacks
) -> None:
    assert NINE in times(fnmt, MONDAY)
    with django_capture_on_commit_callbacks(execute=True):
        book(fnmt, NINE, now=MONDAY)
    assert NINE not in times(fnmt, MONDAY)


def test_a_cancellation_frees_the_cached_time(fnmt: Service) -> None:
    appointment = book(fnmt, NINE, now=MONDAY)
    assert NINE not in times(fnmt, MONDAY)
    services.cancel_appointment(appointment=appointment, now=MONDAY)
    assert NINE in times(fnmt, MONDAY)


def test_releasing_an_unconfirmed_booking_frees_the_cached_time(fnmt: Service) -> None:
    thursday = local(2026, 4, 9, 9, 0)
    appointment = book(fnmt, thursday, now=MONDAY)
    assert thursday not in times(fnmt, MONDAY, thursday.date())
    assert appointment.confirm_by is not None
    later = appointment.confirm_by + dt.timedelta(minutes=1)
    assert services.release_unconfirmed(now=later) == 1
    assert thursday in times(fnmt, later, thursday.date())


def test_a_closed_slot_leaves_the_cached_availability(fnmt: Service, office_clerk) -> None:
    assert NINE in times(fnmt, MONDAY)
    services.close_slot(service=fnmt, starts_at=NINE, reason="Absència", acting_user=office_clerk)
    assert NINE not in times(fnmt, MONDAY)


def test_a_closed_day_and_a_settings_change_forget_the_cache(fnmt: Service, office_clerk) -> None:
    assert NINE in times(fnmt, MONDAY)
    fnmt.places_per_slot = 2
    fnmt.save()
    book(fnmt, NINE, now=MONDAY)
    assert NINE in times(fnmt, MONDAY)  # one place of two left
    services.close_day(day=NINE.date(), reason="Vaga", acting_user=office_clerk)
    assert times(fnmt, MONDAY) == []


def test_a_moved_appointment_frees_its_former_time(fnmt: Service) -> None:
    appointment = book(fnmt, NINE, now=MONDAY)
    assert NINE not in times(fnmt, MONDAY)
    thursday = local(2026, 4, 9, 9, 0)
    services.change_appointment(appointment=appointment, starts_at=thursday, now=MONDAY)
    assert NINE in times(fnmt, MONDAY)
    assert Appointment.objects.get().starts_at == thursday


def test_a_past_time_disappears_without_any_change(
    fnmt: Service, django_assert_num_queries
) -> None:
    assert NINE in times(fnmt, local(2026, 3, 30, 8, 59))
    with django_assert_num_queries(0):  # the same cached entry, read a minute later
        later = times(
            fnmt,
            local(
                2026,
                3,
                30,
                9,
                0,
            ),
        )
    assert NINE not in later
    assert local(2026, 3, 30, 9, 15) in later
