"""Accessibility journeys (WCAG 2.2 AA, RD 1112/2018; issue 13 items 12 and 13): a keyboard user
sees where the focus is on every header, and a person on a 375 px phone never scrolls a page
sideways. axe-core audits every page reached (``browse``)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.test import Client
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from registre import services as registry
from registre.models import RegistryEntry
from seu import calendar
from seu.models import Organ, TownHall
from tauler import services as board
from tauler.models import Category, Edict, PeriodKind
from tests.actors import CITIZEN, identify
from tests.e2e.conftest import Browse, off_the_browser_thread

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUS_YELLOW = "rgb(255, 221, 0)"

# What the browser says about the element that has the focus now.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  return {
    name: (el.getAttribute('aria-label') || el.textContent || el.value || '').trim().slice(0, 60),
    tag: el.tagName,
    inHeader: !!el.closest('header'),
    skipLink: el.matches('.govuk-skip-link, .skip-to-content-link'),
    background: style.backgroundColor,
    outlineColor: style.outlineColor,
    outlineStyle: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth),
  };
}"""


# The elements that stick out of the screen on the right, to say which in a failure.
WIDER_THAN_THE_SCREEN = """() => [...document.querySelectorAll('body *')]
  .filter(el => el.getBoundingClientRect().right > window.innerWidth + 0.5)
  .slice(-5).map(el => el.tagName + (el.id ? '#' + el.id : '') + '.' + el.className)"""


def _has_focus_style(focused: dict[str, Any]) -> bool:
    """GOV.UK's focus: a yellow background (links, buttons) or a 3 px yellow ring (fields)."""
    if focused["background"] == FOCUS_YELLOW:
        return True
    return (
        focused["outlineColor"] == FOCUS_YELLOW
        and focused["outlineStyle"] != "none"
        and focused["outlineWidth"] >= 3
    )


def tab_through_the_header(page: Page) -> list[dict[str, Any]]:
    """Press Tab from the top of the page until the focus leaves the header; return what each
    press focused (the skip link first, then every header control)."""
    # Start where a person does, at the top: a page may have focused a field on its own
    # (the back-office's login autofocuses the user name), and Tab would go on from there.
    page.evaluate(
        """() => {
          const start = document.createElement('span');
          start.tabIndex = -1;
          document.body.prepend(start);
          start.focus();
        }"""
    )
    reached: list[dict[str, Any]] = []
    for _press in range(20):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None or not (focused["inHeader"] or focused["skipLink"]):
            break
        reached.append(focused)
    return reached


def assert_the_header_shows_its_focus(page: Page, *, at_least: int) -> str:
    """Tab through the header of the page just loaded; return the names of what was reached."""
    reached = tab_through_the_header(page)
    assert len(reached) >= at_least, (page.url, reached)
    unstyled = [item for item in reached if not _has_focus_style(item)]
    assert not unstyled, f"{page.url}: focus not visible on {unstyled}"
    return " | ".join(item["name"] for item in reached)


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


def publish_an_edict(organ: Organ) -> Edict:
    import weasyprint

    from tests.factories import UserFactory

    created: User = UserFactory(username="aprovadora-a11y", staff=True, head_of=organ)  # type: ignore[assignment]
    created.user_permissions.add(Permission.objects.get(codename="publish_edict"))
    approver = User.objects.get(pk=created.pk)  # permissions are cached per instance
    edict = board.create_draft(
        title="Aprovació inicial del pla parcial del sector de Sa Coma i les seves normes",
        category=Category.URBAN_PLANNING,
        organ=organ,
        text="S'exposa al públic l'aprovació inicial del pla parcial.",
        period_kind=PeriodKind.CALENDAR_DAYS,
        period_days=20,
        files=[
            board.IncomingFile(
                name="pla-parcial-sa-coma-memoria-i-plànols.pdf",
                data=weasyprint.HTML(string="<p>Pla parcial</p>").write_pdf(),
            )
        ],
        acting_user=approver,
    )
    board.submit_for_approval(edict_id=edict.pk, acting_user=approver)
    board.publish_edict(edict_id=edict.pk, acting_user=approver)
    return Edict.objects.get(pk=edict.pk)


def grant_a_power() -> Any:
    """A general power the citizen grants to Aina Roig for a year (``seu.identity``)."""
    import datetime as dt

    from seu.identity import representation

    identification = identify(Client(), CITIZEN)
    return representation.grant_power(
        identification=identification,
        wanted=representation.PowerInput(
            representative_nif="11111111H",
            scope="general",
            ends_on=calendar.to_local(calendar.now()).date() + dt.timedelta(days=365),
        ),
    )


def file_an_entry(organ: Organ) -> RegistryEntry:
    return registry.register_entry(
        presented_at=calendar.now(),
        organ=organ,
        subject="Sol·licitud de llicència de gual permanent al carrer Major, 1",
        exposition="Que tenc un garatge al carrer Major, 1.",
        request="Que se'm concedeixi la llicència de gual.",
        interested=CITIZEN,
    )


def test_the_focus_is_visible_on_every_control_of_each_pages_header(
    browse: Browse, live_server: LiveServer, town_hall: TownHall, organ: Organ
) -> None:
    page = browse.page
    for path in ["/", "/tauler/", "/verificar/", "/cita-previa/", "/registre/"]:
        browse.goto(path)
        # The skip link, the town hall's name, two languages and "Identificar-me".
        assert_the_header_shows_its_focus(page, at_least=5)

    citizen_session(live_server, page)
    browse.goto("/carpeta/")
    # ... and once identified: "Les meves identificacions" and the button to leave.
    names = assert_the_header_shows_its_focus(page, at_least=6)
    assert "Les meves identificacions" in names and "Sortir" in names, names

    # The back-office's login page: Django's admin (exempt from axe, see test_verification.py),
    # with the portal's focus style on its skip link and its name.
    page.context.clear_cookies()
    browse.goto("/gestio/login/", axe=False)
    assert_the_header_shows_its_focus(page, at_least=2)


def test_a_focused_form_field_and_a_table_box_show_the_focus_too(
    browse: Browse, live_server: LiveServer, town_hall: TownHall, organ: Organ
) -> None:
    page = browse.page
    off_the_browser_thread(lambda: file_an_entry(organ))
    citizen_session(live_server, page)
    browse.goto("/carpeta/")
    table_box = page.get_by_role("region", name="Registres d'entrada")
    table_box.focus()
    assert _has_focus_style(page.evaluate(FOCUSED))

    browse.goto("/registre/")
    subject = page.get_by_label("Assumpte", exact=True)
    subject.focus()
    assert _has_focus_style(page.evaluate(FOCUSED))


def test_no_citizen_page_scrolls_sideways_on_a_375_px_screen(
    browse: Browse, live_server: LiveServer, town_hall: TownHall, organ: Organ
) -> None:
    page = browse.page
    page.set_viewport_size({"width": 375, "height": 812})
    edict = off_the_browser_thread(lambda: publish_an_edict(organ))
    entry = off_the_browser_thread(lambda: file_an_entry(organ))
    assert entry.receipt is not None
    public = [
        "/",
        "/tauler/",
        edict.get_absolute_url(),
        "/verificar/",
        f"/verificar/{entry.receipt.csv}/",
        "/cita-previa/",
        "/informacio/",
        "/accessibilitat/",
        "/registre/",  # anonymous: the identification page
    ]
    power = off_the_browser_thread(grant_a_power)
    citizen = [
        "/registre/",
        "/carpeta/",
        f"/carpeta/registre/{entry.pk}/",
        "/tramits/",
        "/carpeta/expedients/",
        # Powers of representation (art. 26.2.a): the list, the form, one power, revoking it.
        "/identificacio/apoderaments/",
        "/identificacio/apoderaments/nou/",
        f"/identificacio/apoderaments/{power.public_id}/",
        f"/identificacio/apoderaments/{power.public_id}/revocar/",
    ]

    def assert_no_sideways_scroll() -> None:
        widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        wide = page.evaluate(WIDER_THAN_THE_SCREEN)
        assert widths[0] <= widths[1], f"{page.url}: {widths[0]} px wide in {widths[1]} px: {wide}"

    for path in public:
        browse.goto(path)
        assert_no_sideways_scroll()
    citizen_session(live_server, page)
    for path in citizen:
        browse.goto(path)
        assert_no_sideways_scroll()
    # The carpeta's table scrolls inside its own box, which a keyboard can reach.
    browse.goto("/carpeta/")
    box = page.get_by_role("region", name="Registres d'entrada")
    assert box.get_attribute("tabindex") == "0"
    assert page.get_by_role("row").filter(has_text=entry.number).count() == 1
