"""Issue 15 "Acceptance", first line, in Chromium: a procedure from the catalogue to its sealed
resolution, with three people in three browser sessions. The citizen finds the procedure with
the search box, starts it and identifies through Cl@ve, fills its form with a wrong NIF (the error
next to the field and in the summary, every other answer kept), corrects it, reviews and files,
with the keyboard alone; downloads the sealed receipt that lists the answers, and finds the case
in *La meva carpeta*. The organ's clerk sees it in the queue and asks for a remedy; the citizen
opens that notification and answers on the case page; the head of the organ resolves; the citizen
opens the resolution's notification and downloads it from the case, sealed, naming the head and
their post. axe-core audits every page of the three.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest
import time_machine
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Permission, User
from playwright.sync_api import Browser, FilePayload, Page, expect
from pytest_django.live_server_helper import LiveServer

from devtools.clave_idp import LocalIdPServer
from expedients.models import Expedient, Procedure, RemedyRequest, Resolution, State
from notificacions.models import Notification
from seu import calendar
from seu.models import Organ, StaffMembership, TownHall
from tests.actors import CITIZEN
from tests.e2e.conftest import Browse, off_the_browser_thread, path_of
from tests.factories import UserFactory
from tests.support.clave import at_the_identity_provider
from tests.support.expedients import make_procedure
from tests.support.files import make_pdf
from tests.support.journey_expedients import (
    FORM_PAGE,
    assert_sealed,
    log_in_to_back_office,
    nothing_but_csp,
    press_and_wait,
    reports_delivered,
    session_of,
    tab_to,
    text_of,
    type_into,
)
from tests.support.notifications import consent_of

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("clave_on_the_live_server"),
]

QUEUE = "/gestio/expedients/expedient/"
OTHER = "Queixes i suggeriments"
EMAIL = "maria@exemple.cat"
WRONG_NIF, NIF = "12345678A", "12345678Z"
ADDRESS = "Carrer de la Mar, 14, Sant Llorenç des Cardassar"
BUDGET = "1850"
REMEDY = "Adjuntau el pressupost detallat signat pel contractista."
ANSWER = "Adjunt el pressupost detallat, signat per Obres Llevant SL."
RESOLUTION = "Es pren coneixement de la comunicació prèvia i s'autoritza l'inici de les obres."
HEAD_NAME, HEAD_POST = ("Catalina", "Sureda Riera"), "Regidora d'Urbanisme"


@pytest.fixture(autouse=True)
def on_a_working_day() -> Iterator[None]:
    """10:00 (Madrid) of the next working day: the exit entries of the notifications are
    registered at once, so the remedy request and the resolution reach the citizen at once."""
    day = calendar.to_local(calendar.next_working_day_start(calendar.now())).date()
    with time_machine.travel(calendar.start_of_day(day) + dt.timedelta(hours=10), tick=True):
        yield


# --- Set-up, through the services ---------------------------------------------------------------


def staff_of(organ: Organ, username: str, *, head: bool = False) -> User:
    """A member of the organ's staff (its clerk, or its head with a post), holding the
    permissions of case files and of the registry."""
    role = {"head_of": organ} if head else {"clerk_of": organ}
    names = {"first_name": HEAD_NAME[0], "last_name": HEAD_NAME[1]} if head else {}
    user = cast(User, UserFactory.create(username=username, staff=True, **role, **names))
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label__in=["expedients", "registre"])
    )
    if head:
        StaffMembership.objects.filter(user=user, organ=organ).update(post=HEAD_POST)
    return User.objects.get(pk=user.pk)  # a fresh object: no permission cache


def catalogue(organ: Organ) -> Procedure:
    """The procedure of the journey (the default form of tests/support/expedients.py), another
    one the search leaves out, and the citizen's consent to electronic notifications."""
    consent_of(CITIZEN, email=EMAIL)
    make_procedure(
        organ,
        code="QUEIXES",
        name=OTHER,
        form={"fields": [{"key": "text", "type": "textarea", "label": {"ca": "Queixa"}}]},
    )
    return make_procedure(organ)


# --- The journey --------------------------------------------------------------------------------


def file_the_procedure(
    browse: Browse, local_idp: LocalIdPServer, procedure: Procedure, nss_db: str, tmp_path: Path
) -> Expedient:
    """Steps 1-4: the catalogue to the receipt and the carpeta, with the keyboard alone."""
    page = browse.page
    main = page.get_by_role("main")
    # The catalogue, searched.
    browse.goto("/tramits/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Catàleg de tràmits")
    expect(main.get_by_role("link", name=OTHER, exact=True)).to_be_visible()
    type_into(browse, page.get_by_label("Cercar un tràmit", exact=True), "obres menors")
    press_and_wait(browse)
    expect(page.locator("#resultat-cerca")).to_contain_text("1 tràmit per a «obres menors»")
    expect(main.get_by_role("link", name=OTHER, exact=True)).to_have_count(0)
    tab_to(browse, main.get_by_role("link", name=procedure.name, exact=True))
    press_and_wait(browse)
    assert path_of(page.url) == f"/tramits/{procedure.code}/"
    expect(page.get_by_role("heading", level=1)).to_have_text(procedure.name)
    expect(page.locator("#organ")).to_contain_text(procedure.organ.name)
    expect(page.locator("#termini")).to_contain_text("3 mesos")
    expect(page.locator("#silenci")).to_contain_text("Estimatori")

    # Començar: identification first, at the procedure's level.
    tab_to(browse, main.get_by_role("button", name="Començar"))
    press_and_wait(browse)
    expect(page.get_by_role("heading", level=1)).to_have_text("Identificar-me")
    tab_to(browse, page.get_by_role("link", name="Identificar-me amb Cl@ve"))
    press_and_wait(browse)
    at_the_identity_provider(browse, local_idp, level="Substancial")
    assert path_of(page.url) == f"/tramits/{procedure.code}/formulari/"

    # The form, with a wrong NIF: the error next to the field and in the summary, the rest kept.
    nif = page.get_by_label("NIF del titular", exact=True)
    address = page.get_by_label("Adreça de l'obra", exact=True)
    budget = page.get_by_label("Pressupost (euros)", exact=True)
    interior = page.get_by_role("radio", name="Reforma interior")
    declared = page.get_by_role("checkbox", name="En lloc d'adjuntar-lo, declar")
    complies = page.get_by_role("checkbox", name="Declar sota la meva responsabilitat que l'obra")
    type_into(browse, nif, WRONG_NIF)
    type_into(browse, address, ADDRESS)
    type_into(browse, budget, BUDGET)
    for choice in (interior, declared, complies):
        tab_to(browse, choice)
        page.keyboard.press("Space")
        expect(choice).to_be_checked()
    tab_to(browse, page.get_by_role("button", name="Continuar i revisar"))
    press_and_wait(browse)
    assert path_of(page.url) == f"/tramits/{procedure.code}/formulari/"
    summary = page.locator("#errors")
    expect(summary.get_by_role("alert")).to_contain_text("Hi ha un problema")
    expect(summary.get_by_role("link")).to_have_count(1)
    nif_id = nif.get_attribute("id")
    expect(summary.get_by_role("link")).to_have_attribute("href", f"#{nif_id}")
    described = (nif.get_attribute("aria-describedby") or "").split()
    assert f"{nif_id}-error" in described, described
    message = page.locator(f"#{nif_id}-error")
    expect(message).to_be_visible()
    expect(summary.get_by_role("link")).to_have_text(
        cast(str, message.text_content()).replace("Error:", "").strip()
    )
    expect(nif).to_have_value(WRONG_NIF)
    expect(address).to_have_value(ADDRESS)
    expect(budget).to_have_value(BUDGET)
    for choice in (interior, declared, complies):
        expect(choice).to_be_checked()

    # Corrected, reviewed (every answer listed), filed.
    type_into(browse, nif, NIF)
    tab_to(browse, page.get_by_role("button", name="Continuar i revisar"))
    press_and_wait(browse)
    assert path_of(page.url) == f"/tramits/{procedure.code}/revisio/"
    expect(page.get_by_role("heading", level=1)).to_have_text("Revisau la sol·licitud")
    answers = page.locator("#respostes")
    for answer in (NIF, ADDRESS, BUDGET, "Reforma interior"):
        expect(answers).to_contain_text(answer)
    assert not Expedient.objects.exists()
    tab_to(browse, page.get_by_role("button", name="Presentar", exact=True))
    press_and_wait(browse)

    # The receipt, from the page shown after filing: sealed, and listing the answers.
    expect(page.get_by_role("heading", level=1)).to_have_text("Sol·licitud presentada")
    case = Expedient.objects.select_related("opening_entry").get()
    entry = case.opening_entry
    assert entry.number and entry.receipt_id
    expect(page.locator("#numero-registre")).to_have_text(entry.number)
    expect(page.locator("#numero-expedient")).to_have_text(case.number)
    tab_to(browse, main.get_by_role("link", name=f"Descarregar el rebut de {entry.number}"))
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    receipt = Path(download.value.path()).read_bytes()
    assert_sealed(receipt, nss_db, folder(tmp_path, "rebut"))
    text = text_of(receipt)
    for answer in (entry.number, NIF, ADDRESS, "Reforma interior", procedure.name):
        assert answer in text, (answer, text)

    # La meva carpeta > Expedients: its number and its state.
    browse.goto("/carpeta/expedients/")
    row = page.locator("#expedients tbody tr").filter(has_text=case.number)
    expect(row).to_contain_text(procedure.name)
    expect(row).to_contain_text("Iniciat")
    return case


def folder(tmp_path: Path, name: str) -> Path:
    """A folder of its own for each PDF pdfsig checks."""
    path = tmp_path / name
    path.mkdir(exist_ok=True)
    return path


def open_the_notification(browse: Browse, subject: str) -> None:
    """Les meves notificacions: the notification, opened with *Acceptar i obrir*, by keyboard."""
    page = browse.page
    browse.goto("/notificacions/")
    tab_to(browse, page.get_by_role("link", name=subject))
    press_and_wait(browse)
    tab_to(browse, page.get_by_role("button", name="Acceptar i obrir"))
    press_and_wait(browse)
    expect(page.get_by_text("Heu obert la notificació")).to_be_visible()


def open_the_case(browse: Browse, case: Expedient, *, state: str) -> None:
    """La meva carpeta > Expedients, the case in ``state``, and its page, by keyboard."""
    page = browse.page
    browse.goto("/carpeta/expedients/")
    row = page.locator("#expedients tbody tr").filter(has_text=case.number)
    expect(row).to_contain_text(state)
    tab_to(browse, row.get_by_role("link", name=case.number))
    press_and_wait(browse)
    assert path_of(page.url) == f"/carpeta/expedients/{case.pk}/"
    expect(page.locator("#estat")).to_contain_text(state)


def test_a_citizen_files_a_procedure_remedies_it_and_gets_the_sealed_resolution(
    browse: Browse,
    browser: Browser,
    axe: Axe,
    live_server: LiveServer,
    local_idp: LocalIdPServer,
    town_hall: TownHall,
    organ: Organ,
    nss_db: str,
    tmp_path: Path,
) -> None:
    procedure = off_the_browser_thread(lambda: catalogue(organ))
    clerk = off_the_browser_thread(lambda: staff_of(organ, "tramitadora"))
    head = off_the_browser_thread(lambda: staff_of(organ, "cap", head=True))
    page: Page = browse.page
    case = file_the_procedure(browse, local_idp, procedure, nss_db, tmp_path)
    case_path = f"/carpeta/expedients/{case.pk}/"

    # The organ's clerk: the queue, the case, a remedy request.
    with session_of(browser, live_server, axe) as office:
        log_in_to_back_office(office, clerk)
        office.goto(QUEUE, axe=FORM_PAGE)
        reports_delivered(office)
        row = office.page.locator("#queue tbody tr").filter(has_text=case.number)
        expect(row).to_contain_text(procedure.name)
        expect(row).to_contain_text(CITIZEN.nif)
        expect(row).to_contain_text("iniciat")
        office.click_and_wait(row.get_by_role("link", name=case.number), axe=FORM_PAGE)
        reports_delivered(office)
        assert path_of(office.page.url) == f"{QUEUE}{case.pk}/change/"
        expect(office.page.locator("#case-answers")).to_contain_text(ADDRESS)
        action = office.page.locator("#action-remedy")
        action.get_by_label("Què cal esmenar o aportar:").fill(REMEDY)
        office.click_and_wait(
            action.get_by_role("button", name="Enviar el requeriment"), axe=FORM_PAGE
        )
        reports_delivered(office)
        assert path_of(office.page.url) == f"{QUEUE}{case.pk}/change/"
        expect(office.page.locator("#case-state")).to_have_text("pendent d'esmena")
        expect(office.page.locator("#case-remedies")).to_contain_text(REMEDY)
        nothing_but_csp(office)
    remedy = RemedyRequest.objects.get(expedient=case)
    assert remedy.state == RemedyRequest.State.NOTIFYING

    # The citizen opens the request, then answers it on the case page.
    open_the_notification(browse, f"Requeriment d'esmena de l'expedient {case.number}")
    remedy.refresh_from_db()
    assert remedy.state == RemedyRequest.State.RUNNING
    open_the_case(browse, case, state="Pendent d'esmena")
    expect(page.locator("#estat")).to_contain_text("suspès")  # the resolution deadline
    expect(page.locator("#esmena-text")).to_have_text(REMEDY)
    tab_to(browse, page.get_by_role("link", name="Respondre el requeriment"))
    press_and_wait(browse)
    type_into(browse, page.get_by_label("Resposta al requeriment", exact=True), ANSWER)
    # Choosing a file opens the system's dialogue, out of the page's reach: set, not typed.
    page.get_by_label("Documents adjunts", exact=True).set_input_files(
        [FilePayload(name="pressupost.pdf", mimeType="application/pdf", buffer=make_pdf())]
    )
    tab_to(browse, page.get_by_role("button", name="Presentar la resposta"))
    press_and_wait(browse)
    assert path_of(page.url).startswith(case_path)
    expect(page.locator("#esmena-presentada")).to_contain_text("Resposta presentada")
    expect(page.locator("#estat")).to_contain_text("Esmenat")
    case.refresh_from_db()
    assert case.state == State.REMEDIED

    # The head of the organ resolves from the case page.
    with session_of(browser, live_server, axe) as office:
        log_in_to_back_office(office, head)
        office.goto(QUEUE, axe=FORM_PAGE)
        reports_delivered(office)
        row = office.page.locator("#queue tbody tr").filter(has_text=case.number)
        expect(row).to_contain_text("esmenat")
        office.click_and_wait(row.get_by_role("link", name=case.number), axe=FORM_PAGE)
        reports_delivered(office)
        expect(office.page.locator("#case-state")).to_have_text("esmenat")
        action = office.page.locator("#action-resolve")
        action.get_by_label("Sentit de la resolució:").select_option(label="estimatòria")
        action.get_by_label("Fonaments i part dispositiva:").fill(RESOLUTION)
        office.click_and_wait(
            action.get_by_role("button", name="Resoldre i notificar"), axe=FORM_PAGE
        )
        reports_delivered(office)
        expect(office.page.locator("#case-state")).to_have_text("resolt")
        expect(office.page.locator("#case-resolutions")).to_contain_text(HEAD_POST)
        nothing_but_csp(office)
    resolution = Resolution.objects.get(expedient=case, state=Resolution.State.ISSUED)
    assert resolution.resolver_post == HEAD_POST

    # The citizen opens the resolution, and finds it on the case page, sealed.
    open_the_notification(browse, f"Resolució de l'expedient {case.number}")
    notified = Notification.objects.get(pk=cast(int, resolution.notification_id))
    assert notified.state == Notification.State.ACCESSED
    open_the_case(browse, case, state="Tancat")
    title = f"Resolució de l'expedient {case.number}"
    tab_to(browse, page.get_by_role("link", name=f"Descarregar «{title}» (PDF segellat)"))
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    pdf = Path(download.value.path()).read_bytes()
    assert_sealed(pdf, nss_db, folder(tmp_path, "resolucio"))
    text = text_of(pdf)
    for shown in (f"{HEAD_NAME[0]} {HEAD_NAME[1]}", HEAD_POST, RESOLUTION, case.number):
        assert shown in text, (shown, text)
    case.refresh_from_db()
    assert case.state == State.CLOSED
