"""Issue 14 item 3 in Chromium: a citizen identified with Cl@ve at the substantial level finds
«Les meves notificacions» empty, then with two notifications waiting; opens one (the warning
first, then *Acceptar i obrir*) and downloads its sealed document; rejects the other after its
confirmation page; and sees both outcomes in the list. axe-core audits every page on the way (the
list empty and full, a pending notification, the rejection's confirmation, an accessed one);
no JavaScript is needed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from notificacions.models import Notification
from seu import calendar
from seu.models import Organ, TownHall
from tests.actors import CITIZEN, identify
from tests.e2e.conftest import Browse, off_the_browser_thread, path_of
from tests.support.notifications import consent_of, send

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIST = "/notificacions/"


def citizen_session(live_server: LiveServer, page: Page) -> None:
    """The browser carries the session of a citizen identified through Cl@ve (``tests.actors``)."""
    client = Client()
    identify(client, CITIZEN)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def last_working_morning() -> dt.datetime:
    """09:00 UTC of the latest working day already begun: an exit entry registered then makes the
    notification available at once, and its ten days have not passed whatever day this runs."""
    moment = calendar.now().replace(hour=9, minute=0, second=0, microsecond=0)
    while moment > calendar.now() or not calendar.is_working_day(calendar.to_local(moment).date()):
        moment -= dt.timedelta(days=1)
    return moment


def two_notifications(organ: Organ) -> tuple[Notification, Notification]:
    at = last_working_morning()
    consent_of(CITIZEN, email="maria@exemple.cat", now=at - dt.timedelta(hours=1))
    to_open = send(organ, CITIZEN, now=at, subject="Resolució de la llicència de gual")
    to_reject = send(
        organ,
        CITIZEN,
        now=at,
        subject="Requeriment d'esmena de la sol·licitud",
        case_reference="expedients.case:7",
    )
    return to_open, to_reject


def test_a_citizen_opens_one_notification_and_rejects_another(
    browse: Browse, live_server: LiveServer, town_hall: TownHall, organ: Organ
) -> None:
    page = browse.page
    citizen_session(live_server, page)
    browse.goto(LIST)
    expect(page.locator("#sense-notificacions")).to_contain_text("Encara no teniu cap notificació")

    to_open, to_reject = off_the_browser_thread(lambda: two_notifications(organ))
    browse.goto(LIST)
    pending = page.locator("#pendents > li")
    expect(pending).to_have_count(2)
    expect(pending.first).to_contain_text("Es considerarà rebutjada si no l'obriu abans del")
    expect(pending.first).to_contain_text("Com a persona interessada")

    # Opening: the page says what it means before anything counts.
    browse.click_and_wait(page.get_by_role("link", name="Resolució de la llicència de gual"))
    assert path_of(page.url) == f"{LIST}{to_open.public_id}/"
    expect(page.locator(".govuk-warning-text")).to_contain_text(
        "Si l'obriu ara, la notificació es considerarà practicada"
    )
    browse.click_and_wait(page.get_by_role("button", name="Acceptar i obrir"))
    expect(page.get_by_text("Heu obert la notificació")).to_be_visible()
    expect(page.locator("#estat")).to_contain_text("Oberta (practicada)")
    expect(page.locator("#historial")).to_contain_text("Oberta (practicada) per Maria Garcia")
    with page.expect_download() as info:
        page.get_by_role("link", name="Descarregar «Resolució de prova» (PDF segellat)").click()
    downloaded = Path(info.value.path()).read_bytes()
    sealed = off_the_browser_thread(
        lambda: to_open.notification_documents.get().document.current_version().blob.read()
    )
    assert downloaded == sealed

    # Rejecting: a confirmation page explains the effect first.
    browse.click_and_wait(page.get_by_role("link", name="Tornar a «Les meves notificacions»"))
    browse.click_and_wait(page.get_by_role("link", name="Requeriment d'esmena de la sol·licitud"))
    # A notification of a case file lets the person ask for the rest of the case on paper
    # (art. 32.7): a confirmation first, then the page says so.
    browse.click_and_wait(
        page.get_by_role(
            "link", name="Rebre en paper les properes notificacions d'aquest expedient"
        )
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Voleu rebre en paper les properes notificacions d'aquest expedient?"
    )
    browse.click_and_wait(page.get_by_role("button", name="Sí, rebre-les en paper"))
    expect(page.locator("#paper-expedient")).to_contain_text("article 32.7")
    browse.click_and_wait(page.get_by_role("link", name="Rebutjar", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Voleu rebutjar aquesta notificació?")
    expect(page.locator(".govuk-warning-text")).to_contain_text("art. 41.5 de la Llei 39/2015")
    browse.click_and_wait(page.get_by_role("button", name="Sí, rebutjar la notificació"))
    expect(page.get_by_text("Heu rebutjat la notificació")).to_be_visible()
    expect(page.locator("#estat")).to_contain_text("Rebutjada per la persona")
    off_the_browser_thread(lambda: to_reject.refresh_from_db())
    assert to_reject.state == Notification.State.REJECTED

    browse.goto(LIST)
    expect(page.locator("#sense-pendents")).to_be_visible()
    rows = page.locator("#altres tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("#altres")).to_contain_text("Oberta (practicada)")
    expect(page.locator("#altres")).to_contain_text("Rebutjada per la persona")
