"""Closed office days and the seu's non-working days, changed in the back-office (issue 12.4):
each change is logged with who made it (``BackOfficeChange``) and the office's availability,
cached, follows it at once."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from cites import selectors
from cites.models import ClosedDay, Service
from seu.models import BackOfficeChange, NonWorkingDay
from tests.cites.conftest import local
from tests.conftest import log_in_to_back_office

pytestmark = pytest.mark.django_db

MONDAY = local(2026, 3, 30, 8, 0)
TUESDAY = dt.date(2026, 3, 31)


def times(service: Service, day: dt.date = TUESDAY) -> list[dt.datetime]:
    days = selectors.availability(service, now=MONDAY, start=day, end=day)
    return [slot.starts_at for found in days for slot in found.slots]


def test_closing_a_day_is_logged_and_its_times_disappear_at_once(
    client: Client, fnmt: Service, office_clerk
) -> None:
    assert times(fnmt)  # computed and cached
    with time_machine.travel(MONDAY, tick=False):
        log_in_to_back_office(client, office_clerk)
        response = client.post(
            "/gestio/cites/closedday/add/", {"date": "2026-03-31", "service": "", "reason": "Vaga"}
        )

    assert response.status_code == 302
    assert times(fnmt) == []
    closed = ClosedDay.objects.get()
    assert closed.closed_by == office_clerk
    [change] = BackOfficeChange.objects.all()
    assert change.what == "cites.ClosedDay"
    assert change.object_id == str(closed.pk)
    assert change.action == BackOfficeChange.Action.CREATED
    assert change.actor == office_clerk
    assert change.values == {"date": [None, "2026-03-31"], "reason": [None, "Vaga"]}


def test_reopening_a_closed_day_is_logged_and_its_times_come_back_at_once(
    client: Client, fnmt: Service, office_clerk
) -> None:
    closed = ClosedDay.objects.create(date=TUESDAY, reason="Vaga")
    assert times(fnmt) == []  # computed and cached
    with time_machine.travel(MONDAY, tick=False):
        log_in_to_back_office(client, office_clerk)
        response = client.post(f"/gestio/cites/closedday/{closed.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert local(2026, 3, 31, 9, 0) in times(fnmt)
    assert not ClosedDay.objects.exists()
    [change] = BackOfficeChange.objects.all()
    assert change.action == BackOfficeChange.Action.DELETED
    assert change.actor == office_clerk
    assert change.values["reason"] == ["Vaga", None]


def test_moving_a_closed_day_is_logged_with_both_dates(
    client: Client, fnmt: Service, office_clerk
) -> None:
    closed = ClosedDay.objects.create(date=TUESDAY, reason="Vaga")
    thursday = dt.date(2026, 4, 9)
    assert times(fnmt, thursday)
    with time_machine.travel(MONDAY, tick=False):
        log_in_to_back_office(client, office_clerk)
        client.post(
            f"/gestio/cites/closedday/{closed.pk}/change/",
            {"date": "2026-04-09", "service": str(fnmt.pk), "reason": "Vaga"},
        )

    assert times(fnmt, thursday) == []
    assert times(fnmt)
    [change] = BackOfficeChange.objects.all()
    assert change.action == BackOfficeChange.Action.CHANGED
    assert change.values == {"date": ["2026-03-31", "2026-04-09"], "service": [None, fnmt.pk]}


def test_a_day_the_seu_declares_non_working_leaves_the_office_availability_at_once(
    client: Client, fnmt: Service, administrator
) -> None:
    assert times(fnmt)  # computed and cached
    with time_machine.travel(MONDAY, tick=False):
        log_in_to_back_office(client, administrator)
        client.post(
            "/gestio/seu/nonworkingday/add/",
            {"date": "2026-03-31", "kind": "declared", "name": "Tancament de les oficines"},
        )

    assert NonWorkingDay.objects.get().date == TUESDAY
    assert times(fnmt) == []
    assert BackOfficeChange.objects.get().actor == administrator
