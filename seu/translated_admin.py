"""The back-office of rows with translated texts (``seu.translated``): a list column and a filter
with the translations that are missing, and a form that keeps the Catalan text in place and groups
each language's translations after it, in plain fields that need no script (modeltranslation's
tabbed layout needs JavaScript)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING or settings.MODELTRANSLATION_ENABLE_REGISTRATIONS:
    from modeltranslation.admin import TranslationAdmin
else:
    # mypy's Django plugin loads the project without the language columns (seu/settings.py says
    # why), and modeltranslation's admin refuses a model without them.
    from django.contrib.admin import ModelAdmin as TranslationAdmin

from seu.translated import (
    LANGUAGE_NAMES,
    TARGET_LANGUAGES,
    column,
    in_source_language,
    missing_translation_filter,
    missing_translations,
    translated_fields,
)

_M = TypeVar("_M", bound=models.Model)

GROUP_TITLES = {"es": _("Traducció al castellà"), "en": _("Traducció a l'anglès")}


class MissingTranslationFilter(admin.SimpleListFilter):
    title = _("falta traducció")
    parameter_name = "falta_traduccio"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [(language, LANGUAGE_NAMES[language]) for language in TARGET_LANGUAGES]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        language = self.value()
        if language not in TARGET_LANGUAGES:
            return queryset
        return queryset.filter(missing_translation_filter(queryset.model, language))


class TranslatedContentAdmin(TranslationAdmin[_M]):
    """A back-office list and form for rows with translated texts; ``save_model`` saves in
    Catalan (an admin that saves through a service does it in the service)."""

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        # Django passes ``change`` by position (``seu.backoffice`` too); modeltranslation's
        # ``get_form`` takes it only by name.
        return super().get_form(request, obj, change=change, **kwargs)

    def get_list_display(self, request: HttpRequest) -> Any:
        return [*super().get_list_display(request), "missing_translations"]

    def get_list_filter(self, request: HttpRequest) -> Any:
        return [*super().get_list_filter(request), MissingTranslationFilter]

    @admin.display(description=_("Traduccions que falten"))
    def missing_translations(self, obj: models.Model) -> str:
        missing = missing_translations(obj)
        return ", ".join(missing) if missing else "—"

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        fields = translated_fields(self.model)
        moved = {
            language: [column(field, language) for field in fields] for language in TARGET_LANGUAGES
        }
        leaving = {name for names in moved.values() for name in names}
        kept: list[Any] = []
        for title, options in fieldsets:
            names = [name for name in options.get("fields", ()) if name not in leaving]
            kept.append((title, {**options, "fields": names}))
        # modeltranslation lays the form out from its Meta.fields: a field the form declares
        # beside them (a file to upload) would be left out of the page, its errors unseen.
        shown = set(flatten_fieldsets(fieldsets))
        extra = [name for name in getattr(self.form, "declared_fields", {}) if name not in shown]
        if kept and extra:
            title, options = kept[0]
            kept[0] = (title, {**options, "fields": [*options["fields"], *extra]})
        return kept + [
            (
                GROUP_TITLES[language],
                {
                    "fields": names,
                    "description": _(
                        "Si deixau un camp en blanc, la seu mostra el text en català."
                    ),
                },
            )
            for language, names in moved.items()
        ]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with in_source_language():
            super().save_model(request, obj, form, change)
