"""What a person is told when the booking form cannot be accepted (issue 6 acceptance): each
refusal has its own message, and nothing is booked."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.test import Client

from cites import services
from cites.models import Appointment, Service
from tests.cites.conftest import book, local

pytestmark = pytest.mark.django_db

MONDAY = local(2026, 3, 30, 8, 0)
URL = "/cita-previa/fnmt/2026-03-31/"
GOOD = {
    "time": "09:00",
    "nif": "12345678Z",
    "given_name": "Margalida",
    "first_surname": "Sureda",
    "email": "margalida@example.org",
    "phone": "",
    "request_code": "250123456",
}


def post(client: Client, **changes: str) -> str:
    with time_machine.travel(MONDAY, tick=False):
        response = client.post(URL, {**GOOD, **changes})
    assert response.status_code == 200, "a refused booking stays on the form"
    return response.content.decode()


def test_a_good_booking_goes_to_the_check_your_email_page(client: Client, fnmt: Service) -> None:
    with time_machine.travel(MONDAY, tick=False):
        response = client.post(URL, {**GOOD, "nif": " x1234567l ", "request_code": "ab-12CD"})
    assert response.status_code == 302 and response["Location"] == "/cita-previa/sollicitada/"
    appointment = Appointment.objects.get()
    assert appointment.nif == "X1234567L"
    assert appointment.request_code == "ab-12CD"  # kept as typed
    assert appointment.starts_at == local(2026, 3, 31, 9, 0)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"nif": "12345678A"}, "no és vàlid: revisau les xifres i la lletra"),
        ({"nif": "B12345674"}, "Cal el NIF o el NIE d&#x27;una persona física"),
        ({"email": "margalida@"}, "Escriviu una adreça electrònica vàlida"),
        ({"request_code": "2501<script>"}, "només pot tenir lletres sense accent, xifres i guions"),
        ({"request_code": "25 01"}, "només pot tenir lletres sense accent, xifres i guions"),
        ({"request_code": "123"}, "ha de tenir entre 4 i 40 caràcters"),
        ({"request_code": ""}, "Escriviu el codi de sol·licitud"),
        ({"phone": "abc"}, "Escriviu un telèfon"),
        ({"time": ""}, "Triau una hora."),
    ],
)
def test_bad_input_is_refused_with_its_message(
    client: Client, fnmt: Service, changes: dict[str, str], message: str
) -> None:
    body = post(client, **changes)
    assert message in body
    assert "govuk-error-summary" in body
    assert not Appointment.objects.exists()


def test_a_second_booking_for_the_same_nif_is_refused(client: Client, fnmt: Service) -> None:
    book(fnmt, local(2026, 4, 7, 9, 0), now=MONDAY, nif="12345678Z")
    body = post(client, nif="12345678-z")
    assert "ja té una cita activa per a aquest servei" in body
    assert Appointment.objects.count() == 1


def test_booking_a_closed_slot_is_refused(client: Client, fnmt: Service, office_clerk) -> None:
    services.close_slot(
        service=fnmt,
        starts_at=local(2026, 3, 31, 9, 0),
        reason="Absència",
        acting_user=office_clerk,
    )
    body = post(client)
    assert "L&#x27;oficina ha tancat aquesta hora" in body
    assert not Appointment.objects.exists()


def test_the_last_place_taken_meanwhile_asks_to_choose_another_time(
    client: Client, fnmt: Service
) -> None:
    book(fnmt, local(2026, 3, 31, 9, 0), now=MONDAY, nif="00000001R")
    body = post(client)
    assert "Algú altre acaba d&#x27;agafar la darrera plaça" in body
    assert 'value="09:00"' not in body  # the taken time is no longer offered
    assert 'value="09:15"' in body
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize("forged", ["09:07", "25:99", "9", "<script>x</script>"])
def test_a_time_outside_the_timetable_is_refused(
    client: Client, fnmt: Service, forged: str
) -> None:
    # The booking form accepts any posted time and lets the service decide: a forged one is
    # refused with the same message and is not offered back.
    body = post(client, time=forged)
    assert "Aquesta hora no s&#x27;ofereix" in body
    assert f'value="{forged}"' not in body and "<script>x" not in body
    assert 'value="09:00"' in body  # the day's real times are offered again
    assert not Appointment.objects.exists()


def test_a_wednesday_page_offers_nothing(client: Client, fnmt: Service) -> None:
    with time_machine.travel(MONDAY, tick=False):
        response = client.get("/cita-previa/fnmt/2026-04-01/")
        refused = client.post("/cita-previa/fnmt/2026-04-01/", GOOD)
    assert "ja no té cap hora lliure" in response.content.decode()
    assert "Aquesta hora no s&#x27;ofereix" in refused.content.decode()
    assert not Appointment.objects.exists()


def test_one_address_cannot_hoard_places_with_made_up_nifs(
    client: Client,
    fnmt: Service,
    settings: Any,
) -> None:
    settings.CITES_BOOKINGS_PER_ADDRESS = 2
    nifs = ["12345678Z", "X1234567L", "87654321X"]
    with time_machine.travel(MONDAY, tick=False):
        statuses = [
            client.post(URL, {**GOOD, "nif": nif, "time": time}).status_code
            for nif, time in zip(nifs, ["09:00", "09:15", "09:30"], strict=True)
        ]
        refused = client.post(URL, {**GOOD, "nif": "Y1234567X", "time": "09:45"})
        other_address = Client(REMOTE_ADDR="192.0.2.44").post(
            URL, {**GOOD, "nif": "Y1234567X", "time": "09:45"}
        )
    assert statuses == [302, 302, 200]
    assert "massa cites des d&#x27;aquesta connexió" in refused.content.decode()
    assert Appointment.objects.count() == 3
    assert other_address.status_code == 302
