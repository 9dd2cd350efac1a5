"""What staff write for citizens, in each language of the seu (art. 4: the citizen's language).

Organs, office hours, appointment services and the information sections have a column per
language (django-modeltranslation; each app's ``translation.py``): the Catalan one is the text,
the Spanish and English ones its translations, and a translation nobody wrote shows the Catalan
text. This module says which translations are missing, for the back-office's lists
(``seu.translated_admin``). The original column (``name`` beside ``name_ca``…) keeps the Catalan
text: rows are saved in Catalan whatever language the back-office's pages are shown in.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from modeltranslation.translator import NotRegistered, translator

# The language staff write in, and those they translate into.
SOURCE_LANGUAGE: str = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
TARGET_LANGUAGES: tuple[str, ...] = tuple(
    code for code in settings.MODELTRANSLATION_LANGUAGES if code != SOURCE_LANGUAGE
)
# The back-office names each language in Catalan, as everything else in it.
LANGUAGE_NAMES = {"ca": _("català"), "es": _("castellà"), "en": _("anglès")}


def translated_fields(model: type[models.Model]) -> tuple[str, ...]:
    """The fields of ``model`` that have a column per language (none if it has no such field)."""
    try:
        return tuple(translator.get_options_for_model(model).all_fields)
    except NotRegistered:
        return ()


def column(field: str, language: str) -> str:
    return f"{field}_{language}"


def texts(obj: models.Model, field: str) -> dict[str, Any]:
    """The text of ``field`` in each language, as stored (None or "" where there is none)."""
    return {
        language: getattr(obj, column(field, language))
        for language in (SOURCE_LANGUAGE, *TARGET_LANGUAGES)
    }


def _has_text(value: Any) -> bool:
    return value is not None and str(value).strip() != ""


def missing_translations(obj: models.Model) -> list[str]:
    """The languages into which some text of ``obj`` is not translated: a field with a Catalan
    text whose translation is empty (an empty Catalan text needs no translation)."""
    fields = translated_fields(type(obj))
    return [
        language
        for language in TARGET_LANGUAGES
        if any(
            _has_text(getattr(obj, column(field, SOURCE_LANGUAGE)))
            and not _has_text(getattr(obj, column(field, language)))
            for field in fields
        )
    ]


def missing_translation_filter(model: type[models.Model], language: str) -> Q:
    """The rows of ``model`` with some text not translated into ``language``."""
    condition = Q(pk__in=[])
    for field in translated_fields(model):
        source, target = column(field, SOURCE_LANGUAGE), column(field, language)
        has_source = Q(**{f"{source}__isnull": False}) & ~Q(**{source: ""})
        lacks_target = Q(**{f"{target}__isnull": True}) | Q(**{target: ""})
        condition |= has_source & lacks_target
    return condition


@contextmanager
def in_source_language() -> Iterator[None]:
    """Save translated rows in Catalan: the original column follows the active language's."""
    with translation.override(SOURCE_LANGUAGE):
        yield
