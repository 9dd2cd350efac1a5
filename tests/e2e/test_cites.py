"""Browser journey of "Cita prèvia" (issue 6): book, confirm from the e-mail, cancel with the
link, book again, and the office clerk records the accredited identity; axe on every public page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission, User
from icalendar import Calendar
from playwright.sync_api import expect

from cites import selectors
from cites.models import Appointment, Service
from seu.calendar import SEU_TZ
from seu.identity.staff_auth import current_code, enrol_totp_device
from seu.models import TownHall
from tests.conftest import STAFF_PASSWORD
from tests.e2e.conftest import Browse, path_of
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
            "weekdays": "0,1,3",
            "slot_minutes": 15,
            "places_per_slot": 1,
        },
    )
    return service


def book_first_free_time(browse: Browse) -> None:
    page = browse.page
    browse.goto("/cita-previa/")
    browse.click_and_wait(
        page.get_by_role("link", name="Acreditació d'identitat per al certificat FNMT")
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Acreditació d'identitat per al certificat FNMT"
    )
    browse.click_and_wait(page.locator(".seu-days a").first)
    page.locator(".govuk-radios__input").first.check()
    browse.submit(
        {
            "NIF o NIE": "12345678Z",
            "Nom": "Margalida",
            "Primer llinatge": "Sureda",
            "Adreça electrònica": "margalida@example.org",
            "Codi de sol·licitud de la FNMT": "250123456",
        },
        page.get_by_role("button", name="Demanar la cita"),
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Confirmau la cita des del correu electrònic"
    )


def test_a_citizen_books_confirms_cancels_rebooks_and_is_attended(
    browse: Browse, town_hall: TownHall, fnmt: Service, mailoutbox, django_user_model
) -> None:
    page = browse.page
    browse.goto("/")
    browse.click_and_wait(page.get_by_role("link", name="Cita prèvia"))
    assert path_of(page.url) == "/cita-previa/"
    expect(page.get_by_role("main")).to_contain_text("quatre passos")

    # Book, and confirm from the e-mail.
    book_first_free_time(browse)
    [request] = deliver()
    assert request.to == ["margalida@example.org"]
    browse.goto(link(request, "confirmar"))
    browse.click_and_wait(page.get_by_role("button", name="Confirmar la cita"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Cita confirmada")
    appointment = Appointment.objects.get()
    assert appointment.state == Appointment.State.CONFIRMED
    local_start = appointment.starts_at.astimezone(SEU_TZ)
    expect(page.locator("#cita-hora")).to_have_text(local_start.strftime("%H:%M"))

    [confirmed] = deliver()
    [(_, ics, _)] = confirmed.attachments
    event = Calendar.from_ical(ics).walk("VEVENT")[0]
    assert event.decoded("dtstart") == local_start

    # Cancel with the link of the e-mail: asked first.
    browse.goto(link(confirmed, "cita"))
    browse.click_and_wait(page.get_by_role("link", name="Anul·lar la cita"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Voleu anul·lar la cita?")
    browse.click_and_wait(page.get_by_role("button", name="Sí, anul·lar la cita"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Cita anul·lada")
    assert Appointment.objects.get().state == Appointment.State.CANCELLED

    # A tampered link is refused with a message.
    browse.goto(link(confirmed, "cita").replace(":", "x:", 1), status=400)
    expect(page.locator("#link-error")).to_contain_text("Aquest enllaç no és vàlid")

    # Book again (the same place is free again) and confirm.
    book_first_free_time(browse)
    request_again = next(m for m in deliver() if "Confirmau" in m.subject)
    browse.goto(link(request_again, "confirmar"))
    browse.click_and_wait(page.get_by_role("button", name="Confirmar la cita"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Cita confirmada")
    rebooked = Appointment.objects.get(state=Appointment.State.CONFIRMED)
    assert rebooked.starts_at == appointment.starts_at

    # The clerk marks it attended in the back-office (password + TOTP).
    clerk = django_user_model.objects.create_user(
        username="oficina", password=STAFF_PASSWORD, is_staff=True
    )
    clerk.user_permissions.add(Permission.objects.get(codename="run_office"))
    device = enrol_totp_device(clerk)
    browse.goto("/gestio/login/", axe=False)  # Django's admin layout (see test_verification.py)
    browse.submit(
        {
            "Nom d'usuari:": "oficina",
            "Contrasenya:": STAFF_PASSWORD,
            "Codi de verificació:": current_code(device),
        },
        page.get_by_role("button", name="Iniciar sessió"),
        axe=False,
    )
    # The outcome is recorded once the appointment's time has come: rather than wait for it, the
    # test brings the appointment to a minute ago.
    started = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0) - dt.timedelta(minutes=1)
    Appointment.objects.filter(pk=rebooked.pk).update(starts_at=started)
    day = started.astimezone(SEU_TZ).date().isoformat()
    browse.goto(f"/gestio/cites/appointment/agenda/?dia={day}&servei=fnmt", axe=False)
    expect(page.locator("#agenda-dia")).to_contain_text("Acreditació d'identitat")
    row = page.locator(f'[data-appointment="{rebooked.pk}"]')
    expect(row).to_contain_text("Margalida Sureda")
    row.get_by_label("Resultat").select_option("attended")
    row.get_by_label("Document d'identitat mostrat").select_option("dni")
    browse.click_and_wait(row.get_by_role("button", name="Desar"), axe=False)
    expect(page.locator(f'[data-appointment="{rebooked.pk}"]')).to_contain_text(
        "identitat acreditada"
    )
    rebooked.refresh_from_db()
    assert rebooked.state == Appointment.State.ATTENDED
    assert rebooked.identity_document == "dni"
    assert rebooked.accredited_request_code == "250123456"
    assert isinstance(clerk, User)
    assert dt.datetime.now(dt.UTC) > rebooked.created_at


def test_a_citizen_moves_a_confirmed_appointment_with_the_link_of_the_e_mail(
    browse: Browse, town_hall: TownHall, fnmt: Service, mailoutbox
) -> None:
    page = browse.page
    book_first_free_time(browse)
    [request] = deliver()
    browse.goto(link(request, "confirmar"))
    browse.click_and_wait(page.get_by_role("button", name="Confirmar la cita"))
    [confirmed] = deliver()
    before = Appointment.objects.get()

    # From the e-mail's link: another day, its first free time.
    browse.goto(link(confirmed, "cita"))
    browse.click_and_wait(page.get_by_role("link", name="Canviar el dia o l'hora"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Canviar la cita")
    other_day = page.locator(".seu-days a").nth(1)
    browse.click_and_wait(other_day)
    page.locator(".govuk-radios__input").first.check()
    browse.click_and_wait(page.get_by_role("button", name="Canviar a aquesta hora"))
    expect(page.get_by_role("main")).to_contain_text("Hem canviat la cita")

    moved = Appointment.objects.get()
    assert moved.state == Appointment.State.CONFIRMED
    assert moved.starts_at.date() > before.starts_at.date()
    local_start = moved.starts_at.astimezone(SEU_TZ)
    expect(page.locator("#cita-hora")).to_have_text(local_start.strftime("%H:%M"))
    # A new confirmation with the new calendar file; the place left is free again.
    [notice] = deliver()
    [(_, ics, _)] = notice.attachments
    assert Calendar.from_ical(ics).walk("VEVENT")[0].decoded("dtstart") == local_start
    times = selectors.availability(
        fnmt,
        now=dt.datetime.now(dt.UTC),
        start=before.starts_at.date(),
        end=before.starts_at.date(),
    )
    assert before.starts_at in [slot.starts_at for day in times for slot in day.slots]
