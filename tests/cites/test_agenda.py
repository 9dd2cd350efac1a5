"""Issue 13 item 7: the clerk's agenda shows each time once, offers no outcome before the
appointment's time (and the service refuses one), lists no free times on a day the office does
not open, and opens on the next day it opens."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client

from cites import services
from cites.models import Appointment, Service
from tests.cites.conftest import book, local, nif_for
from tests.conftest import log_in_to_back_office

pytestmark = pytest.mark.django_db

MONDAY = local(2026, 3, 30, 8, 0)
TUESDAY_9 = local(2026, 3, 31, 9, 0)
AGENDA = "/gestio/cites/appointment/agenda/"
TUESDAY_AGENDA = f"{AGENDA}?dia=2026-03-31&servei=fnmt"


@pytest.fixture
def booked(fnmt: Service) -> Appointment:
    appointment = book(fnmt, TUESDAY_9, now=MONDAY, nif=nif_for(7))
    return services.confirm_appointment(appointment=appointment, now=MONDAY)


def test_a_booked_time_is_shown_once_and_cannot_be_closed_from_a_copy(
    client: Client, office_clerk, booked: Appointment
) -> None:
    log_in_to_back_office(client, office_clerk)
    with time_machine.travel(MONDAY, tick=False):
        page = client.get(TUESDAY_AGENDA).content.decode()
    assert page.count(">09:00<") == 1
    assert "Tancar la franja</button>" not in page  # the button names its time
    assert "Tancar la franja 09:00" not in page
    assert "Tancar la franja 09:15" in page  # a free time can still be closed


def test_no_outcome_is_offered_or_recorded_before_the_appointments_time(
    client: Client, office_clerk, booked: Appointment
) -> None:
    log_in_to_back_office(client, office_clerk)
    with time_machine.travel(local(2026, 3, 31, 8, 50), tick=False):
        page = client.get(TUESDAY_AGENDA).content.decode()
        assert 'name="outcome" id="outcome-' not in page
        assert "Anul·lar la cita de Margalida Sureda" in page
        refused = client.post(
            TUESDAY_AGENDA,
            {
                "action": "outcome",
                "appointment": booked.pk,
                "outcome": "attended",
                "identity_document": "dni",
            },
            follow=True,
        )
    assert "Encara no és l&#x27;hora d&#x27;aquesta cita" in refused.content.decode()
    assert Appointment.objects.get().state == Appointment.State.CONFIRMED
    with pytest.raises(services.OutcomeTooEarly):
        services.record_outcome(
            appointment=booked,
            outcome="no_show",
            acting_user=office_clerk,
            now=local(2026, 3, 31, 8, 59),
        )


def test_once_the_time_has_come_no_outcome_is_chosen_for_the_clerk(
    client: Client, office_clerk, booked: Appointment
) -> None:
    log_in_to_back_office(client, office_clerk)
    with time_machine.travel(local(2026, 3, 31, 9, 2), tick=False):
        page = client.get(TUESDAY_AGENDA).content.decode()
        select = page.split(f'id="outcome-{booked.pk}"', 1)[1].split("</select>", 1)[0]
        assert select.index('value=""') < select.index('value="attended"')
        assert "selected" not in select
        client.post(TUESDAY_AGENDA, {"action": "outcome", "appointment": booked.pk, "outcome": ""})
    assert Appointment.objects.get().state == Appointment.State.CONFIRMED


def test_a_future_appointment_can_still_be_cancelled_by_the_clerk(
    client: Client, office_clerk, booked: Appointment
) -> None:
    log_in_to_back_office(client, office_clerk)
    with time_machine.travel(MONDAY, tick=False):
        client.post(
            TUESDAY_AGENDA, {"action": "outcome", "appointment": booked.pk, "outcome": "cancelled"}
        )
    assert Appointment.objects.get().state == Appointment.State.CANCELLED


def test_a_closed_day_lists_no_free_times(
    client: Client, office_clerk, booked: Appointment, fnmt: Service
) -> None:
    services.close_day(day=TUESDAY_9.date(), reason="Vaga", acting_user=office_clerk)
    log_in_to_back_office(client, office_clerk)
    with time_machine.travel(MONDAY, tick=False):
        page = client.get(TUESDAY_AGENDA).content.decode()
        wednesday = client.get(f"{AGENDA}?dia=2026-04-01&servei=fnmt").content.decode()
    assert "Dia tancat: Vaga." in page
    assert "Margalida Sureda" in page  # booked before the day was closed: still to handle
    assert "Lliure" not in page and "Tancar la franja" not in page
    assert "Lliure" not in wednesday and "Tancar la franja" not in wednesday  # not an office day


def test_the_agenda_opens_on_the_next_day_the_office_opens(
    client: Client, office_clerk, fnmt: Service
) -> None:
    log_in_to_back_office(client, office_clerk)
    # Wednesday 22 April 2026: the office opens on Mondays, Tuesdays and Thursdays.
    with time_machine.travel(local(2026, 4, 22, 8, 0), tick=False):
        page = client.get(AGENDA).content.decode()
    assert 'value="2026-04-23"' in page
    assert "Lliure" in page
    # Holy Thursday (2 April) and Easter Monday are Balearic holidays: the Tuesday after them.
    with time_machine.travel(local(2026, 4, 1, 8, 0), tick=False):
        easter = client.get(f"{AGENDA}?servei=fnmt").content.decode()
    assert 'value="2026-04-07"' in easter
