"""Names and dates inside a sentence, with the article and the elision each language needs.

Catalan elides "de" before a vowel ("d'Artà") and puts the article before a name headed by a
common noun ("de l'Ajuntament de Sant Llorenç des Cardassar", "del Consell de Mallorca", "de la
Secretaria"), contracting it with the preposition ("del", "al", "pel"); a date takes the article
too, elided before the days 1 and 11 ("l'1 d'octubre", "de l'11 de març", "el 4 de desembre").
Spanish contracts "de el" and "a el" ("del 4 de diciembre", "del Ajuntament") and English says
"on 4 December 2026" and "the Ajuntament".

So a sentence never writes the preposition before a name or a date: it takes the whole phrase as
its placeholder, "Tauler d'edictes %(of_name)s", "actualitzada %(on_date)s", "%(from_date)s
%(to_date)s", and each language builds the phrase here (``phrase``; the template filters of
``seu_catalan``). A translator writes the sentence around the phrase.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from django.utils import translation

from seu import calendar

Relation = Literal["of", "by", "to_name", "of_day", "on", "from", "to", "until", "since"]

# The article of a name headed by a common noun, by its first word (Catalan). A name whose first
# word is not here is a proper name and takes no article ("Artà", "Son Servera", a person).
_CATALAN_ARTICLES = {
    "ajuntament": "l'",
    "consell": "el",
    "govern": "el",
    "institut": "l'",
    "servei": "el",
    "departament": "el",
    "registre": "el",
    "patronat": "el",
    "consorci": "el",
    "ple": "el",
    "àrea": "l'",
    "oficina": "l'",
    "alcaldia": "l'",
    "agència": "l'",
    "entitat": "l'",
    "escola": "l'",
    "arxiu": "l'",
    "organisme": "l'",
    "secretaria": "la",
    "intervenció": "la",  # an unstressed i does not elide the feminine article
    "tresoreria": "la",
    "regidoria": "la",
    "policia": "la",
    "fundació": "la",
    "mancomunitat": "la",
    "direcció": "la",
    "junta": "la",
    "comissió": "la",
    "biblioteca": "la",
    "unitat": "la",  # an unstressed u, as above
    "universitat": "la",
    "fàbrica": "la",
}
_SPANISH_ARTICLES = {
    "ajuntament": "el",
    "ayuntamiento": "el",
    "consell": "el",
    "consejo": "el",
    "govern": "el",
    "gobierno": "el",
    "servicio": "el",
    "departamento": "el",
    "registro": "el",
    "pleno": "el",
    "área": "el",  # a feminine noun with a stressed a takes "el"
    "àrea": "el",
    "oficina": "la",
    "alcaldía": "la",
    "secretaría": "la",
    "secretaria": "la",
    "intervención": "la",
    "tesorería": "la",
    "concejalía": "la",
    "policía": "la",
    "policia": "la",
    "junta": "la",
    "comisión": "la",
    "fundación": "la",
}
_ENGLISH_INSTITUTIONS = {
    "ajuntament",
    "consell",
    "govern",
    "town",
    "council",
    "department",
    "office",
    "secretariat",
    "treasury",
    "registry",
    "local",
    "mayor's",
    "area",
    "service",
    "foundation",
}
_VOWEL = re.compile(r"^h?[aeiouàèéíòóúïüAEIOUÀÈÉÍÒÓÚÏÜ]", re.IGNORECASE)
_SEMIVOWEL = re.compile(r"^h?[iuïü][aeiouàèéíòóú]", re.IGNORECASE)


def elides(word: str) -> bool:
    """Whether Catalan elides "de" or "el"/"la" before ``word``: a vowel or an h and a vowel,
    except an i or u that sounds as a consonant before another vowel ("iogurt", "Huelva")."""
    return bool(_VOWEL.match(word)) and not _SEMIVOWEL.match(word)


def _first_word(name: str) -> str:
    return name.split(maxsplit=1)[0].lower() if name.strip() else ""


def _catalan(preposition: str, article: str, rest: str) -> str:
    """A Catalan preposition, article and noun phrase with their contractions and elisions."""
    if article == "el":
        joined = {"de": "del", "a": "al", "per": "pel", "fins a": "fins al", "des de": "des del"}
        return f"{joined[preposition]} {rest}" if preposition else f"el {rest}"
    if article:
        head = f"{article}{rest}" if article.endswith("'") else f"{article} {rest}"
        return f"{preposition} {head}" if preposition else head
    if preposition == "de" and elides(rest):
        return f"d'{rest}"
    return f"{preposition} {rest}" if preposition else rest


def catalan_article(name: str) -> str:
    """The article of a name in Catalan: "l'", "el", "la", or "" for a proper name."""
    return _CATALAN_ARTICLES.get(_first_word(name), "")


def _date_article(text: str) -> str:
    """Catalan: "l'" before the days 1 and 11 ("l'1", "l'11"), "el" before any other day or a
    weekday (every weekday name starts with a consonant)."""
    day = text.split(maxsplit=1)[0].rstrip(",") if text else ""
    return "l'" if day in {"1", "11"} else "el"


_CATALAN_PREPOSITIONS: dict[str, str] = {
    "of_day": "de",
    "of": "de",
    "by": "per",
    "to_name": "a",
    "on": "",
    "from": "de",
    "to": "a",
    "until": "fins a",
    "since": "des de",
}
_SPANISH_PREPOSITIONS: dict[str, str] = {
    "of_day": "de",
    "of": "de",
    "by": "por",
    "to_name": "a",
    "on": "",
    "from": "de",
    "to": "a",
    "until": "hasta",
    "since": "desde",
}
_ENGLISH_PREPOSITIONS: dict[str, str] = {
    "of_day": "on",
    "of": "of",
    "by": "by",
    "to_name": "to",
    "on": "on",
    "from": "from",
    "to": "to",
    "until": "until",
    "since": "since",
}
_DATES = {"of_day", "on", "from", "to", "until", "since"}


def _spanish(preposition: str, article: str, rest: str) -> str:
    if article == "el" and preposition in {"de", "a"}:
        return f"{preposition}l {rest}"
    parts = [part for part in (preposition, article, rest) if part]
    return " ".join(parts)


def phrase(relation: Relation, value: str, language: str | None = None) -> str:
    """``value`` (a name, or a date already formatted in the language) with the preposition and
    article that ``relation`` needs in ``language`` (the active one by default)."""
    language = (language or translation.get_language() or "ca").split("-")[0]
    is_date = relation in _DATES
    if language == "es":
        article = "el" if is_date else _SPANISH_ARTICLES.get(_first_word(value), "")
        return _spanish(_SPANISH_PREPOSITIONS[relation], article, value)
    if language == "en":
        institution = not is_date and _first_word(value) in _ENGLISH_INSTITUTIONS
        article = "the " if institution else ""
        return f"{_ENGLISH_PREPOSITIONS[relation]} {article}{value}"
    article = _date_article(value) if is_date else catalan_article(value)
    return _catalan(_CATALAN_PREPOSITIONS[relation], article, value)


def date_phrase(
    relation: Relation, value: dt.date | dt.datetime | str | None, format_name: str = "DATE_FORMAT"
) -> str:
    """A day (or an instant, taken to the seu's time) in the active language's named format, with
    the preposition and article of ``relation``: ``date_phrase("on", day)`` is "l'1 d'octubre de
    2026", "el 1 de octubre de 2026", "on 1 October 2026"; "of_day" is "del 4 de desembre" but
    "on 4 December" (the day an appointment is on). A string is taken as already formatted (an
    instant with its offset, ``seu.calendar.format_instant``)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        text = value
    elif isinstance(value, dt.datetime) and ("TIME" in format_name or "INSTANT" in format_name):
        text = calendar.format_datetime(value, format_name)
    else:
        text = calendar.format_date(value, format_name)
    return phrase(relation, text)
