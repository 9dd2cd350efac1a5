"""Two people taking the last place of a slot at the same instant: one gets it (issue 6.4)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from cites import services
from cites.models import Appointment, Service, Slot
from tests.cites.conftest import applicant, local, nif_for

MONDAY = local(2026, 3, 30, 8, 0)
ATTEMPTS = 30


@pytest.mark.django_db(transaction=True)
def test_thirty_simultaneous_bookings_of_a_one_place_slot_make_exactly_one(fnmt: Service) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises every write: the race needs PostgreSQL's row locks")
    starts_at = local(2026, 3, 31, 9, 0)
    # The slot row already exists (an earlier booking was cancelled): no insert serialises the
    # attempts, only the row lock does.
    Slot.objects.create(service=fnmt, starts_at=starts_at)
    barrier = threading.Barrier(ATTEMPTS)

    def attempt(number: int) -> str:
        try:
            barrier.wait()
            services.book_appointment(
                service=fnmt, starts_at=starts_at, applicant=applicant(nif_for(number)), now=MONDAY
            )
            return "booked"
        except services.SlotFull:
            return "full"
        finally:
            connections.close_all()  # each thread had its own connection

    with ThreadPoolExecutor(max_workers=ATTEMPTS) as pool:
        outcomes = list(pool.map(attempt, range(1, ATTEMPTS + 1)))

    assert outcomes.count("booked") == 1
    assert outcomes.count("full") == ATTEMPTS - 1
    assert Appointment.objects.filter(starts_at=starts_at).count() == 1
    assert Slot.objects.filter(starts_at=starts_at).count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_person_booking_twice_at_once_gets_one_appointment(fnmt: Service) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises every write: the race needs PostgreSQL's row locks")
    fnmt.places_per_slot = 5
    fnmt.save()
    times = [local(2026, 3, 31, 9, 0), local(2026, 3, 31, 9, 15), local(2026, 4, 2 + 5, 9, 0)]
    barrier = threading.Barrier(len(times) * 3)

    def attempt(index: int) -> str:
        try:
            barrier.wait()
            services.book_appointment(
                service=fnmt,
                starts_at=times[index % len(times)],
                applicant=applicant("12345678Z"),
                now=MONDAY,
            )
            return "booked"
        except services.AlreadyBooked:
            return "already"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(times) * 3) as pool:
        outcomes = list(pool.map(attempt, range(len(times) * 3)))
    assert outcomes.count("booked") == 1
    assert Appointment.objects.filter(nif="12345678Z").count() == 1
