"""Actors and helpers of the appointment tests: the FNMT service with a short morning timetable."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission, User

from cites import services
from cites.models import Appointment, Service
from seu.calendar import SEU_TZ


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SEU_TZ)


def applicant(nif: str = "12345678Z", **overrides: str) -> services.Applicant:
    data = {
        "nif": nif,
        "given_name": "Margalida",
        "first_surname": "Sureda",
        "email": "margalida@example.org",
        "phone": "",
        "request_code": "123456789",
    }
    data.update(overrides)
    return services.Applicant(**data)


def book(
    service: Service, starts_at: dt.datetime, *, now: dt.datetime, nif: str = "12345678Z"
) -> Appointment:
    return services.book_appointment(
        service=service, starts_at=starts_at, applicant=applicant(nif), now=now
    )


@pytest.fixture
def fnmt(db: None) -> Service:
    """Mondays, Tuesdays and Thursdays, 9:00 to 10:00, four 15-minute slots of one place."""
    service, _ = Service.objects.update_or_create(
        code="fnmt",
        defaults={
            "name": "Acreditació d'identitat per al certificat FNMT",
            "asks_request_code": True,
            "is_active": True,
            "weekdays": "0,1,3",
            "opens_at": dt.time(9, 0),
            "closes_at": dt.time(10, 0),
            "slot_minutes": 15,
            "places_per_slot": 1,
            "horizon_days": 56,
        },
    )
    return service


@pytest.fixture
def office_clerk(db: None) -> User:
    """A clerk of the accreditation office: staff with ``cites.run_office``."""
    from tests.factories import UserFactory

    user: User = UserFactory(username="oficina", staff=True)  # type: ignore[assignment]
    user.user_permissions.add(Permission.objects.get(codename="run_office"))
    return user


# Valid NIFs for distinct people (the letter is the number mod 23).
def nif_for(number: int) -> str:
    letters = "TRWAGMYFPDXBNJZSQVHLCKE"
    return f"{number:08d}{letters[number % 23]}"
