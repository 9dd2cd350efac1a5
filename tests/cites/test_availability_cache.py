"""The computed availability is cached, and forgotten by every use case of ``cites.services`` that
may fill or free a time or change the timetable (the services forget it, no signal does); a time
already past leaves the cached availability without any change."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
import time_machine
from django.test import Client

from cites import selectors, services
from cites.models import Appointment, Service
from tests.cites.conftest import book, local, nif_for
from tests.conftest import log_in_to_back_office
from tests.factories import TownHallFactory

pytestmark = pytest.mark.django_db

MONDAY = local(2026, 3, 30, 8, 0)
NINE = local(2026, 3, 30, 9, 0)
NINE_DAY = NINE.date()


def settings_of(service: Service, **changes: object) -> services.ServiceSettings:
    current = {
        name: getattr(service, name) for name in services.ServiceSettings.__dataclass_fields__
    }
    return dataclasses.replace(services.ServiceSettings(**current), **changes)  # type: ignore[arg-type]


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
    fnmt = services.change_service(
        service=fnmt, values=settings_of(fnmt, places_per_slot=2), acting_user=office_clerk
    )
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


@pytest.fixture
def two_places(fnmt: Service) -> Service:
    fnmt.places_per_slot = 2
    fnmt.save()
    return fnmt


def test_a_booking_that_leaves_places_keeps_its_day_cached(
    two_places: Service, django_assert_num_queries, django_capture_on_commit_callbacks
) -> None:
    assert NINE in times(two_places, MONDAY)
    with django_capture_on_commit_callbacks(execute=True):
        book(two_places, NINE, now=MONDAY)
    with django_assert_num_queries(0):
        assert NINE in times(two_places, MONDAY)  # one place of two left


def test_a_booking_that_takes_the_last_place_hides_the_time_at_once(
    two_places: Service, django_capture_on_commit_callbacks
) -> None:
    book(two_places, NINE, now=MONDAY, nif=nif_for(1))
    assert NINE in times(two_places, MONDAY)
    with django_capture_on_commit_callbacks(execute=True):
        book(two_places, NINE, now=MONDAY, nif=nif_for(2))
    assert NINE not in times(two_places, MONDAY)
    assert local(2026, 3, 30, 9, 15) in times(two_places, MONDAY)


def test_the_last_place_hides_the_time_even_before_the_commit(two_places: Service) -> None:
    # A reader between the booking and its commit may cache the old answer: the day is
    # forgotten again after the commit; this checks the first forgetting, at once.
    book(two_places, NINE, now=MONDAY, nif=nif_for(1))
    assert NINE in times(two_places, MONDAY)
    book(two_places, NINE, now=MONDAY, nif=nif_for(2))
    assert NINE not in times(two_places, MONDAY)


def test_a_cancellation_in_a_full_time_shows_it_again_at_once(two_places: Service) -> None:
    book(two_places, NINE, now=MONDAY, nif=nif_for(1))
    second = book(two_places, NINE, now=MONDAY, nif=nif_for(2))
    assert NINE not in times(two_places, MONDAY)
    services.cancel_appointment(appointment=second, now=MONDAY)
    assert NINE in times(two_places, MONDAY)


def test_a_row_saved_outside_the_services_is_not_how_the_cache_learns(fnmt: Service) -> None:
    # The services forget the cache explicitly; a shell's save() of a row is not a use case and
    # no signal listens to it any more: the cached day stays as it was until its version goes.
    appointment = book(fnmt, NINE, now=MONDAY)
    assert NINE not in times(fnmt, MONDAY)
    appointment.state = Appointment.State.CANCELLED
    appointment.save()
    assert NINE not in times(fnmt, MONDAY)
    assert selectors.offered_service("fnmt") is not None
    fnmt.is_active = False
    fnmt.save()
    assert selectors.offered_service("fnmt") is not None
    # The same changes through the services are seen at once.
    services.change_service(service=fnmt, values=settings_of(fnmt), acting_user=None)
    assert selectors.offered_service("fnmt") is None


def test_the_service_forgets_the_day_it_changes_and_only_that_day(
    fnmt: Service, django_assert_num_queries
) -> None:
    thursday = local(2026, 4, 9, 9, 0)
    appointment = book(fnmt, NINE, now=MONDAY)
    assert NINE not in times(fnmt, MONDAY)
    assert thursday in times(fnmt, MONDAY, thursday.date())
    services.cancel_appointment(appointment=appointment, now=MONDAY)
    with django_assert_num_queries(0):  # another day stays cached
        assert thursday in times(fnmt, MONDAY, thursday.date())
    assert NINE in times(fnmt, MONDAY)  # the cancelled time is free at once


def test_the_services_are_read_from_the_cache_and_a_changed_service_is_seen_at_once(
    fnmt: Service, django_assert_num_queries
) -> None:
    assert selectors.offered_service("fnmt") is not None
    with django_assert_num_queries(0):
        found = selectors.offered_service("fnmt")
    assert found is not None and found.places_per_slot == 1
    found.places_per_slot = 9  # each caller gets its own copy
    assert selectors.offered_service("fnmt").places_per_slot == 1  # type: ignore[union-attr]
    fnmt = services.change_service(
        service=fnmt, values=settings_of(fnmt, places_per_slot=3), acting_user=None
    )
    assert selectors.offered_service("fnmt").places_per_slot == 3  # type: ignore[union-attr]
    services.change_service(
        service=fnmt, values=settings_of(fnmt, is_active=False), acting_user=None
    )
    assert selectors.offered_service("fnmt") is None


def test_a_service_the_clerk_withdraws_is_no_longer_offered(
    client: Client, office_clerk, fnmt: Service
) -> None:
    with time_machine.travel(MONDAY, tick=False):
        assert client.get("/cita-previa/fnmt/").status_code == 200
        log_in_to_back_office(client, office_clerk)
        fields = {
            "name_ca": fnmt.name,
            "code": "fnmt",
            "description_ca": "",
            "asks_request_code": "on",
            "weekdays": ["0", "1", "3"],
            "opens_at": "09:00",
            "closes_at": "10:00",
            "slot_minutes": "15",
            "places_per_slot": "1",
            "horizon_days": "56",
            "position": "0",
        }  # no "is_active": unticked
        response = client.post(f"/gestio/cites/service/{fnmt.pk}/change/", fields)
        assert response.status_code == 302, response.content.decode()[:2000]
        assert client.get("/cita-previa/fnmt/").status_code == 404
        assert client.get("/cita-previa/fnmt/2026-03-31/").status_code == 404


def test_the_day_page_reads_the_opening_days_and_times_cached_by_the_list(
    client: Client, fnmt: Service, django_assert_num_queries
) -> None:
    TownHallFactory()  # an empty database's placeholder town hall is not cached
    with time_machine.travel(MONDAY, tick=False):
        client.get("/cita-previa/fnmt/")
        with django_assert_num_queries(0):
            page = client.get("/cita-previa/fnmt/2026-03-31/").content.decode()
    assert 'value="09:00"' in page and 'value="09:45"' in page


def test_a_day_beyond_the_horizon_is_not_offered_even_by_a_typed_address(fnmt: Service) -> None:
    # The office opens its agenda eight weeks ahead; a Tuesday after them is an open weekday.
    far = local(2026, 9, 1, 9, 0)
    assert far.date() in selectors.opening_days(fnmt, now=MONDAY, start=far.date(), end=far.date())
    assert not selectors.is_offered(fnmt, far, now=MONDAY)
    assert times(fnmt, MONDAY, far.date()) == []
