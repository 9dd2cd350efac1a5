"""The clerk's side (issue 6.5): the day's agenda, recording the outcome, closing slots, the
printable agenda and the figures; all behind the ``cites.run_office`` permission."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from cites import selectors
from cites.models import Appointment, AppointmentTransition, Service, Slot
from seu.translated import texts
from tests.cites.conftest import book, local, nif_for
from tests.conftest import log_in_to_back_office

pytestmark = pytest.mark.django_db

MONDAY = local(2026, 3, 30, 8, 0)
TUESDAY = local(2026, 3, 31, 8, 0)
AGENDA = "/gestio/cites/appointment/agenda/?dia=2026-03-31&servei=fnmt"


@pytest.fixture
def booked(fnmt: Service) -> Appointment:
    from cites import services

    appointment = book(fnmt, local(2026, 3, 31, 9, 0), now=MONDAY, nif=nif_for(7))
    return services.confirm_appointment(appointment=appointment, now=MONDAY)


def test_the_agenda_lists_the_day_for_the_office_clerk(
    client: Client, office_clerk, booked: Appointment
) -> None:
    log_in_to_back_office(client, office_clerk)
    with time_machine.travel(TUESDAY, tick=False):
        response = client.get(AGENDA)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Margalida Sureda" in body and nif_for(7) in body and "123456789" in body
    assert "09:15" in body  # free times are listed too, to close them
    printable = client.get(AGENDA.replace("agenda/", "agenda/imprimir/"))
    assert "Margalida Sureda" in printable.content.decode()
    assert "cites/agenda_print.css" in printable.content.decode()


def test_staff_without_the_office_permission_see_nothing(
    client: Client, clerk, booked: Appointment
) -> None:
    log_in_to_back_office(client, clerk)
    assert client.get(AGENDA).status_code == 403
    assert client.get("/gestio/cites/appointment/").status_code == 403
    assert client.get(f"/gestio/cites/appointment/{booked.pk}/change/").status_code == 403
    assert "Margalida" not in client.get("/gestio/").content.decode()


def test_an_anonymous_visitor_is_sent_to_the_login(client: Client, booked: Appointment) -> None:
    response = client.get(AGENDA)
    assert response.status_code == 302 and "/gestio/login/" in response["Location"]


def test_the_clerk_records_an_accredited_identity(
    client: Client, office_clerk, booked: Appointment
) -> None:
    log_in_to_back_office(client, office_clerk)
    data = {
        "action": "outcome",
        "appointment": booked.pk,
        "outcome": "attended",
        "identity_document": "",
        "request_code": "123456789",
    }
    with time_machine.travel(local(2026, 3, 31, 9, 5), tick=False):
        refused = client.post(AGENDA, data, follow=True)
        assert "Indicau quin document d&#x27;identitat" in refused.content.decode()
        assert Appointment.objects.get().state == Appointment.State.CONFIRMED
        client.post(AGENDA, {**data, "identity_document": "passport"})
    booked.refresh_from_db()
    assert booked.state == Appointment.State.ATTENDED
    assert booked.identity_document == "passport"
    assert booked.accredited_request_code == "123456789"
    last = AppointmentTransition.objects.filter(appointment=booked).last()
    assert last is not None and last.actor == office_clerk and last.to_state == "attended"


def test_the_clerk_records_a_no_show_and_the_figures_count_it(
    client: Client, office_clerk, booked: Appointment
) -> None:
    log_in_to_back_office(client, office_clerk)
    with time_machine.travel(local(2026, 3, 31, 10, 0), tick=False):
        client.post(AGENDA, {"action": "outcome", "appointment": booked.pk, "outcome": "no_show"})
        page = client.get(AGENDA).content.decode()
    assert Appointment.objects.get().state == Appointment.State.NO_SHOW
    [week] = selectors.weekly_figures(since=dt.date(2026, 3, 1), until=dt.date(2026, 4, 30))
    assert (week.week, week.bookings, week.no_shows) == (dt.date(2026, 3, 30), 1, 1)
    assert "100 %" in page


def test_the_clerk_closes_a_slot_and_it_is_no_longer_offered(
    client: Client, office_clerk, fnmt: Service
) -> None:
    log_in_to_back_office(client, office_clerk)
    starts_at = local(2026, 3, 31, 9, 30)
    client.post(AGENDA, {"action": "close_slot", "starts_at": starts_at.isoformat()})
    assert Slot.objects.get(starts_at=starts_at).is_closed
    day = selectors.availability(
        fnmt, now=MONDAY, start=dt.date(2026, 3, 31), end=dt.date(2026, 3, 31)
    )
    assert [slot.key for slot in day[0].slots] == ["09:00", "09:15", "09:45"]


def test_the_clerk_sets_the_opening_days_and_timetable(
    client: Client, office_clerk, fnmt: Service
) -> None:
    log_in_to_back_office(client, office_clerk)
    response = client.post(
        f"/gestio/cites/service/{fnmt.pk}/change/",
        {
            "name_ca": fnmt.name,
            "code": "fnmt",
            "description_ca": "",
            "is_active": "on",
            "asks_request_code": "on",
            "weekdays": ["0", "4"],
            "opens_at": "10:00",
            "closes_at": "11:00",
            "slot_minutes": "20",
            "places_per_slot": "2",
            "horizon_days": "28",
            "position": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    fnmt.refresh_from_db()
    assert fnmt.weekdays == "0,4" and fnmt.places_per_slot == 2
    days = selectors.availability(fnmt, now=MONDAY, end=dt.date(2026, 4, 10))
    # Good Friday (3 April) and Easter Monday (6 April) are holidays.
    assert [d.date for d in days] == [dt.date(2026, 3, 30), dt.date(2026, 4, 10)]
    assert [s.key for s in days[0].slots] == ["10:00", "10:20", "10:40"]


def test_a_service_change_in_the_back_office_goes_through_the_service_and_is_logged(
    client: Client, office_clerk, fnmt: Service
) -> None:
    from seu.models import BackOfficeChange

    log_in_to_back_office(client, office_clerk)
    fields = {
        "name_ca": fnmt.name,
        "name_es": texts(fnmt, "name")["es"] or "",
        "name_en": texts(fnmt, "name")["en"] or "",
        "code": "fnmt",
        "description_ca": fnmt.description,
        "description_es": texts(fnmt, "description")["es"] or "",
        "description_en": texts(fnmt, "description")["en"] or "",
        "is_active": "on",
        "asks_request_code": "on",
        "weekdays": ["0", "1", "3"],
        "opens_at": "09:00",
        "closes_at": "10:00",
        "slot_minutes": "15",
        "places_per_slot": "0",
        "horizon_days": "56",
        "position": str(fnmt.position),
    }
    refused = client.post(f"/gestio/cites/service/{fnmt.pk}/change/", fields)
    assert refused.status_code == 200
    assert "Cada franja ha de tenir almenys una plaça." in refused.content.decode()
    assert 'value="09:00"' in refused.content.decode()  # what was typed stays
    fnmt.refresh_from_db()
    assert fnmt.places_per_slot == 1
    response = client.post(
        f"/gestio/cites/service/{fnmt.pk}/change/", {**fields, "places_per_slot": "3"}
    )
    assert response.status_code == 302
    change = BackOfficeChange.objects.get(what="cites.Service")
    assert change.actor == office_clerk and change.values == {"places_per_slot": [1, 3]}
