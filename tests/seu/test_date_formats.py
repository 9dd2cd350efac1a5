"""One date and time format per language (issue #13, item 3): Catalan and Spanish put "de" before
the month and the year, Catalan elides it before a vowel ("4 d'abril de 2026"), English reads as in
Britain ("Friday 4 December 2026"); an instant with legal effect carries its UTC offset. The
formats live in ``seu/formats`` and every page uses them, in /, /es/ and /en/ alike."""

from __future__ import annotations

import datetime as dt
import html

import pytest
import time_machine
from django.template import Context, Template
from django.test import Client
from django.utils import translation
from django.utils.formats import date_format

from cites.models import Service
from registre import services as registre_services
from seu import calendar
from seu.models import LoA, Organ
from tauler import services as tauler_services
from tauler.models import PeriodKind
from tests.actors import CITIZEN, identify
from tests.cites import conftest as cites_fixtures
from tests.tauler import conftest as tauler_fixtures

# Fixtures of other apps' tests, taken by name (see tests/actors.py).
fnmt = cites_fixtures.fnmt
pdf_bytes = tauler_fixtures.pdf_bytes
clerk = tauler_fixtures.clerk
approver = tauler_fixtures.approver
make_edict = tauler_fixtures.make_edict

PREFIXES = {"ca": "", "es": "/es", "en": "/en"}

CATALAN_MONTHS = [
    "4 de gener de 2026",
    "4 de febrer de 2026",
    "4 de març de 2026",
    "4 d'abril de 2026",
    "4 de maig de 2026",
    "4 de juny de 2026",
    "4 de juliol de 2026",
    "4 d'agost de 2026",
    "4 de setembre de 2026",
    "4 d'octubre de 2026",
    "4 de novembre de 2026",
    "4 de desembre de 2026",
]
SPANISH_MONTHS = [
    "4 de enero de 2026",
    "4 de febrero de 2026",
    "4 de marzo de 2026",
    "4 de abril de 2026",
    "4 de mayo de 2026",
    "4 de junio de 2026",
    "4 de julio de 2026",
    "4 de agosto de 2026",
    "4 de septiembre de 2026",
    "4 de octubre de 2026",
    "4 de noviembre de 2026",
    "4 de diciembre de 2026",
]
ENGLISH_MONTHS = [
    "4 January 2026",
    "4 February 2026",
    "4 March 2026",
    "4 April 2026",
    "4 May 2026",
    "4 June 2026",
    "4 July 2026",
    "4 August 2026",
    "4 September 2026",
    "4 October 2026",
    "4 November 2026",
    "4 December 2026",
]


def _cases(language: str, expected: list[str]) -> list[tuple[str, dt.date, str]]:
    return [(language, dt.date(2026, month, 4), text) for month, text in enumerate(expected, 1)]


@pytest.mark.parametrize(
    ("language", "day", "expected"),
    _cases("ca", CATALAN_MONTHS) + _cases("es", SPANISH_MONTHS) + _cases("en", ENGLISH_MONTHS),
)
def test_a_day_of_each_month_reads_as_the_language_writes_it(
    language: str, day: dt.date, expected: str
) -> None:
    with translation.override(language):
        assert date_format(day) == expected
        assert calendar.format_date(day) == expected
        rendered = Template("{{ day|date }}").render(Context({"day": day}))
        assert html.unescape(rendered) == expected  # the apostrophe is escaped in HTML


def test_the_short_and_partial_formats_follow_the_language() -> None:
    moment = dt.datetime(2026, 10, 1, 9, 5)
    shown = {}
    for language in ("ca", "es", "en"):
        with translation.override(language):
            shown[language] = [
                date_format(moment.date(), "MONTH_DAY_FORMAT"),
                date_format(dt.date(2026, 12, 1), "MONTH_DAY_FORMAT"),
                date_format(moment.date(), "YEAR_MONTH_FORMAT"),
                date_format(moment, "SHORT_DATETIME_FORMAT"),
                date_format(moment, "TIME_FORMAT"),
            ]
    assert shown == {
        "ca": ["1 d'octubre", "1 de desembre", "octubre de 2026", "01/10/2026 09:05", "09:05"],
        "es": ["1 de octubre", "1 de diciembre", "octubre de 2026", "01/10/2026 09:05", "09:05"],
        "en": ["1 October", "1 December", "October 2026", "01/10/2026 09:05", "09:05"],
    }


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ca", "divendres, 4 de desembre de 2026"),
        ("es", "viernes, 4 de diciembre de 2026"),
        ("en", "Friday 4 December 2026"),
    ],
)
def test_the_weekday_is_capitalised_only_in_english(language: str, expected: str) -> None:
    with translation.override(language):
        assert date_format(dt.date(2026, 12, 4), "WEEKDAY_DATE_FORMAT") == expected


SUMMER = dt.datetime(2026, 7, 1, 10, 0, 5, tzinfo=dt.UTC)  # 12:00:05 in Palma, +02:00
WINTER = dt.datetime(2026, 12, 4, 9, 32, 0, tzinfo=dt.UTC)  # 10:32:00 in Palma, +01:00


@pytest.mark.parametrize(
    ("language", "summer", "winter"),
    [
        (
            "ca",
            "1 de juliol de 2026, 12:00:05 (UTC+02:00)",
            "4 de desembre de 2026, 10:32:00 (UTC+01:00)",
        ),
        (
            "es",
            "1 de julio de 2026, 12:00:05 (UTC+02:00)",
            "4 de diciembre de 2026, 10:32:00 (UTC+01:00)",
        ),
        ("en", "1 July 2026, 12:00:05 (UTC+02:00)", "4 December 2026, 10:32:00 (UTC+01:00)"),
    ],
)
def test_an_instant_with_legal_effect_carries_its_offset_in_summer_and_winter(
    language: str, summer: str, winter: str
) -> None:
    template = Template("{% load seu_time %}{{ value|instant }}")
    with translation.override(language):
        assert calendar.format_instant(SUMMER) == summer
        assert calendar.format_instant(WINTER) == winter
        assert html.unescape(template.render(Context({"value": WINTER}))) == winter


def test_an_instant_can_name_its_weekday() -> None:
    with translation.override("en"):
        assert calendar.format_instant(WINTER, weekday=True) == (
            "Friday 4 December 2026, 10:32:00 (UTC+01:00)"
        )
    template = Template('{% load seu_time %}{{ value|instant:"weekday" }}')
    assert template.render(Context({"value": WINTER})) == (
        "divendres, 4 de desembre de 2026, 10:32:00 (UTC+01:00)"
    )


def test_a_date_in_python_is_the_seu_s_day_not_utc_s() -> None:
    # 23:30 UTC on 3 April is already the 4th in Palma.
    late = dt.datetime(2026, 4, 3, 23, 30, tzinfo=dt.UTC)
    assert calendar.format_date(late) == "4 d'abril de 2026"
    assert calendar.format_datetime(late) == "4 d'abril de 2026, 01:30"


def test_typed_dates_in_english_read_day_first() -> None:
    from django import forms

    class DayForm(forms.Form):
        day = forms.DateField()

    with translation.override("en"):
        form = DayForm({"day": "04/12/2026"})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == dt.date(2026, 12, 4)


# --- Pages ------------------------------------------------------------------------------------


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return " ".join(html.unescape(response.content.decode()).split())


@pytest.mark.django_db
def test_the_board_shows_the_exposure_period_in_each_language(
    client: Client, make_edict, approver
) -> None:
    published = dt.datetime(2026, 12, 4, 10, 0, tzinfo=calendar.SEU_TZ)  # a Friday
    edict = make_edict(
        period_kind=PeriodKind.CALENDAR_DAYS, period_days=10, now=published - dt.timedelta(hours=1)
    )
    tauler_services.publish_edict(edict_id=edict.pk, acting_user=approver, now=published)
    expected = {
        "ca": "Del 4 de desembre de 2026 al 14 de desembre de 2026",
        "es": "Del 4 de diciembre de 2026 al 14 de diciembre de 2026",
        "en": "From 4 December 2026 to 14 December 2026",
    }
    with time_machine.travel(published + dt.timedelta(days=3), tick=False):
        for language, prefix in PREFIXES.items():
            assert expected[language] in _page(client, f"{prefix}/tauler/")


@pytest.mark.django_db
def test_an_appointment_day_page_names_the_day_in_each_language(
    client: Client, fnmt: Service
) -> None:
    expected = {
        # The caption opens with the day: capitalised in every language.
        "ca": "Dimarts, 31 de març de 2026",
        "es": "Martes, 31 de marzo de 2026",
        "en": "Tuesday 31 March 2026",
    }
    with time_machine.travel(cites_fixtures.local(2026, 3, 30, 8, 0), tick=False):
        for language, prefix in PREFIXES.items():
            page = _page(client, f"{prefix}/cita-previa/fnmt/2026-03-31/")
            assert expected[language] in page


@pytest.mark.django_db
def test_the_registry_receipt_page_gives_the_instant_in_each_language(
    client: Client, town_hall: object, organ: Organ
) -> None:
    presented = dt.datetime(2026, 4, 14, 10, 32, tzinfo=calendar.SEU_TZ)  # a Tuesday, summer time
    identification = identify(client, CITIZEN, loa=LoA.SUBSTANTIAL)
    entry = registre_services.register_entry(
        organ=organ,
        subject="Sol·licitud de llicència de gual",
        interested=identification.person,
        presented_at=presented,
        identification=identification,
        now=presented,
    )
    expected = {
        "ca": "14 d'abril de 2026, 10:32:00 (UTC+02:00)",
        "es": "14 de abril de 2026, 10:32:00 (UTC+02:00)",
        "en": "14 April 2026, 10:32:00 (UTC+02:00)",
    }
    for language, prefix in PREFIXES.items():
        page = _page(client, f"{prefix}/registre/presentat/{entry.pk}/")
        assert expected[language] in page


def test_a_back_office_row_is_named_by_its_local_time() -> None:
    from seu.models import Interruption

    interruption = Interruption(
        scope=Interruption.Scope.REGISTRY, starts_at=dt.datetime(2026, 4, 3, 23, 30, tzinfo=dt.UTC)
    )
    assert str(interruption).endswith(" 04/04/2026 01:30")  # not UTC's 3 April, 23:30
