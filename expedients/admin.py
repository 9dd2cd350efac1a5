"""The back-office of procedures and case files (art. 20-31).

- The catalogue of procedures (art. 21): each one's texts in every language, its organ, period,
  silence, level and automated actions, and its form versions, read-only, with the page that
  publishes a new one (``expedients.backoffice.procedures``).
- The case files of the user's organs: the queue in processing order (art. 27.1) and each case's
  page with its actions (``expedients.backoffice.views``); never edited or deleted here, every
  change goes through ``expedients.services``.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from expedients.backoffice.procedures import ProcedureBackOffice
from expedients.backoffice.views import ExpedientBackOffice
from expedients.models import Expedient, Procedure


@admin.register(Procedure)
class ProcedureAdmin(ProcedureBackOffice):
    list_display = [
        "code",
        "name",
        "organ",
        "period_display",
        "silence_effect",
        "current_version",
        "is_active",
    ]
    list_display_links = ["code", "name"]
    list_filter = ["is_active", ("organ", admin.RelatedOnlyFieldListFilter), "silence_effect"]
    search_fields = ["code", "sia_code", "name_ca", "name_es", "name_en"]
    list_select_related = ["organ", "current_version"]
    list_per_page = 50
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "code",
                    "sia_code",
                    "name",
                    "topic",
                    "summary",
                    "organ",
                    "filers",
                    "who_may_file",
                    "required_loa",
                    "fees",
                    "legal_basis",
                ]
            },
        ),
        (
            _("Termini màxim de resolució i silenci (art. 21)"),
            {"fields": ["resolution_period", "resolution_period_unit", "silence_effect"]},
        ),
        (
            _("Actuacions automatitzades (art. 23)"),
            {"fields": ["automated_organ", "automated_withdrawal"]},
        ),
        (_("Publicació"), {"fields": ["is_generic", "is_active", "current_version"]}),
    ]

    @admin.display(description=_("termini"), ordering="resolution_period")
    def period_display(self, obj: Procedure) -> str:
        return gettext("%(amount)s %(unit)s") % {
            "amount": obj.resolution_period,
            "unit": obj.get_resolution_period_unit_display(),
        }


@admin.register(Expedient)
class ExpedientAdmin(ExpedientBackOffice):
    """The queue and the case's page are custom views (``ExpedientBackOffice``)."""
