"""Browser journey of issue 13 item 6: a confirm link opened again shows the confirmed appointment
with its links; cancelling asks first, then cancels, and the cancelled page says no more what to
bring; a person who lost the e-mail asks for the links again. axe on every page."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from cites import selectors, services
from cites.models import Appointment, Service
from seu.models import TownHall
from tests.cites.conftest import applicant
from tests.e2e.conftest import Browse
from tests.support.mail import deliver, link

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def fnmt(db: None) -> Service:
    service, _ = Service.objects.update_or_create(
        code="fnmt",
        defaults={
            "name": "Acreditació d'identitat per al certificat FNMT",
            "asks_request_code": True,
            "is_active": True,
            "weekdays": "0,1,2,3,4",
            "slot_minutes": 15,
            "places_per_slot": 1,
        },
    )
    return service


def booked(service: Service) -> Appointment:
    now = dt.datetime.now(dt.UTC)
    first_free = selectors.availability(service, now=now)[0].slots[0].starts_at
    return services.book_appointment(service=service, starts_at=first_free, applicant=applicant())


def test_a_confirm_link_opened_again_and_a_cancellation_that_asks_first(
    browse: Browse, town_hall: TownHall, fnmt: Service, mailoutbox
) -> None:
    page = browse.page
    booked(fnmt)
    [request] = deliver()
    confirm = link(request, "confirmar")
    browse.goto(confirm)
    browse.click_and_wait(page.get_by_role("button", name="Confirmar la cita"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Cita confirmada")

    # The same link again: the appointment as it is, with its links, no second button.
    browse.goto(confirm)
    expect(page.get_by_role("heading", level=1)).to_have_text("La vostra cita")
    expect(page.locator("#cita-estat")).to_have_text("confirmada")
    expect(page.get_by_role("button", name="Confirmar la cita")).to_have_count(0)
    expect(page.get_by_role("link", name="Canviar el dia o l'hora")).to_be_visible()

    # Cancelling asks first; saying no keeps the appointment.
    browse.click_and_wait(page.get_by_role("link", name="Anul·lar la cita"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Voleu anul·lar la cita?")
    assert Appointment.objects.get().state == Appointment.State.CONFIRMED
    browse.click_and_wait(page.get_by_role("link", name="No, mantenir la cita"))
    expect(page.get_by_role("heading", level=1)).to_have_text("La vostra cita")
    browse.click_and_wait(page.get_by_role("link", name="Anul·lar la cita"))
    browse.click_and_wait(page.get_by_role("button", name="Sí, anul·lar la cita"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Cita anul·lada")
    expect(page.locator("#cita-estat")).to_have_text("anul·lada")
    expect(page.locator("#que-portar")).to_have_count(0)
    expect(page.get_by_role("link", name="Anul·lar la cita")).to_have_count(0)
    assert Appointment.objects.get().state == Appointment.State.CANCELLED


def test_a_person_who_lost_the_e_mail_has_the_links_sent_again(
    browse: Browse, town_hall: TownHall, fnmt: Service, mailoutbox
) -> None:
    page = browse.page
    appointment = booked(fnmt)
    deliver()
    browse.goto("/cita-previa/")
    browse.click_and_wait(page.get_by_role("link", name="Tornar a rebre els enllaços de la cita"))
    browse.submit(
        {"NIF o NIE": appointment.nif, "Adreça electrònica": appointment.email},
        page.get_by_role("button", name="Enviar-me els enllaços"),
    )
    expect(page.locator("#enllacos-enviats")).to_contain_text("Si hi ha una cita activa")
    [sent] = deliver()
    assert sent.to == [appointment.email]
    browse.goto(link(sent, "confirmar"))
    expect(page.get_by_role("button", name="Confirmar la cita")).to_be_visible()
