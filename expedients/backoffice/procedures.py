"""The catalogue's back-office (art. 21, 24.1): a procedure's texts in each language, its organ,
period, silence, level and automated actions, its form versions read-only, and the page "Nova
versió del formulari" that publishes a new version through ``services.publish_version``. A
version is never edited in place: what was filed with it keeps showing and checking against it.

Only superusers, supervisors and users with ``expedients.change_procedure`` who work for the
procedure's organ see and change it: the list and every lookup are scoped to the user's organs, so
another organ's procedure is a 404."""

from __future__ import annotations

import json
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from expedients import formdef, services
from expedients.backoffice.forms import VersionForm
from expedients.models import Procedure, ProcedureVersion
from seu import calendar
from seu.errors import SeuError
from seu.staff import active_organs, organs_to_offer, scoped_to_staff
from seu.translated_admin import TranslatedContentAdmin

PREFIX = "expedients_procedure"

# What the help block of "Nova versió del formulari" says of each field type.
TYPE_HELP = {
    "text": _("text d'una línia (max_length, per defecte 300)"),
    "textarea": _("text llarg (max_length, per defecte 4000)"),
    "number": _("nombre, amb decimals (min, max)"),
    "date": _("data"),
    "choice": _('una opció de la llista «choices»: [{"value": ..., "label": {...}}]'),
    "boolean": _("sí o no"),
    "nif": _("NIF, NIE o CIF, comprovat"),
    "iban": _("compte bancari IBAN, comprovat"),
    "cadastral": _("referència cadastral (20 caràcters), comprovada"),
    "address": _("adreça postal"),
    "email": _("adreça electrònica"),
    "phone": _("telèfon"),
    "file": _(
        "document adjunt (allowed_types, max_size_mb; replaceable_by_declaration amb "
        "«declaration»; held_by_town_hall si l'Ajuntament ja el té, art. 28.1)"
    ),
    "declaration": _("declaració responsable (art. 28.2): el seu text legal a «declaration»"),
}
OPTION_HELP = [
    ("key", _("codi estable del camp: minúscules, xifres i _; no el canvieu entre versions")),
    ("type", _("un dels tipus de la llista")),
    ("label", _('etiqueta per llengua: {"ca": ..., "es": ..., "en": ...}, el català obligatori')),
    ("help", _("ajuda per llengua, opcional")),
    ("required", _("true si és obligatori")),
]


def pretty(definition: Any) -> str:
    return json.dumps(definition, indent=2, ensure_ascii=False)


class VersionInline(admin.TabularInline[ProcedureVersion, Procedure]):
    """The form's versions, read-only: number, date, who, and how many case files were filed
    with each."""

    model = ProcedureVersion
    fields = readonly_fields = ("number", "created_display", "created_by", "cases_display")
    extra = 0
    can_delete = False
    show_change_link = False
    template = "admin/readonly_tabular.html"
    verbose_name = _("versió del formulari")
    verbose_name_plural = _("versions del formulari")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProcedureVersion]:
        return (
            super()
            .get_queryset(request)
            .select_related("created_by")
            .annotate(case_count=Count("expedients"))
            .order_by("-number")
        )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("creada el"))
    def created_display(self, obj: ProcedureVersion) -> str:
        return calendar.format_instant(obj.created_at)

    @admin.display(description=_("expedients presentats"))
    def cases_display(self, obj: ProcedureVersion) -> int:
        return int(getattr(obj, "case_count", 0))


class ProcedureBackOffice(TranslatedContentAdmin[Procedure]):
    """A procedure of the catalogue and its form versions; ``expedients.admin.ProcedureAdmin``
    adds the list's columns."""

    inlines = [VersionInline]
    readonly_fields = ["current_version"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Procedure]:
        found = super().get_queryset(request).select_related("organ", "current_version")
        return scoped_to_staff(found, request.user)

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> Procedure | None:
        procedure = super().get_object(request, object_id, from_field)
        if procedure is None:
            raise Http404  # not "does not exist" with a redirect: as one that does not exist
        return procedure

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # case files keep pointing at it: deactivate it instead

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField[Any] | None:
        if db_field.name == "organ":
            kwargs["queryset"] = organs_to_offer(request.user)
        elif db_field.name == "automated_organ":
            kwargs["queryset"] = active_organs()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:object_id>/nova-versio/",
                self.admin_site.admin_view(self.new_version_view),
                name=f"{PREFIX}_new_version",
            ),
            *super().get_urls(),
        ]

    def new_version_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """Nova versió del formulari: the definition as JSON, checked and published by
        ``services.publish_version``; its refusal shown on the field, what was typed kept."""
        procedure = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_change_permission(request, procedure):
            raise PermissionDenied
        current = procedure.current_version
        form = VersionForm(
            request.POST or None,
            initial={"definition": pretty(current.form if current else {"fields": []})},
        )
        if request.method == "POST" and form.is_valid():
            try:
                version = services.publish_version(
                    procedure=procedure,
                    form=form.cleaned_data["definition"],
                    acting_user=cast(AbstractBaseUser, request.user),
                )
            except services.InvalidCase as refusal:
                form.show_refusal(refusal.errors, {"form": "definition"})
            except SeuError as refusal:
                form.add_error(None, str(refusal.message))
            else:
                messages.success(
                    request,
                    gettext(
                        "Versió %(number)s del formulari publicada: les sol·licituds noves la "
                        "fan servir; les ja presentades conserven la seva."
                    )
                    % {"number": version.number},
                )
                return HttpResponseRedirect(reverse(f"admin:{PREFIX}_change", args=[procedure.pk]))
        return TemplateResponse(
            request,
            "admin/expedients/procedure/new_version.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": gettext("Nova versió del formulari"),
                "procedure": procedure,
                "current": current,
                "form": form,
                "types": [(name, TYPE_HELP[name]) for name in formdef.FIELD_TYPES],
                "options": OPTION_HELP,
                "file_types": ", ".join(formdef.FILE_TYPES),
                "max_file_mb": formdef.MAX_FILE_MB,
                "cancel_url": reverse(f"admin:{PREFIX}_change", args=[procedure.pk]),
            },
        )
