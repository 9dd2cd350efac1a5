"""Issue 13 item 6: cancelling asks first (a GET never cancels), the cancelled page no longer says
what to bring, a confirm link opened again shows the confirmed appointment, and a person who lost
the e-mail can have the links sent again without anyone learning whether a booking exists."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.test import Client

from cites import services
from cites.models import Appointment, Service
from seu.models import OutgoingEmail
from tests.cites.conftest import book, local, nif_for

pytestmark = pytest.mark.django_db

MONDAY = local(2026, 3, 30, 8, 0)
TUESDAY_9 = local(2026, 3, 31, 9, 0)
WHAT_TO_BRING = "Portau un document"


@pytest.fixture
def confirmed(fnmt: Service) -> Appointment:
    appointment = book(fnmt, TUESDAY_9, now=MONDAY)
    return services.confirm_appointment(appointment=appointment, now=MONDAY)


def manage_token(appointment: Appointment) -> str:
    return services.make_link_token(appointment, salt=services.MANAGE_SALT)


def test_cancelling_asks_first_and_a_get_never_cancels(
    client: Client, confirmed: Appointment
) -> None:
    token = manage_token(confirmed)
    with time_machine.travel(MONDAY, tick=False):
        manage = client.get(f"/cita-previa/cita/{token}/").content.decode()
        assert f'href="/cita-previa/cita/{token}/anullar/"' in manage
        question = client.get(f"/cita-previa/cita/{token}/anullar/")
        assert question.status_code == 200
        assert "Voleu anul·lar la cita?" in question.content.decode()
        assert "Sí, anul·lar la cita" in question.content.decode()
        assert Appointment.objects.get().state == Appointment.State.CONFIRMED
        # The manage page itself no longer cancels on a POST.
        assert client.post(f"/cita-previa/cita/{token}/").status_code == 405
        assert Appointment.objects.get().state == Appointment.State.CONFIRMED
        done = client.post(f"/cita-previa/cita/{token}/anullar/", follow=True)
    assert Appointment.objects.get().state == Appointment.State.CANCELLED
    page = done.content.decode()
    assert "Cita anul·lada" in page
    assert WHAT_TO_BRING not in page
    assert "anullar/" not in page  # nothing left to cancel


def test_the_question_is_not_asked_of_an_appointment_already_cancelled(
    client: Client, confirmed: Appointment
) -> None:
    services.cancel_appointment(appointment=confirmed, now=MONDAY)
    token = manage_token(confirmed)
    with time_machine.travel(MONDAY, tick=False):
        response = client.get(f"/cita-previa/cita/{token}/anullar/")
        assert response.status_code == 302
        assert response["Location"] == f"/cita-previa/cita/{token}/"
        assert WHAT_TO_BRING not in client.get(response["Location"]).content.decode()


def test_a_confirm_link_opened_again_shows_the_confirmed_appointment(
    client: Client, fnmt: Service
) -> None:
    appointment = book(fnmt, TUESDAY_9, now=MONDAY)
    confirm_token = services.make_link_token(appointment, salt=services.CONFIRM_SALT)
    with time_machine.travel(MONDAY, tick=False):
        first = client.get(f"/cita-previa/confirmar/{confirm_token}/").content.decode()
        assert "<button" in first and "Confirmar la cita" in first
        client.post(f"/cita-previa/confirmar/{confirm_token}/")
        again = client.get(f"/cita-previa/confirmar/{confirm_token}/", follow=True)
    page = again.content.decode()
    assert again.redirect_chain and "/cita-previa/cita/" in again.redirect_chain[-1][0]
    assert "confirmada" in page
    assert "Confirmar la cita" not in page
    assert "Canviar el dia o l" in page and "/anullar/" in page
    assert WHAT_TO_BRING in page


def linked(body: str, kind: str, salt: str) -> Appointment:
    """The appointment that the link of ``kind`` in an e-mail's ``body`` opens."""
    found = re.search(rf"/cita-previa/{kind}/([^/\s]+)/", body)
    assert found, body
    with time_machine.travel(MONDAY, tick=False):
        return services.read_link_token(found.group(1), salt=salt)


def resend(client: Client, nif: str, email: str) -> str:
    response = client.post("/cita-previa/enllacos/", {"nif": nif, "email": email}, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def test_lost_links_are_sent_again_to_the_address_that_booked(
    client: Client, confirmed: Appointment
) -> None:
    with time_machine.travel(MONDAY, tick=False):
        page = resend(client, confirmed.nif.lower(), "Margalida@Example.org")
    assert "Si hi ha una cita activa amb aquest NIF" in page
    [sent] = OutgoingEmail.objects.filter(kind="cites.links")
    assert sent.to == "margalida@example.org"
    assert linked(sent.text_body, "cita", services.MANAGE_SALT) == confirmed


def test_a_pending_appointment_gets_its_confirm_link_again(client: Client, fnmt: Service) -> None:
    appointment = book(fnmt, TUESDAY_9, now=MONDAY)
    with time_machine.travel(MONDAY, tick=False):
        resend(client, appointment.nif, appointment.email)
    sent = OutgoingEmail.objects.get(kind="cites.links")
    assert linked(sent.text_body, "confirmar", services.CONFIRM_SALT) == appointment


def test_the_answer_is_the_same_whether_or_not_a_booking_matches(
    client: Client, confirmed: Appointment
) -> None:
    with time_machine.travel(MONDAY, tick=False):
        matching = resend(client, confirmed.nif, confirmed.email)
        stranger = resend(client, nif_for(99), confirmed.email)
        other_address = resend(client, confirmed.nif, "someone@example.org")
    assert matching == stranger == other_address
    # Only the address that booked, and only for the booking that matches both.
    assert list(OutgoingEmail.objects.filter(kind="cites.links").values_list("to", flat=True)) == [
        "margalida@example.org"
    ]


def test_asking_for_links_is_rate_limited(client: Client, fnmt: Service) -> None:
    with time_machine.travel(MONDAY, tick=False):
        for number in range(services.RESENDS_PER_ADDRESS_PER_HOUR):
            resend(client, nif_for(number + 1), "x@example.org")
        refused = client.post(
            "/cita-previa/enllacos/", {"nif": nif_for(50), "email": "x@example.org"}
        )
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "massa vegades" in page
    assert nif_for(50) in page  # what was typed stays


def test_one_nif_cannot_be_used_to_mail_bomb_its_owner(confirmed: Appointment) -> None:
    for attempt in range(services.RESENDS_PER_PERSON_PER_DAY):
        services.resend_links(
            nif=confirmed.nif, email=confirmed.email, client_key=f"10.0.0.{attempt}", now=MONDAY
        )
    with pytest.raises(services.TooManyLinkRequests):
        services.resend_links(
            nif=confirmed.nif, email=confirmed.email, client_key="10.0.0.99", now=MONDAY
        )
    assert OutgoingEmail.objects.filter(kind="cites.links").count() == 3


def test_a_malformed_nif_is_refused_in_the_persons_language(client: Client, fnmt: Service) -> None:
    response = client.post("/es/cita-previa/enllacos/", {"nif": "123", "email": "bad"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="123"' in page and 'value="bad"' in page
    assert "govuk-error-summary" in page
    assert not OutgoingEmail.objects.exists()
