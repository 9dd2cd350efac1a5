"""The office's back-office: services and timetable, closed days, the day's agenda (printable),
the outcome of each appointment, and the weekly figures. Everything needs ``cites.run_office``."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path, reverse
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cites import selectors, services
from cites.forms import OutcomeForm
from cites.models import Appointment, ClosedDay, Service, Slot
from seu import calendar
from seu.backoffice import ServiceChannelAdmin
from seu.errors import InvalidInput
from seu.translated_admin import TranslatedContentAdmin

PERMISSION = "cites.run_office"
# The settings that are texts: a translation left blank arrives as None or "".
_TEXTS = {"name_es", "name_en", "description", "description_es", "description_en"}


class OfficeAdminMixin:
    """Clerks of the office hold one permission, not the model permissions one by one."""

    def _allowed(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.has_perm(PERMISSION))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)


class ServiceForm(forms.ModelForm[Service]):
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Dies d'obertura"),
        choices=[(str(day), WEEKDAYS[day]) for day in range(7)],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Service
        fields = [
            "name",
            "code",
            "description",
            "is_active",
            "asks_request_code",
            "weekdays",
            "opens_at",
            "closes_at",
            "slot_minutes",
            "places_per_slot",
            "horizon_days",
            "position",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance and self.instance.weekdays:
            self.initial["weekdays"] = [d for d in self.instance.weekdays.split(",") if d]

    def clean_weekdays(self) -> str:
        return ",".join(sorted(self.cleaned_data["weekdays"]))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        opens, closes = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens and closes and opens >= closes:
            self.add_error(
                "closes_at", _("L'hora de tancament ha de ser posterior a la d'obertura.")
            )
        if cleaned.get("slot_minutes") == 0:
            self.add_error("slot_minutes", _("La durada ha de ser d'un minut o més."))
        return cleaned


@admin.register(Service)
class ServiceAdmin(ServiceChannelAdmin, OfficeAdminMixin, TranslatedContentAdmin[Service]):
    """Services and their timetables, through ``cites.services``: each change is logged and the
    booking pages follow it at once. The name and description are written in Catalan and
    translated into Spanish and English (the list says which translations are missing)."""

    form = ServiceForm
    list_display = ["name", "is_active", "weekdays", "opens_at", "closes_at", "slot_minutes"]
    prepopulated_fields = {"code": ["name"]}

    def save_model(self, request: HttpRequest, obj: Service, form: Any, change: bool) -> None:
        # The form has a field per language; the Catalan ones are the settings' name and
        # description.
        data: dict[str, Any] = {
            **form.cleaned_data,
            "name": form.cleaned_data["name_ca"],
            "description": form.cleaned_data.get("description_ca") or "",
        }
        settings: dict[str, Any] = {
            name: (data.get(name) or "") if name in _TEXTS else data[name]
            for name in services.ServiceSettings.__dataclass_fields__
        }
        values = services.ServiceSettings(**settings)
        user = cast(AbstractBaseUser, request.user)
        if change:
            saved = services.change_service(service=obj, values=values, acting_user=user)
        else:
            saved = services.create_service(values=values, acting_user=user)
        obj.pk = saved.pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # appointments keep pointing at it; deactivate instead


@admin.register(ClosedDay)
class ClosedDayAdmin(ServiceChannelAdmin, OfficeAdminMixin, admin.ModelAdmin[ClosedDay]):
    """Days the office does not open, through ``cites.services``: each change is logged
    (``BackOfficeChange``) and the availability follows it at once."""

    list_display = ["date", "service", "reason", "closed_by"]
    date_hierarchy = "date"
    exclude = ["closed_by"]

    def save_model(self, request: HttpRequest, obj: ClosedDay, form: Any, change: bool) -> None:
        data = form.cleaned_data
        fields = {"day": data["date"], "service": data.get("service"), "reason": data["reason"]}
        user = cast(AbstractBaseUser, request.user)
        if change:
            saved = services.change_closed_day(closed_day=obj, acting_user=user, **fields)
        else:
            saved = services.close_day(acting_user=user, **fields)
        obj.pk, obj.closed_by_id = saved.pk, saved.closed_by_id

    def delete_model(self, request: HttpRequest, obj: ClosedDay) -> None:
        services.reopen_day(closed_day=obj, acting_user=cast(AbstractBaseUser, request.user))

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for closed_day in queryset:
            self.delete_model(request, closed_day)


@admin.register(Appointment)
class AppointmentAdmin(OfficeAdminMixin, admin.ModelAdmin[Appointment]):
    list_display = ["starts_at", "service", "state", "full_name", "nif"]
    list_filter = ["state", "service"]
    date_hierarchy = "starts_at"
    search_fields = ["nif", "first_surname", "email"]
    readonly_fields = [f.name for f in Appointment._meta.fields]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("agenda/", view(self.agenda_view), name="cites_agenda"),
            path("agenda/imprimir/", view(self.print_view), name="cites_agenda_print"),
            *super().get_urls(),
        ]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # The clerk's entry point is the day's agenda; the list stays one click away.
        if not self._allowed(request):
            raise PermissionDenied
        if not request.GET and request.method == "GET":
            return HttpResponseRedirect(reverse("admin:cites_agenda"))
        return super().changelist_view(request, extra_context)

    def _day_and_service(self, request: HttpRequest) -> tuple[dt.date, Service | None]:
        service = Service.objects.filter(code=request.GET.get("servei", "")).first()
        service = service or Service.objects.filter(is_active=True).first()
        service = service or Service.objects.first()
        try:
            day = dt.date.fromisoformat(request.GET.get("dia", ""))
        except ValueError:
            # No day asked: the next day the office opens (today if it does).
            now = calendar.now()
            day = (
                selectors.agenda_start(service, now=now)
                if service
                else calendar.to_local(now).date()
            )
        return day, service

    def agenda_view(self, request: HttpRequest) -> HttpResponse:
        if not self._allowed(request):
            raise PermissionDenied
        day, service = self._day_and_service(request)
        if request.method == "POST" and service is not None:
            self._handle_post(request, service)
            return HttpResponseRedirect(
                f"{reverse('admin:cites_agenda')}?dia={day.isoformat()}&servei={service.code}"
            )
        now = calendar.now()
        closed_reason = selectors.closed_reason(service, day) if service else None
        rows = (
            selectors.day_agenda(service, day, now=now, open_day=closed_reason is None)
            if service
            else []
        )
        today = calendar.to_local(now).date()
        figures = selectors.weekly_figures(since=today - dt.timedelta(weeks=8), until=today)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Agenda de l'oficina d'acreditació"),
            "day": day,
            "previous_day": day - dt.timedelta(days=1),
            "next_day": day + dt.timedelta(days=1),
            "service": service,
            "services": Service.objects.all(),
            "rows": rows,
            "outcome_form": OutcomeForm(),
            "figures": figures,
            "no_show_percent": selectors.no_show_percent(figures),
            "closed_reason": closed_reason,
            "opts": self.model._meta,
        }
        return render(request, "cites/admin/agenda.html", context)

    def print_view(self, request: HttpRequest) -> HttpResponse:
        if not self._allowed(request):
            raise PermissionDenied
        day, service = self._day_and_service(request)
        closed_reason = selectors.closed_reason(service, day) if service else None
        rows = (
            selectors.day_agenda(service, day, now=calendar.now(), open_day=closed_reason is None)
            if service
            else []
        )
        context = {"day": day, "service": service, "rows": rows, "closed_reason": closed_reason}
        return render(request, "cites/admin/agenda_print.html", context)

    def _handle_post(self, request: HttpRequest, service: Service) -> None:
        action = request.POST.get("action")
        try:
            if action == "outcome":
                form = OutcomeForm(request.POST)
                if not form.is_valid():
                    messages.error(request, gettext("Revisau el resultat de la cita."))
                    return
                appointment = get_object_or_404(
                    Appointment.objects.filter(service=service), pk=form.cleaned_data["appointment"]
                )
                services.record_outcome(
                    appointment=appointment,
                    outcome=form.cleaned_data["outcome"],
                    identity_document=form.cleaned_data["identity_document"],
                    request_code=form.cleaned_data["request_code"],
                    acting_user=request.user,  # type: ignore[arg-type]
                )
                messages.success(request, gettext("S'ha desat el resultat de la cita."))
            elif action in {"close_slot", "reopen_slot"}:
                starts_at = dt.datetime.fromisoformat(request.POST.get("starts_at", ""))
                if action == "close_slot":
                    services.close_slot(
                        service=service,
                        starts_at=starts_at.astimezone(dt.UTC),
                        reason=request.POST.get("reason", "") or gettext("Tancada per l'oficina"),
                        acting_user=request.user,  # type: ignore[arg-type]
                    )
                    messages.success(request, gettext("S'ha tancat la franja."))
                else:
                    slot = get_object_or_404(Slot, service=service, starts_at=starts_at)
                    services.reopen_slot(slot=slot, acting_user=request.user)  # type: ignore[arg-type]
                    messages.success(request, gettext("S'ha tornat a obrir la franja."))
        except InvalidInput as error:
            messages.error(request, str(error))
        except ValueError:
            messages.error(request, gettext("Dades no vàlides."))
