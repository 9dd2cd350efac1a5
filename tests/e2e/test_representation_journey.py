"""Issue 16 "Acceptance", first line, in Chromium: a power of representation from its grant to its
revocation, with three people in three browser sessions. Maria (A) grants Aina (B), by her NIF, a
power for one procedure until a given day, and sees it pending; Aina accepts it in her own
*Apoderaments*; she files that procedure's form choosing "En nom de Maria ... (apoderament fins
al ...)", the review says on whose behalf, and the sealed receipt names both. Maria finds the case
in *La meva carpeta*, filed for her by Aina. The organ's clerk asks for a remedy: the notification
is Maria's, and Aina, whose power is in force, finds it in *Les meves notificacions* as Maria's
representative and opens it; the record of the access and the sealed certificate name Aina acting
for Maria. Then Maria revokes the power, and Aina's reload of the case page, like the
notification's, is a 404. The citizens' main actions are done with the keyboard alone; axe-core
audits every page of the three.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import cast

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Permission, User
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from devtools.clave_idp import LocalIdPServer
from expedients.models import Expedient, Procedure, RemedyRequest
from notificacions import certificates
from notificacions.models import Notification, NotificationEvent
from seu import calendar
from seu.identity import PersonData
from seu.models import Organ, Person, Power, Representation, TownHall
from tests.actors import CITIZEN, REPRESENTATIVE
from tests.e2e.conftest import Browse, off_the_browser_thread, path_of
from tests.factories import UserFactory
from tests.support.expedients import make_procedure
from tests.support.journey_expedients import (
    FORM_PAGE,
    QUEUE,
    assert_sealed,
    choose_radio,
    identify_as,
    log_in_to_back_office,
    nothing_but_csp,
    press_and_wait,
    request_a_remedy,
    session_of,
    tab_to,
    text_of,
    type_into,
)
from tests.support.notifications import consent_of

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("clave_on_the_live_server", "on_a_working_day"),
]

POWERS = "/identificacio/apoderaments/"
A, B = CITIZEN, REPRESENTATIVE  # Maria Garcia Ferrer grants, Aina Roig Sureda represents her
A_NAME = f"{A.given_name} {A.surnames}"
B_NAME = f"{B.given_name} {B.surnames}"
EMAIL, B_EMAIL = "maria@exemple.cat", "aina@exemple.cat"
ADDRESS = "Carrer de la Mar, 14, Sant Llorenç des Cardassar"
BUDGET = "1850"
REMEDY = "Adjuntau el pressupost detallat signat pel contractista."


# --- Set-up, through the services ---------------------------------------------------------------


def catalogue(organ: Organ) -> Procedure:
    """The procedure of the journey (the default form of tests/support/expedients.py), another one
    the power does not reach, and both women's consent to electronic notifications (Aina's own:
    the notices she gets as a representative go to her address; and the review does not ask her
    how she wants to be notified)."""
    consent_of(A, email=EMAIL)
    consent_of(B, email=B_EMAIL)
    make_procedure(
        organ,
        code="QUEIXES",
        name="Queixes i suggeriments",
        form={"fields": [{"key": "text", "type": "textarea", "label": {"ca": "Queixa"}}]},
    )
    return make_procedure(organ)


def clerk_of(organ: Organ) -> User:
    """A clerk of the organ holding the permissions of case files and of the registry."""
    user = cast(User, UserFactory.create(username="tramitadora", staff=True, clerk_of=organ))
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label__in=["expedients", "registre"])
    )
    return User.objects.get(pk=user.pk)  # a fresh object: no permission cache


def last_day_of_the_power() -> dt.date:
    """A 20th some six months ahead: its words read "fins al 20 de ..." whatever the month."""
    today = calendar.to_local(calendar.now()).date()
    return (today + dt.timedelta(days=180)).replace(day=20)


# --- The journey, step by step --------------------------------------------------------------------


def identify_on_the_way(browse: Browse, local_idp: LocalIdPServer, person: PersonData) -> None:
    """A page that needs an identification sends the person to identify first: Cl@ve."""
    page = browse.page
    expect(page.get_by_role("heading", level=1)).to_have_text("Identificar-me")
    tab_to(browse, page.get_by_role("link", name="Identificar-me amb Cl@ve"))
    press_and_wait(browse)
    identify_as(browse, local_idp, person)


def grant_the_power(
    browse: Browse, local_idp: LocalIdPServer, procedure: Procedure, last_day: dt.date
) -> Power:
    """Step 1: Maria, in *Apoderaments*, grants Aina a power for one procedure until
    ``last_day``, and sees it pending."""
    page = browse.page
    main = page.get_by_role("main")
    browse.goto(POWERS)
    identify_on_the_way(browse, local_idp, A)
    assert path_of(page.url) == POWERS
    expect(page.get_by_role("heading", level=1)).to_have_text("Apoderaments")
    expect(page.locator("#atorgats")).to_have_text("No heu atorgat cap apoderament.")
    tab_to(browse, main.get_by_role("link", name="Atorgar un apoderament"))
    press_and_wait(browse)
    assert path_of(page.url) == f"{POWERS}nou/"
    type_into(browse, page.get_by_label("NIF, NIE o CIF del representant", exact=True), B.nif)
    choose_radio(browse, page.get_by_role("radio", name="Per a uns procediments"))
    # The procedure is chosen from the catalogue, not typed.
    box = page.get_by_role("checkbox", name=f"{procedure.name} ({procedure.code})")
    tab_to(browse, box)
    page.keyboard.press("Space")
    expect(box).to_be_checked()
    # A date field's keys follow the browser's own date format: the day is set as its value.
    ends_on = page.get_by_label("Data final", exact=True)
    tab_to(browse, ends_on)
    ends_on.fill(last_day.isoformat())
    tab_to(browse, page.get_by_role("button", name="Atorgar l'apoderament"))
    press_and_wait(browse)

    power = Power.objects.select_related("grantor", "representative").get()
    assert path_of(page.url) == f"{POWERS}{power.public_id}/"
    assert (power.grantor.nif, power.representative.nif) == (A.nif, B.nif)
    assert power.scope == Power.Scope.PROCEDURES and power.procedure_codes == [procedure.code]
    assert calendar.last_day(power.ends_at) == last_day
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Heu atorgat l'apoderament"
    )
    expect(page.locator("#estat")).to_have_text("pendent d'acceptar")
    expect(page.locator("#abast")).to_have_text(f"Per als procediments {procedure.code}")
    expect(page.locator("#explicacio")).to_contain_text("encara no l'ha acceptat")

    # Back to the list: pending, not yet accepted, until that day.
    tab_to(browse, main.get_by_role("link", name="Tornar als apoderaments"))
    press_and_wait(browse)
    row = page.locator("#atorgats tbody tr").filter(has_text=B.nif)
    expect(row).to_contain_text("pendent d'acceptar")
    expect(row).to_contain_text("Encara no")
    expect(row).to_contain_text(calendar.format_date(last_day))
    return power


def accept_the_power(b: Browse, local_idp: LocalIdPServer, power: Power) -> None:
    """Step 2: Aina, in her own *Apoderaments*, finds Maria's power and accepts it."""
    page = b.page
    main = page.get_by_role("main")
    b.goto(POWERS)
    identify_on_the_way(b, local_idp, B)
    assert path_of(page.url) == POWERS
    row = page.locator("#rebuts tbody tr").filter(has_text=A.nif)
    expect(row).to_contain_text(A_NAME)
    expect(row).to_contain_text("pendent d'acceptar")
    tab_to(b, row.get_by_role("link", name=A_NAME))
    press_and_wait(b)
    assert path_of(page.url) == f"{POWERS}{power.public_id}/"
    tab_to(b, page.locator("#decidir").get_by_role("link", name="Acceptar", exact=True))
    press_and_wait(b)
    expect(page.get_by_role("heading", level=1)).to_have_text("Voleu acceptar aquest apoderament?")
    tab_to(b, main.get_by_role("button", name="Sí, acceptar l'apoderament"))
    press_and_wait(b)
    assert path_of(page.url) == f"{POWERS}{power.public_id}/"
    expect(page.locator("#estat")).to_have_text("en vigor")
    power.refresh_from_db()
    assert power.state == Power.State.ACCEPTED and power.starts_at is not None


def file_on_her_behalf(
    b: Browse,
    procedure: Procedure,
    power: Power,
    last_day: dt.date,
    nss_db: str,
    tmp_path: Path,
) -> Expedient:
    """Step 3: Aina opens the procedure's form, chooses to file it for Maria by her power, fills
    it, reviews it (it says on whose behalf), files it and gets the receipt naming both."""
    page = b.page
    main = page.get_by_role("main")
    b.goto(f"/tramits/{procedure.code}/")
    tab_to(b, main.get_by_role("button", name="Començar"))
    press_and_wait(b)  # identified already, at the procedure's level
    assert path_of(page.url) == f"/tramits/{procedure.code}/formulari/"

    # "En nom de qui presentau aquesta sol·licitud?": herself, Maria by the power, or declared.
    question = main.get_by_role("group", name="En nom de qui presentau aquesta sol·licitud?")
    expect(question.get_by_role("radio", name="En nom meu", exact=True)).to_be_visible()
    for_her = question.get_by_role(
        "radio",
        name=f"En nom de {A_NAME} (apoderament fins al {calendar.format_date(last_day)})",
        exact=True,
    )
    expect(for_her).to_have_attribute("value", f"power:{power.public_id}")
    expect(question.get_by_role("radio", name="En nom d'una altra persona")).to_have_count(1)
    choose_radio(b, for_her)
    fill_the_works_form(b, A.nif)

    # The review: filed by Aina on Maria's behalf, with the power until that day.
    assert path_of(page.url) == f"/tramits/{procedure.code}/revisio/"
    expect(page.get_by_role("heading", level=1)).to_have_text("Revisau la sol·licitud")
    expect(main).to_contain_text(re.compile(rf"{B_NAME}.*en nom de {A_NAME}", re.S))
    expect(main).to_contain_text(f"fins al {calendar.format_date(last_day)}")
    expect(page.locator("#respostes")).to_contain_text(ADDRESS)
    assert not Expedient.objects.exists()
    tab_to(b, page.get_by_role("button", name="Presentar", exact=True))
    press_and_wait(b)

    # Filed: the case is Maria's, Aina her representative by that power.
    expect(page.get_by_role("heading", level=1)).to_have_text("Sol·licitud presentada")
    case = Expedient.objects.select_related("opening_entry", "interested", "representative").get()
    assert (case.interested.nif, cast(Person, case.representative).nif) == (A.nif, B.nif)
    assert case.representation == Representation.POWER and case.power_id == power.pk
    entry = case.opening_entry
    assert entry.number and entry.receipt_id
    expect(page.locator("#numero-expedient")).to_have_text(case.number)
    tab_to(b, main.get_by_role("link", name=f"Descarregar el rebut de {entry.number}"))
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    receipt = Path(download.value.path()).read_bytes()
    assert_sealed(receipt, nss_db, folder(tmp_path, "rebut"))
    text = text_of(receipt)
    for shown in (entry.number, A_NAME, A.nif, B_NAME, B.nif, procedure.name):
        assert shown in text, (shown, text)
    return case


def fill_the_works_form(b: Browse, holder_nif: str) -> None:
    """The procedure's own fields, by keyboard, then on to the review."""
    page = b.page
    type_into(b, page.get_by_label("NIF del titular", exact=True), holder_nif)
    type_into(b, page.get_by_label("Adreça de l'obra", exact=True), ADDRESS)
    type_into(b, page.get_by_label("Pressupost (euros)", exact=True), BUDGET)
    for choice in (
        page.get_by_role("radio", name="Reforma interior"),
        page.get_by_role("checkbox", name="En lloc d'adjuntar-lo, declar"),
        page.get_by_role("checkbox", name="Declar sota la meva responsabilitat que l'obra"),
    ):
        tab_to(b, choice)
        page.keyboard.press("Space")
        expect(choice).to_be_checked()
    tab_to(b, page.get_by_role("button", name="Continuar i revisar"))
    press_and_wait(b)


def she_finds_the_case(browse: Browse, case: Expedient) -> None:
    """Step 4: Maria, in *La meva carpeta > Expedients*, finds the case Aina filed for her."""
    page = browse.page
    browse.goto("/carpeta/expedients/")
    row = page.locator("#expedients tbody tr").filter(has_text=case.number)
    expect(row).to_contain_text(case.procedure.name)
    expect(row).to_contain_text("Iniciat")
    tab_to(browse, row.get_by_role("link", name=case.number))
    press_and_wait(browse)
    assert path_of(page.url) == f"/carpeta/expedients/{case.pk}/"
    expect(page.get_by_role("main")).to_contain_text(
        re.compile(rf"Presenta(t|da) per {B_NAME}.*en nom de {A_NAME}", re.S)
    )


def she_opens_it_for_her(b: Browse, case: Expedient, nss_db: str, tmp_path: Path) -> Notification:
    """Step 5, for Aina: the remedy request is Maria's notification; Aina sees it as her
    representative, opens it with the keyboard, and the evidence names her acting for Maria."""
    page = b.page
    subject = f"Requeriment d'esmena de l'expedient {case.number}"
    b.goto("/notificacions/")
    card = page.locator("#pendents > li").filter(has_text=subject)
    expect(card).to_contain_text(
        re.compile(rf"(en representació|com a representant) de {A_NAME}", re.I)
    )
    tab_to(b, card.get_by_role("link", name=subject))
    press_and_wait(b)
    notification = Notification.objects.select_related("holder").get(subject=subject)
    assert path_of(page.url) == f"/notificacions/{notification.public_id}/"
    tab_to(b, page.get_by_role("button", name="Acceptar i obrir"))
    press_and_wait(b)
    expect(page.get_by_text("Heu obert la notificació")).to_be_visible()

    # Practised by Aina, as Maria's representative: the state, the record, the certificate.
    notification.refresh_from_db()
    assert notification.state == Notification.State.ACCESSED
    assert notification.holder.nif == A.nif
    assert cast(Person, notification.outcome_person).nif == B.nif
    assert notification.outcome_role == Notification.Role.REPRESENTATIVE
    opened = notification.events.get(event=NotificationEvent.Event.ACCESSED)
    record = json.loads(opened.details["record"])
    assert (record["person"], record["holder"]) == (B.nif, A.nif), record
    assert RemedyRequest.objects.get(expedient=case).state == RemedyRequest.State.RUNNING
    # The certificate is the worker's task once the notification has ended: issued here.
    assert off_the_browser_thread(
        lambda: certificates.issue_certificate(notification_id=notification.pk)
    )
    b.goto(f"/notificacions/{notification.public_id}/")
    with page.expect_download() as download:
        page.get_by_role(
            "link", name="Descarregar el certificat de la notificació (PDF segellat)"
        ).click()
    pdf = Path(download.value.path()).read_bytes()
    assert_sealed(pdf, nss_db, folder(tmp_path, "certificat"))
    text = text_of(pdf)
    for shown in (A_NAME, A.nif, B_NAME, B.nif, case.number):
        assert shown in text, (shown, text)

    # And the case itself, which her power reaches: waiting for the remedy.
    b.goto(f"/carpeta/expedients/{case.pk}/")
    expect(page.locator("#estat")).to_contain_text("Pendent d'esmena")
    return notification


def she_revokes_it(browse: Browse, power: Power) -> None:
    """Step 6, for Maria: *Apoderaments*, the power, *Revocar*, confirmed."""
    page = browse.page
    main = page.get_by_role("main")
    browse.goto(POWERS)
    row = page.locator("#atorgats tbody tr").filter(has_text=B.nif)
    expect(row).to_contain_text("en vigor")
    tab_to(browse, row.get_by_role("link", name=B_NAME))
    press_and_wait(browse)
    tab_to(browse, main.get_by_role("link", name="Revocar", exact=True))
    press_and_wait(browse)
    expect(page.get_by_role("heading", level=1)).to_have_text("Voleu revocar aquest apoderament?")
    tab_to(browse, main.get_by_role("button", name="Sí, revocar l'apoderament"))
    press_and_wait(browse)
    assert path_of(page.url) == f"{POWERS}{power.public_id}/"
    expect(page.locator("#estat")).to_have_text("revocat")
    power.refresh_from_db()
    assert power.state == Power.State.REVOKED


def folder(tmp_path: Path, name: str) -> Path:
    """A folder of its own for each PDF pdfsig checks."""
    path = tmp_path / name
    path.mkdir(exist_ok=True)
    return path


def test_a_person_empowers_another_who_acts_for_her_until_she_revokes_the_power(
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
    clerk = off_the_browser_thread(lambda: clerk_of(organ))
    last_day = last_day_of_the_power()

    power = grant_the_power(browse, local_idp, procedure, last_day)
    with session_of(browser, live_server, axe) as b:
        accept_the_power(b, local_idp, power)
        case = file_on_her_behalf(b, procedure, power, last_day, nss_db, tmp_path)
        she_finds_the_case(browse, case)

        # Step 5: the organ's clerk asks for a remedy; the notification is Maria's, naming Aina.
        with session_of(browser, live_server, axe) as office:
            log_in_to_back_office(office, clerk)
            request_a_remedy(office, case.number, REMEDY)
        notification = she_opens_it_for_her(b, case, nss_db, tmp_path)
        assert cast(Person, notification.representative).nif == B.nif
        assert notification.power_id == power.pk

        # Step 6: Maria revokes the power; from that instant Aina sees neither any more.
        she_revokes_it(browse, power)
        response = b.page.reload()
        assert response is not None and response.status == 404, response
        b.audit()
        assert path_of(b.page.url) == f"/carpeta/expedients/{case.pk}/"
        b.goto(f"/notificacions/{notification.public_id}/", status=404)
        b.goto("/notificacions/")
        expect(b.page.get_by_role("main")).not_to_contain_text(case.number)

    # Maria still has her case.
    browse.goto(f"/carpeta/expedients/{case.pk}/")
    expect(browse.page.locator("#estat")).to_contain_text("Pendent d'esmena")


DECLARED = PersonData(nif="45678901G", given_name="Pere", surnames="Mas Vidal")


def test_a_declared_representation_is_refused_by_the_clerk_and_the_declarant_loses_the_case(
    browse: Browse,
    browser: Browser,
    axe: Axe,
    live_server: LiveServer,
    local_idp: LocalIdPServer,
    town_hall: TownHall,
    organ: Organ,
) -> None:
    """Art. 26.2.c driven as people do it: Aina files the procedure for Pere declaring that she
    represents him; the organ's clerk finds it "per comprovar" in the queue, refuses it with a
    reason on the case's page; Aina then gets a 404 on the case file."""
    procedure = off_the_browser_thread(lambda: catalogue(organ))
    clerk = off_the_browser_thread(lambda: clerk_of(organ))
    page = browse.page
    main = page.get_by_role("main")
    browse.goto(POWERS)
    identify_on_the_way(browse, local_idp, B)
    browse.goto(f"/tramits/{procedure.code}/")
    tab_to(browse, main.get_by_role("button", name="Començar"))
    press_and_wait(browse)
    question = main.get_by_role("group", name="En nom de qui presentau aquesta sol·licitud?")
    choose_radio(browse, question.get_by_role("radio", name="En nom d'una altra persona"))
    type_into(
        browse,
        page.get_by_label("NIF, NIE o CIF de la persona que representau", exact=True),
        DECLARED.nif,
    )
    type_into(browse, page.locator("#declared_given_name"), DECLARED.given_name)
    type_into(browse, page.locator("#declared_surnames"), DECLARED.surnames)
    confirm = page.get_by_role("checkbox", name="Declar sota la meva responsabilitat que represent")
    tab_to(browse, confirm)
    page.keyboard.press("Space")
    expect(confirm).to_be_checked()
    fill_the_works_form(browse, DECLARED.nif)
    assert path_of(page.url) == f"/tramits/{procedure.code}/revisio/"
    expect(main).to_contain_text("representació declarada")
    tab_to(browse, page.get_by_role("button", name="Presentar", exact=True))
    press_and_wait(browse)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sol·licitud presentada")
    case = Expedient.objects.select_related("interested").get()
    assert case.interested.nif == DECLARED.nif
    assert case.representation == Representation.DECLARED
    browse.goto(f"/carpeta/expedients/{case.pk}/")

    with session_of(browser, live_server, axe) as office:
        log_in_to_back_office(office, clerk)
        office.goto(f"{QUEUE}?representacio=on", axe=FORM_PAGE)
        row = office.page.locator("#queue tbody tr").filter(has_text=case.number)
        office.click_and_wait(row.get_by_role("link", name=case.number), axe=FORM_PAGE)
        expect(office.page.locator("#representation-check")).to_contain_text("per comprovar")
        action = office.page.locator("#action-representation")
        action.get_by_label("No acreditada").check()
        action.get_by_label("Motiu").fill(REFUSAL)
        office.click_and_wait(action.get_by_role("button", name="Desar la decisió"), axe=FORM_PAGE)
        expect(office.page.locator("#representation-check")).to_contain_text("No acreditada")
        nothing_but_csp(office)

    case.refresh_from_db()
    assert case.representation_check == "refused" and case.representation_reason == REFUSAL
    response = page.reload()
    assert response is not None and response.status == 404, response
    browse.audit()


REFUSAL = "No consta cap document que acrediti que actuau en nom de Pere Mas Vidal."
