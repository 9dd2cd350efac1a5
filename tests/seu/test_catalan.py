"""Names and dates inside a sentence carry the article and elision each language needs (issue #13,
item 4): "de l'Ajuntament", "d'Artà", "la cita de l'1 d'octubre", "del 4 de desembre"."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.test import Client
from django.utils import translation

from seu import catalan
from seu.calendar import SEU_TZ
from tests.factories import TownHallFactory

TOWN_HALL = "Ajuntament de Sant Llorenç des Cardassar"


@pytest.mark.parametrize(
    ("name", "of", "by"),
    [
        (TOWN_HALL, f"de l'{TOWN_HALL}", f"per l'{TOWN_HALL}"),
        ("Consell de Mallorca", "del Consell de Mallorca", "pel Consell de Mallorca"),
        ("Secretaria", "de la Secretaria", "per la Secretaria"),
        ("Intervenció", "de la Intervenció", "per la Intervenció"),
        ("Artà", "d'Artà", "per Artà"),
        ("Son Servera", "de Son Servera", "per Son Servera"),
        ("Antoni Ferrer", "d'Antoni Ferrer", "per Antoni Ferrer"),
        ("Margalida Sureda", "de Margalida Sureda", "per Margalida Sureda"),
    ],
)
def test_a_catalan_name_takes_its_article_and_elision(name: str, of: str, by: str) -> None:
    assert catalan.phrase("of", name, "ca") == of
    assert catalan.phrase("by", name, "ca") == by


def test_spanish_and_english_put_their_own_article_before_the_town_hall() -> None:
    assert catalan.phrase("of", TOWN_HALL, "es") == f"del {TOWN_HALL}"
    assert catalan.phrase("of", "Artà", "es") == "de Artà"
    assert catalan.phrase("of", TOWN_HALL, "en") == f"of the {TOWN_HALL}"
    assert catalan.phrase("of", "Antoni Ferrer", "en") == "of Antoni Ferrer"


@pytest.mark.parametrize(
    ("day", "ca", "es", "en"),
    [
        (
            dt.date(2026, 10, 1),
            ("l'1 d'octubre de 2026", "de l'1 d'octubre de 2026", "fins a l'1 d'octubre de 2026"),
            (
                "el 1 de octubre de 2026",
                "del 1 de octubre de 2026",
                "hasta el 1 de octubre de 2026",
            ),
            ("on 1 October 2026", "from 1 October 2026", "until 1 October 2026"),
        ),
        (
            dt.date(2026, 3, 11),
            ("l'11 de març de 2026", "de l'11 de març de 2026", "fins a l'11 de març de 2026"),
            ("el 11 de marzo de 2026", "del 11 de marzo de 2026", "hasta el 11 de marzo de 2026"),
            ("on 11 March 2026", "from 11 March 2026", "until 11 March 2026"),
        ),
        (
            dt.date(2026, 12, 4),
            (
                "el 4 de desembre de 2026",
                "del 4 de desembre de 2026",
                "fins al 4 de desembre de 2026",
            ),
            (
                "el 4 de diciembre de 2026",
                "del 4 de diciembre de 2026",
                "hasta el 4 de diciembre de 2026",
            ),
            ("on 4 December 2026", "from 4 December 2026", "until 4 December 2026"),
        ),
    ],
)
def test_a_date_takes_its_article_in_each_language(
    day: dt.date, ca: tuple[str, str, str], es: tuple[str, str, str], en: tuple[str, str, str]
) -> None:
    for language, expected in (("ca", ca), ("es", es), ("en", en)):
        with translation.override(language):
            assert (
                catalan.date_phrase("on", day),
                catalan.date_phrase("from", day),
                catalan.date_phrase("until", day),
            ) == expected


def test_an_instant_and_a_weekday_take_the_article_of_their_first_word() -> None:
    with translation.override("ca"):
        assert catalan.date_phrase("to", "1 d'octubre de 2026, 00:00:01 (UTC+02:00)") == (
            "a l'1 d'octubre de 2026, 00:00:01 (UTC+02:00)"
        )
        assert catalan.date_phrase("on", "dilluns, 7 de desembre de 2026") == (
            "el dilluns, 7 de desembre de 2026"
        )
        moment = dt.datetime(2026, 10, 1, 10, 30, tzinfo=SEU_TZ)
        assert catalan.date_phrase("since", moment, "DATETIME_FORMAT") == (
            "des de l'1 d'octubre de 2026, 10:30"
        )


@pytest.mark.django_db
def test_the_notice_board_is_titled_with_the_town_halls_article(client: Client) -> None:
    TownHallFactory(name=TOWN_HALL)
    feed = html.unescape(client.get("/tauler/feed/").content.decode())
    assert f"<title>Tauler d'edictes de l'{TOWN_HALL}</title>" in feed
    spanish = html.unescape(client.get("/es/tauler/feed/").content.decode())
    assert f"<title>Tablón de edictos del {TOWN_HALL}</title>" in spanish
