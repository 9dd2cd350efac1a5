"""A clerk notifies a resolution from a registry entry in the back-office, as staff do it (issue 14
items 1-2): "Notificar" on the entry, the form with the person offered, a forged file refused
with what was typed kept, then the PDF sealed and sent; the notification's page with its life;
the person gave no consent, so it waits in the list to post on paper, where the clerk records
that it was posted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import Permission, User
from playwright.sync_api import expect

from notificacions.models import Notification
from registre.models import RegistryEntry
from seu import calendar
from seu.identity.staff_auth import current_code, enrol_totp_device
from seu.models import TownHall
from seu.people import ContactDetails
from tests.actors import CITIZEN
from tests.conftest import STAFF_PASSWORD
from tests.e2e.conftest import Browse, off_the_browser_thread, path_of
from tests.factories import RegistryEntryFactory, UserFactory
from tests.support.files import make_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUBJECT = "Resolució de la llicència de gual"

# The pages with a form load Django's forms.css, which starts with `@import url("widgets.css")`:
# axe's own CSSOM preload copies such a sheet into a <style> element, which our CSP (style-src
# 'self') blocks and reports. They are audited with the CSP check exempted only: at the end of the
# journey, no finding but that report may be among the exempted (as in test_tauler_backoffice.py).
FORM_PAGE = False


@pytest.fixture(autouse=True)
def on_a_working_day() -> Iterator[None]:
    """10:00 (Madrid) of the next working day: the exit entry is registered at once."""
    day = calendar.to_local(calendar.next_working_day_start(calendar.now())).date()
    with time_machine.travel(calendar.start_of_day(day) + dt.timedelta(hours=10), tick=True):
        yield


def reports_delivered(browse: Browse) -> None:
    """Let the browser deliver the CSP reports of the page audited last before the next audit."""
    browse.page.evaluate("() => new Promise((resolve) => setTimeout(resolve))")


def log_in(browse: Browse, user: User) -> None:
    device = enrol_totp_device(user)
    browse.goto("/gestio/", axe=False)  # the login form, tested elsewhere
    assert path_of(browse.page.url).startswith("/gestio/login/")
    browse.submit(
        {
            "Nom d'usuari:": user.username,
            "Contrasenya:": STAFF_PASSWORD,
            "Codi de verificació:": current_code(device),
        },
        browse.page.get_by_role("button", name="Iniciar sessió"),
    )
    assert path_of(browse.page.url) == "/gestio/"


def test_a_clerk_notifies_from_an_entry_and_records_the_paper_posting(
    browse: Browse, town_hall: TownHall, organ: Any, tmp_path: Path
) -> None:
    page = browse.page
    entry: RegistryEntry = off_the_browser_thread(
        lambda: RegistryEntryFactory.create(
            organ=organ,
            interested=CITIZEN,
            contact=ContactDetails(postal_address="Carrer de les Roses, 7, 07500 Manacor"),
            subject="Llicència de gual al carrer de les Roses, 7",
        )
    )
    clerk: User = UserFactory(username="notificadora", staff=True, clerk_of=organ)  # type: ignore[assignment]
    clerk.user_permissions.add(
        *Permission.objects.filter(content_type__app_label__in=["registre", "notificacions"])
    )
    pdf = tmp_path / "resolucio.pdf"
    pdf.write_bytes(make_pdf("Resolució d'alcaldia: es concedeix la llicència de gual."))
    forged = tmp_path / "falsa.pdf"
    forged.write_bytes(b"<html><body>no</body></html>")

    log_in(browse, clerk)
    browse.goto(f"/gestio/registre/registryentry/{entry.pk}/change/", axe=FORM_PAGE)
    reports_delivered(browse)
    browse.click_and_wait(page.get_by_role("link", name="Notificar"), axe=FORM_PAGE)
    reports_delivered(browse)
    expect(page.get_by_role("heading", level=1)).to_contain_text(str(entry.number))
    # The person is offered from the entry.
    expect(page.get_by_label("NIF, NIE o CIF:", exact=True)).to_have_value(CITIZEN.nif)
    expect(page.get_by_label("Llinatges:", exact=True)).to_have_value(CITIZEN.surnames)
    expect(page.get_by_role("radio", name="notificació")).to_be_checked()

    # A forged file: refused on the form, the subject kept, the files to choose again.
    page.get_by_label("Assumpte:", exact=True).fill(SUBJECT)
    page.get_by_label("Documents (PDF):").set_input_files([pdf, forged])
    browse.click_and_wait(page.get_by_role("button", name="Enviar"), axe=FORM_PAGE)
    reports_delivered(browse)
    expect(page.locator(".errornote")).to_contain_text("triau de nou els documents PDF")
    expect(page.locator(".field-documents .errorlist")).to_contain_text("falsa.pdf")
    expect(page.get_by_label("Assumpte:", exact=True)).to_have_value(SUBJECT)
    assert not Notification.objects.exists()

    # The good PDF: sealed and sent, and the clerk lands on the notification's page.
    page.get_by_label("Documents (PDF):").set_input_files(pdf)
    browse.click_and_wait(page.get_by_role("button", name="Enviar"), axe=FORM_PAGE)
    reports_delivered(browse)
    notification = Notification.objects.get()
    number = str(notification.exit_entry.number)
    assert path_of(page.url) == f"/gestio/notificacions/notification/{notification.pk}/change/"
    expect(page.locator(".messagelist .success")).to_contain_text(number)
    expect(page.locator(".messagelist .success")).to_contain_text("llista per enviar en paper")
    expect(page.locator("#notified-documents")).to_contain_text(SUBJECT)
    expect(page.locator("#timeline")).to_contain_text("Creada")
    expect(page.locator("#timeline")).to_contain_text(number)
    # An action without its reason: its own page, with the error.
    annul = page.locator("#action-annul")
    browse.click_and_wait(
        annul.get_by_role("button", name="Anul·lar la notificació"), axe=FORM_PAGE
    )
    reports_delivered(browse)
    expect(page.locator(".errornote")).to_be_visible()
    expect(page.locator(".field-reason .errorlist")).to_contain_text("Indicau el motiu")
    notification.refresh_from_db()
    assert notification.state == Notification.State.TO_POST

    # The list to post on paper, with the address given with the entry; it is posted.
    browse.click_and_wait(
        page.locator(".breadcrumbs").get_by_role("link", name="Notificacions", exact=True)
    )
    browse.click_and_wait(
        page.get_by_role("link", name="Llista per enviar en paper"), axe=FORM_PAGE
    )
    reports_delivered(browse)
    row = page.locator(f"#paper-{notification.pk}")
    expect(row).to_contain_text("Carrer de les Roses, 7, 07500 Manacor")
    expect(row).to_contain_text(CITIZEN.nif)
    row.get_by_label("Resultat:", exact=True).select_option(label="enviada en paper")
    browse.click_and_wait(row.get_by_role("button", name="Registrar el resultat"), axe=FORM_PAGE)
    reports_delivered(browse)
    assert path_of(page.url) == "/gestio/notificacions/notification/per-enviar-en-paper/"
    expect(page.locator(".messagelist .success")).to_contain_text(f"{number}: enviada en paper")
    notification.refresh_from_db()
    assert notification.state == Notification.State.POSTED

    # On the exempted pages, axe found nothing but its own <style> blocked by the CSP.
    assert not [found for found in browse.exempted if "Content Security Policy" not in found]
