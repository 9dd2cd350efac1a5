"""Booking, confirming from the e-mail, the calendar file, the links to cancel or change, and the
sweeps: release of unconfirmed places, reminders, erasure of personal data (issue 6, 2-4, 6)."""

from __future__ import annotations

import datetime as dt
import re
from email.mime.base import MIMEBase

import pytest
import time_machine
from django.core import mail, signing
from django.test import Client
from icalendar import Calendar

from cites import selectors, services
from cites.models import Appointment, AppointmentTransition, Service
from seu.calendar import SEU_TZ
from seu.core import outbox
from seu.models import OutgoingEmail
from tests.cites.conftest import applicant, book, local, nif_for
from tests.factories import TownHallFactory

pytestmark = pytest.mark.django_db

MONDAY = local(2026, 3, 30, 8, 0)
TUESDAY_9 = local(2026, 3, 31, 9, 0)


def links(body: object) -> list[str]:
    return re.findall(r"http://\S+/cita-previa/(?:confirmar|cita)/[^/\s]+/", str(body))


def path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def deliver() -> list[mail.EmailMessage]:
    before = len(mail.outbox)
    outbox.deliver_pending_emails()
    return list(mail.outbox[before:])


def test_a_booking_waits_for_confirmation_and_sends_the_link(fnmt: Service, mailoutbox) -> None:
    TownHallFactory()
    appointment = book(fnmt, TUESDAY_9, now=MONDAY)
    assert appointment.state == Appointment.State.PENDING
    assert appointment.confirm_by == MONDAY + dt.timedelta(minutes=120)
    assert appointment.request_code == "123456789"
    [message] = deliver()
    assert message.to == ["margalida@example.org"]
    assert "Confirmau" in message.subject
    body = message.body
    assert re.search(
        r"dimarts, 31 (de )?març de 2026", str(body)
    )  # with or without the preposition
    assert "09:00" in body
    assert "Plaça de l'Ajuntament, 1" in body
    confirm, manage = links(body)
    assert "/cita-previa/confirmar/" in confirm and "/cita-previa/cita/" in manage
    assert OutgoingEmail.objects.get().state == OutgoingEmail.State.SENT
    assert outbox.deliver_pending_emails() == 0  # delivered once


def test_confirming_sends_the_details_and_a_calendar_file_in_madrid_time(
    client: Client, fnmt: Service, mailoutbox
) -> None:
    TownHallFactory()
    book(fnmt, TUESDAY_9, now=MONDAY)
    [request] = deliver()
    confirm = path(links(request.body)[0])
    with time_machine.travel(MONDAY + dt.timedelta(minutes=30), tick=False):
        assert client.get(confirm).status_code == 200  # a GET (mail scanners) confirms nothing
        assert Appointment.objects.get().state == Appointment.State.PENDING
        response = client.post(confirm)
    assert response.status_code == 302
    assert Appointment.objects.get().state == Appointment.State.CONFIRMED
    [confirmed] = deliver()
    assert "Cita confirmada" in confirmed.subject
    assert "DNI, passaport o permís de conduir" in confirmed.body
    assert "codi de sol·licitud" in confirmed.body
    assert "/cita-previa/cita/" in confirmed.body
    [(filename, content, mimetype)] = confirmed.attachments
    assert (filename, mimetype) == ("cita.ics", "text/calendar")
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    start = event.decoded("dtstart")
    assert start == TUESDAY_9
    assert str(start.tzinfo) == "Europe/Madrid"
    assert event["dtstart"].params["TZID"] == "Europe/Madrid"
    assert event.decoded("dtend") - start == dt.timedelta(minutes=15)
    assert "Plaça de l'Ajuntament" in str(event["location"])
    # A second click changes nothing and sends nothing.
    with time_machine.travel(MONDAY + dt.timedelta(minutes=31), tick=False):
        client.post(confirm)
    assert deliver() == []


def test_an_unconfirmed_booking_is_released_after_its_time(fnmt: Service, client: Client) -> None:
    appointment = book(fnmt, TUESDAY_9, now=MONDAY)
    token = services.make_link_token(appointment, salt=services.CONFIRM_SALT)
    just_before = MONDAY + dt.timedelta(minutes=119)
    assert services.release_unconfirmed(now=just_before) == 0
    after = MONDAY + dt.timedelta(minutes=121)
    assert services.release_unconfirmed(now=after) == 1
    assert services.release_unconfirmed(now=after) == 0  # idempotent
    appointment.refresh_from_db()
    assert appointment.state == Appointment.State.EXPIRED
    assert AppointmentTransition.objects.filter(to_state="expired").count() == 1
    day = selectors.availability(fnmt, now=after, start=TUESDAY_9.date(), end=TUESDAY_9.date())
    assert "09:00" in [slot.key for slot in day[0].slots]
    with time_machine.travel(after, tick=False):
        response = client.post(f"/cita-previa/confirmar/{token}/")
    assert response.status_code == 400
    assert "la plaça s&#x27;ha alliberat" in response.content.decode()


def test_confirming_after_the_deadline_fails_even_before_the_sweep(fnmt: Service) -> None:
    appointment = book(fnmt, TUESDAY_9, now=MONDAY)
    with pytest.raises(services.ConfirmationTooLate):
        services.confirm_appointment(
            appointment=appointment, now=MONDAY + dt.timedelta(minutes=121)
        )


def test_reminders_go_only_to_confirmed_future_appointments_and_once(
    fnmt: Service, mailoutbox
) -> None:
    TownHallFactory()
    monday_7 = local(2026, 3, 30, 7, 0)
    confirmed_tomorrow = book(fnmt, TUESDAY_9, now=monday_7, nif=nif_for(1))
    services.confirm_appointment(appointment=confirmed_tomorrow, now=monday_7)
    pending_tomorrow = book(fnmt, local(2026, 3, 31, 9, 15), now=monday_7, nif=nif_for(2))
    cancelled_tomorrow = book(fnmt, local(2026, 3, 31, 9, 30), now=monday_7, nif=nif_for(3))
    services.confirm_appointment(appointment=cancelled_tomorrow, now=monday_7)
    services.cancel_appointment(appointment=cancelled_tomorrow, now=monday_7)
    later = book(fnmt, local(2026, 4, 7, 9, 0), now=monday_7, nif=nif_for(4))
    services.confirm_appointment(appointment=later, now=monday_7)
    past = book(fnmt, local(2026, 3, 30, 9, 0), now=monday_7, nif=nif_for(5))
    services.confirm_appointment(appointment=past, now=monday_7)
    deliver()

    evening = local(2026, 3, 30, 18, 0)  # the 9:00 appointment of today is over
    assert services.send_reminders(now=evening) == 1
    assert services.send_reminders(now=evening + dt.timedelta(minutes=15)) == 0
    [reminder] = deliver()
    assert "Recordatori" in reminder.subject and reminder.to == ["margalida@example.org"]
    reminded = Appointment.objects.exclude(reminder_sent_at=None)
    assert list(reminded) == [confirmed_tomorrow]
    assert pending_tomorrow.pk not in reminded.values_list("pk", flat=True)


def test_the_manage_link_cancels_and_the_place_can_be_booked_again(
    client: Client, fnmt: Service, mailoutbox
) -> None:
    appointment = book(fnmt, TUESDAY_9, now=MONDAY)
    token = services.make_link_token(appointment, salt=services.MANAGE_SALT)
    with time_machine.travel(MONDAY, tick=False):
        page = client.get(f"/cita-previa/cita/{token}/")
        assert page.status_code == 200 and "Anul·lar la cita" in page.content.decode()
        assert client.post(f"/cita-previa/cita/{token}/anullar/").status_code == 302
    assert Appointment.objects.get().state == Appointment.State.CANCELLED
    again = book(fnmt, TUESDAY_9, now=MONDAY)  # same person, same place
    assert again.state == Appointment.State.PENDING


def test_the_manage_link_changes_the_time(client: Client, fnmt: Service) -> None:
    appointment = book(fnmt, TUESDAY_9, now=MONDAY)
    services.confirm_appointment(appointment=appointment, now=MONDAY)
    token = services.make_link_token(appointment, salt=services.MANAGE_SALT)
    with time_machine.travel(MONDAY, tick=False):
        response = client.post(f"/cita-previa/cita/{token}/canvi/2026-04-07/", {"time": "09:30"})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.starts_at == local(2026, 4, 7, 9, 30)
    assert appointment.state == Appointment.State.CONFIRMED
    assert OutgoingEmail.objects.filter(kind="cites.confirmed").count() == 2


def test_a_tampered_link_is_refused_with_a_message(client: Client, fnmt: Service) -> None:
    appointment = book(fnmt, TUESDAY_9, now=MONDAY)
    token = services.make_link_token(appointment, salt=services.MANAGE_SALT)
    value, signature = token.split(":", 1)
    forged = signing.dumps({"a": appointment.pk + 1, "v": 1}, salt="other")
    for bad in (value + "x:" + signature, forged, "nonsense"):
        response = client.post(f"/cita-previa/cita/{bad}/anullar/")
        assert response.status_code == 400
        assert "Aquest enllaç no és vàlid" in response.content.decode()
    assert Appointment.objects.get().state == Appointment.State.PENDING
    # A confirmation token does not work as a cancellation token.
    confirm_token = services.make_link_token(appointment, salt=services.CONFIRM_SALT)
    assert client.post(f"/cita-previa/cita/{confirm_token}/anullar/").status_code == 400


def test_an_expired_link_is_refused_with_a_message(client: Client, fnmt: Service, settings) -> None:
    with time_machine.travel(MONDAY, tick=False):
        appointment = book(fnmt, TUESDAY_9, now=MONDAY)
        token = services.make_link_token(appointment, salt=services.MANAGE_SALT)
    with time_machine.travel(
        MONDAY + dt.timedelta(days=settings.CITES_LINK_MAX_AGE_DAYS, seconds=1)
    ):
        response = client.post(f"/cita-previa/cita/{token}/anullar/")
    assert response.status_code == 410
    assert "Aquest enllaç ha caducat" in response.content.decode()
    assert Appointment.objects.get().state == Appointment.State.PENDING


def test_erasure_removes_personal_data_and_keeps_the_counts(fnmt: Service, office_clerk) -> None:
    first = book(fnmt, TUESDAY_9, now=MONDAY, nif=nif_for(1))
    services.confirm_appointment(appointment=first, now=MONDAY)
    services.record_outcome(
        appointment=first,
        outcome="attended",
        identity_document="dni",
        acting_user=office_clerk,
        now=TUESDAY_9,
    )
    second = book(fnmt, local(2026, 3, 31, 9, 15), now=MONDAY, nif=nif_for(2))
    services.confirm_appointment(appointment=second, now=MONDAY)
    services.record_outcome(
        appointment=second,
        outcome="no_show",
        acting_user=office_clerk,
        now=local(2026, 3, 31, 9, 30),
    )
    figures_before = selectors.weekly_figures(since=dt.date(2026, 3, 1), until=dt.date(2026, 4, 30))

    assert services.erase_personal_data(now=TUESDAY_9 + dt.timedelta(days=364)) == 0
    erased_at = TUESDAY_9 + dt.timedelta(days=366)
    assert services.erase_personal_data(now=erased_at) == 2
    assert services.erase_personal_data(now=erased_at) == 0

    for row in Appointment.objects.all():
        assert (row.nif, row.given_name, row.first_surname, row.email, row.request_code) == (
            "",
            "",
            "",
            "",
            "",
        )
        assert row.accredited_request_code == "" and row.erased_at == erased_at
    assert not OutgoingEmail.objects.exclude(to="").exists()
    assert not OutgoingEmail.objects.filter(text_body__contains="Margalida").exists()
    figures_after = selectors.weekly_figures(since=dt.date(2026, 3, 1), until=dt.date(2026, 4, 30))
    assert figures_after == figures_before
    assert [(f.bookings, f.attended, f.no_shows) for f in figures_after] == [(2, 1, 1)]
    assert selectors.no_show_percent(figures_after) == "50 %"


def test_a_transient_mail_failure_is_retried_and_recorded(fnmt: Service, settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    book(fnmt, TUESDAY_9, now=MONDAY)
    email = OutgoingEmail.objects.get()
    assert outbox.deliver_email(email_id=email.pk) == "pending"
    email.refresh_from_db()
    assert email.attempts == 1 and email.last_error and email.sent_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox.deliver_email(email_id=email.pk) == "sent"


__all__ = ["SEU_TZ", "MIMEBase", "applicant"]
