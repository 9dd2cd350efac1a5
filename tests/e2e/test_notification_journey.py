"""Issue 14 "Acceptance" in Chromium, end to end: the organ sends three notifications about an
entry a citizen filed; each notice e-mail leaves through a real Celery worker to a real SMTP
server and names the organ, the expiry and the link, never the subject. The citizen follows the
link, identifies with Cl@ve (substantial), sees the three waiting with the instant each will be
deemed rejected, opens the first with the keyboard alone (focus visible at every step) and
downloads its document and the evidence of availability, both sealed and valid for pdfsig;
rejects the second through its confirmation page; the third expires under a frozen clock
(``clock.expire_due``) and the list says it was rejected because the period passed. Then the
organ's clerk sees the three outcomes in the back-office. axe-core audits every page.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from email.header import decode_header, make_header
from email.message import Message
from pathlib import Path
from typing import cast

import pytest
from django.contrib.auth.models import Permission, User
from playwright.sync_api import Locator, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from devtools.clave_idp import LocalIdPServer
from notificacions import clock
from notificacions.models import Notification
from registre.models import RegistryEntry
from seu import calendar
from seu.identity.staff_auth import current_code, enrol_totp_device
from seu.models import Organ, TownHall
from tests.actors import ANOTHER_CITIZEN, CITIZEN, file_entry_for, person_actor
from tests.conftest import STAFF_PASSWORD, pdfsig, wait_for
from tests.e2e.conftest import Browse, off_the_browser_thread, path_of
from tests.factories import UserFactory
from tests.support.clave import at_the_identity_provider
from tests.support.notifications import consent_of, sealed_document, send
from tests.support.smtp import Catcher, smtp_server

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]

LIST = "/notificacions/"
EMAIL = "maria@exemple.cat"
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
SUBJECTS = (
    "Resolució de la llicència de gual",
    "Requeriment d'esmena de la sol·licitud",
    "Proposta de resolució de la llicència",
)
TITLES = ("Resolució d'alcaldia 2026/0412", "Requeriment 2026/0413", "Proposta 2026/0414")


# --- The mail server and the worker that delivers to it -----------------------------------------


@dataclass(frozen=True)
class MailServer:
    catcher: Catcher
    port: int


@pytest.fixture(scope="module")
def mail_server() -> Iterator[MailServer]:
    """A real SMTP server for the module, and the e-mail settings the worker reads from the
    environment when it starts."""
    names = ("EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT")
    saved = {name: os.environ.get(name) for name in names}
    with smtp_server() as (catcher, port):
        os.environ.update(EMAIL_BACKEND=SMTP_BACKEND, EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(port))
        try:
            yield MailServer(catcher=catcher, port=port)
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


@pytest.fixture(scope="module")
def celery_worker_process(
    mail_server: MailServer, celery_worker_process: subprocess.Popen[bytes]
) -> subprocess.Popen[bytes]:
    """The conftest's real worker, started once the mail server's settings are in the
    environment it inherits."""
    return celery_worker_process


@pytest.fixture
def worker(
    mail_server: MailServer, celery_worker_process: subprocess.Popen[bytes], settings: Settings
) -> MailServer:
    """The real Celery worker delivers each notice once its transaction commits (the task
    ``seu.core.outbox.queue_email`` queues); this process would send to the same server."""
    settings.EMAIL_BACKEND = SMTP_BACKEND
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", mail_server.port
    mail_server.catcher.messages.clear()
    return mail_server


def text_of(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes), message
    return payload.decode(message.get_content_charset() or "utf-8")


def subject_of(message: Message) -> str:
    return str(make_header(decode_header(str(message["Subject"]))))


# --- Set-up, through the services ---------------------------------------------------------------


def last_working_morning() -> dt.datetime:
    """09:00 UTC of the latest working day already begun: an exit entry registered then makes the
    notification available at once, and its ten days have not passed whatever day this runs."""
    moment = calendar.now().replace(hour=9, minute=0, second=0, microsecond=0)
    while moment > calendar.now() or not calendar.is_working_day(calendar.to_local(moment).date()):
        moment -= dt.timedelta(days=1)
    return moment


def three_notifications(organ: Organ) -> tuple[RegistryEntry, list[Notification]]:
    """Maria consented, filed an entry, and the organ notifies her three times about it (and
    someone else about something else)."""
    at = last_working_morning()
    consent_of(CITIZEN, email=EMAIL, now=at - dt.timedelta(hours=2))
    entry = file_entry_for(
        person_actor("citizen", CITIZEN),
        organ,
        subject="Llicència de gual al carrer de les Roses, 7",
        presented_at=at - dt.timedelta(hours=1),
    )
    sent = [
        send(
            organ,
            CITIZEN,
            now=at + dt.timedelta(minutes=index),
            subject=subject,
            documents_=[sealed_document(organ, title=title)],
            related_entry=entry,
        )
        for index, (subject, title) in enumerate(zip(SUBJECTS, TITLES, strict=True))
    ]
    # Not about this entry (another person, on paper): the back-office's filter leaves it out.
    send(organ, ANOTHER_CITIZEN, now=at, subject="Liquidació de la taxa de guals")
    return entry, sent


# --- The back-office -----------------------------------------------------------------------------

NOTIFICATIONS_ADMIN = "/gestio/notificacions/notification/"


def staff_of(organ: Organ) -> User:
    """A clerk of ``organ`` who may read the registers of entries and notifications."""
    user = cast(User, UserFactory.create(username="tramitadora", staff=True, clerk_of=organ))
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_notification", "view_registryentry"],
            content_type__app_label__in=["notificacions", "registre"],
        )
    )
    return user


def log_in(browse: Browse, user: User) -> None:
    """The back-office's login form (password and TOTP code); tested, and exempted from axe, in
    test_staff.py: the journey audits the pages after it."""
    device = enrol_totp_device(user)
    browse.goto("/gestio/", axe=False)
    browse.submit(
        {
            "Nom d'usuari:": user.username,
            "Contrasenya:": STAFF_PASSWORD,
            "Codi de verificació:": current_code(device),
        },
        browse.page.get_by_role("button", name="Iniciar sessió"),
    )
    assert path_of(browse.page.url) == "/gestio/"


# --- Keyboard only ------------------------------------------------------------------------------

FOCUS_STYLE = """el => {
    const style = getComputedStyle(el);
    return [style.outlineStyle, style.outlineWidth, style.outlineColor, style.boxShadow,
            style.backgroundColor, style.color].join(" | ");
}"""


def tab_to(browse: Browse, target: Locator, *, limit: int = 80) -> None:
    """Press Tab until ``target`` has the focus, and check that the focus shows: the element
    matches ``:focus-visible`` and looks different from how it looks without the focus."""
    page = browse.page
    unfocused = target.evaluate(FOCUS_STYLE)
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            break
    else:
        raise AssertionError(f"{limit} presses of Tab never reached {target}")
    assert target.evaluate("el => el.matches(':focus-visible')")
    focused = target.evaluate(FOCUS_STYLE)
    assert focused != unfocused, f"the focus does not show: {focused}"


def press_enter_and_wait(browse: Browse) -> None:
    with browse.page.expect_navigation():
        browse.page.keyboard.press("Enter")
    browse.audit()


# --- The journey --------------------------------------------------------------------------------


def pdftotext(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "text.pdf"
    path.write_bytes(pdf)
    found = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    )
    return found.stdout


def pdf_is_sealed(pdf: bytes, nss_db: str, tmp_path: Path) -> None:
    """The town hall's seal in ``pdf`` is valid and its certificate trusted, as poppler's pdfsig
    sees it. The worker may have added a document timestamp after it (a later version): pdfsig
    cannot validate that kind, so it is only recognised by its field."""
    assert pdf.startswith(b"%PDF-")
    report = pdfsig(pdf, nss_db, tmp_path)
    blocks = re.split(r"^Signature #\d+:$", report, flags=re.MULTILINE)[1:]
    seals = [block for block in blocks if "Field Name: SegellAjuntament" in block]
    assert len(seals) == 1, report
    assert "Signature is Valid." in seals[0] and "Certificate is Trusted." in seals[0], report
    others = [block for block in blocks if block not in seals]
    assert all("Field Name: Timestamp-" in block for block in others), report


@pytest.mark.usefixtures("clave_on_the_live_server")
def test_a_citizen_is_told_opens_rejects_and_lets_expire_and_the_clerk_sees_it_all(
    browse: Browse,
    worker: MailServer,
    local_idp: LocalIdPServer,
    live_server: LiveServer,
    town_hall: TownHall,
    organ: Organ,
    nss_db: str,
    tmp_path: Path,
) -> None:
    page = browse.page
    entry, sent = off_the_browser_thread(lambda: three_notifications(organ))
    first, second, third = sent
    assert all(n.state == Notification.State.AVAILABLE for n in sent)

    # A notice per notification reaches the mail server, through the worker: it names the
    # organ, the expiry and where to go, and nothing of the content.
    catcher = worker.catcher
    assert wait_for(lambda: len(catcher.messages) >= len(sent), timeout=30), catcher.messages
    assert len(catcher.messages) == len(sent)
    expiries = sorted(calendar.format_instant(n.expires_at) for n in sent if n.expires_at)
    assert len(expiries) == len(sent)
    links = set()
    told = []
    for message in catcher.messages:
        assert message["To"] == EMAIL
        body, subject = text_of(message), subject_of(message)
        assert subject.startswith("Teniu una notificació a la seu electrònica"), subject
        assert f"{organ.name} ({town_hall.name}) us ha posat a disposició una notificació" in body
        told += [expiry for expiry in set(expiries) if f"fins al {expiry}" in body]
        links.update(re.findall(r"https?://\S+", body))
        for secret in (*SUBJECTS, *TITLES, entry.subject):
            assert secret not in body and secret not in subject, (secret, subject, body)
    assert sorted(told) == expiries
    assert links == {f"{live_server.url}{LIST}"}

    # The link, Cl@ve at the substantial level, and the list: three waiting, each with the
    # instant it will be deemed rejected.
    browse.goto(links.pop(), status=None)
    browse.click_and_wait(page.get_by_role("link", name="Identificar-me amb Cl@ve"))
    at_the_identity_provider(browse, local_idp, level="Substancial")
    assert path_of(page.url) == LIST
    pending = page.locator("#pendents > li")
    expect(pending).to_have_count(3)
    for notification in sent:
        card = pending.filter(has_text=notification.subject)
        expect(card).to_contain_text("Es considerarà rebutjada si no l'obriu abans del")
        expect(card.locator(".seu-expiry")).to_have_text(
            calendar.format_instant(notification.expires_at)
        )
        expect(card).to_contain_text(organ.name)

    # The first, opened with the keyboard alone: Tab to its link, Enter; Tab to *Acceptar i
    # obrir*, Enter. The focus shows at each step.
    tab_to(browse, page.get_by_role("link", name=SUBJECTS[0]))
    press_enter_and_wait(browse)
    assert path_of(page.url) == f"{LIST}{first.public_id}/"
    expect(page.locator("#estat")).to_contain_text("Pendent d'obrir")
    tab_to(browse, page.get_by_role("button", name="Acceptar i obrir"))
    press_enter_and_wait(browse)
    assert path_of(page.url) == f"{LIST}{first.public_id}/"
    expect(page.get_by_text("Heu obert la notificació")).to_be_visible()
    expect(page.locator("#estat")).to_contain_text("Oberta (practicada)")
    first.refresh_from_db()
    assert first.state == Notification.State.ACCESSED

    # Its document and the evidence of availability, both sealed and valid.
    with page.expect_download() as document:
        page.get_by_role("link", name=f"Descarregar «{TITLES[0]}» (PDF segellat)").click()
    pdf_is_sealed(Path(document.value.path()).read_bytes(), nss_db, tmp_path)
    with page.expect_download() as evidence:
        page.get_by_role(
            "link", name="Descarregar l'evidència de posada a disposició (PDF segellat)"
        ).click()
    evidence_pdf = Path(evidence.value.path()).read_bytes()
    pdf_is_sealed(evidence_pdf, nss_db, tmp_path)
    assert str(first.exit_entry.number) in pdftotext(evidence_pdf, tmp_path)

    # The second, rejected through its confirmation page.
    browse.click_and_wait(page.get_by_role("link", name="Tornar a «Les meves notificacions»"))
    browse.click_and_wait(page.get_by_role("link", name=SUBJECTS[1]))
    assert path_of(page.url) == f"{LIST}{second.public_id}/"
    browse.click_and_wait(page.get_by_role("link", name="Rebutjar", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Voleu rebutjar aquesta notificació?")
    browse.click_and_wait(page.get_by_role("button", name="Sí, rebutjar la notificació"))
    expect(page.get_by_text("Heu rebutjat la notificació")).to_be_visible()
    expect(page.locator("#estat")).to_contain_text("Rebutjada per la persona")

    # The third is left alone: once its expiry has passed (the clock given, not waited for), the
    # beat's sweep ends it, and the list says why.
    assert third.expires_at is not None
    after_expiry = third.expires_at + dt.timedelta(seconds=1)
    assert off_the_browser_thread(lambda: clock.expire_due(now=after_expiry)) == 1
    browse.goto(LIST)
    expect(page.locator("#sense-pendents")).to_be_visible()
    rows = page.locator("#altres tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.filter(has_text=SUBJECTS[0])).to_contain_text("Oberta (practicada)")
    expect(rows.filter(has_text=SUBJECTS[1])).to_contain_text("Rebutjada per la persona")
    expect(rows.filter(has_text=SUBJECTS[2])).to_contain_text(
        "Rebutjada per haver passat el termini"
    )
    browse.click_and_wait(page.get_by_role("link", name=SUBJECTS[2]))
    expect(page.locator("#explicacio")).to_contain_text("no s'ha obert en el termini de deu dies")
    for notification in sent:
        notification.refresh_from_db()
    assert [n.state for n in sent] == [
        Notification.State.ACCESSED,
        Notification.State.REJECTED,
        Notification.State.EXPIRED,
    ]

    # The organ's clerk, in the back-office, finds the entry's notifications and their three
    # outcomes.
    clerk = staff_of(organ)
    log_in(browse, clerk)
    browse.goto(NOTIFICATIONS_ADMIN)
    expect(page.locator("#result_list tbody tr")).to_have_count(4)
    expect(page.locator("#result_list")).to_contain_text("Liquidació de la taxa de guals")
    # From the entry's page in the registry book, to the notifications about it. The entry's
    # page is an admin form page, where axe's own <style> is blocked by the CSP: exempt, and at
    # the end nothing but that report may be among its findings (as in test_tauler_backoffice).
    browse.goto(f"/gestio/registre/registryentry/{entry.pk}/change/", axe=False)
    browse.click_and_wait(page.get_by_role("link", name="Notificacions d'aquest assentament"))
    assert not [found for found in browse.exempted if "Content Security Policy" not in found]
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(3)
    expect(page.locator("#result_list")).not_to_contain_text("Liquidació de la taxa de guals")
    for notification, outcome in zip(
        sent,
        (
            "oberta (practicada)",
            "rebutjada per la persona",
            "rebutjada per haver passat el termini",
        ),
        strict=True,
    ):
        row = rows.filter(has_text=str(notification.exit_entry.number))
        expect(row).to_contain_text(notification.subject)
        expect(row).to_contain_text(outcome)
