from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from seu.models import (
    AuthorisedOfficial,
    Identification,
    NonWorkingDay,
    Organ,
    OutgoingEmail,
    TownHall,
)
from seu.people import normalise_person_id


@admin.register(TownHall)
class TownHallAdmin(admin.ModelAdmin[TownHall]):
    list_display = ["name", "nif", "phone", "email"]
    # A website typed without a scheme is the town hall's https site, not http (and Django 6.0
    # makes https the default anyway: this also silences its deprecation warning).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request: HttpRequest) -> bool:
        # One town hall per seu.
        return super().has_add_permission(request) and not TownHall.objects.exists()


@admin.register(Organ)
class OrganAdmin(admin.ModelAdmin[Organ]):
    list_display = ["name", "code", "parent", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ["name"]}


@admin.register(NonWorkingDay)
class NonWorkingDayAdmin(admin.ModelAdmin[NonWorkingDay]):
    list_display = ["date", "kind", "name", "declared_by"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    exclude = ["declared_by"]

    def save_model(
        self, request: HttpRequest, obj: NonWorkingDay, form: object, change: bool
    ) -> None:
        if not change:
            obj.declared_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)


# --- Staff second factor (issue 3.6) -----------------------------------------------------------


class StaffTOTPDeviceAdmin(TOTPDeviceAdmin):
    """Enrolment of a staff member's authenticator app: a superuser adds a device for the user,
    opens its QR code (the "qrcode" link) for the person to scan, and marks it confirmed."""

    _fieldset_titles = {
        "Identity": _("Titular"),
        "Timestamps": _("Dates"),
        "Configuration": _("Configuració"),
        "State": _("Estat"),
        "Throttling": _("Limitació d'intents"),
    }

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        return [
            (self._fieldset_titles.get(title, title) if title else None, options)
            for title, options in super().get_fieldsets(request, obj)
        ]


if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, StaffTOTPDeviceAdmin)


# --- Identification by authorised officials (art. 14) ------------------------------------------


class AuthorisedOfficialForm(forms.ModelForm[AuthorisedOfficial]):
    class Meta:
        model = AuthorisedOfficial
        fields = [
            "user",
            "nif",
            "full_name",
            "position",
            "enabled_from",
            "enabled_until",
            "resolution",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only staff can reach the back-office page where officials identify citizens.
        self.fields["user"].queryset = get_user_model().objects.filter(  # type: ignore[attr-defined]
            is_staff=True, is_active=True
        )

    def clean_nif(self) -> str:
        return normalise_person_id(self.cleaned_data["nif"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("enabled_from"), cleaned.get("enabled_until")
        if start and end and end < start:
            self.add_error(
                "enabled_until",
                _("La data final de l'habilitació no pot ser anterior a l'inicial."),
            )
        return cleaned


@admin.register(AuthorisedOfficial)
class AuthorisedOfficialAdmin(admin.ModelAdmin[AuthorisedOfficial]):
    """The register of authorised officials (art. 14.3). Entries are never deleted: an enablement
    ends with its end date, and the identifications an official made keep pointing at it."""

    form = AuthorisedOfficialForm
    list_display = [
        "full_name",
        "nif",
        "position",
        "enabled_from",
        "enabled_until",
        "resolution",
        "enabled_by",
        "enabled_today",
    ]
    list_filter = ["enabled_from", "enabled_until"]
    search_fields = ["full_name", "nif", "user__username", "resolution"]
    readonly_fields = ["enabled_by"]

    @admin.display(description=_("habilitat avui"), boolean=True)
    def enabled_today(self, obj: AuthorisedOfficial) -> bool:
        from seu.officials import local_today

        return obj.is_enabled(on=local_today())

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: AuthorisedOfficial, form: Any, change: bool
    ) -> None:
        if not change:
            obj.enabled_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)


@admin.register(Identification)
class IdentificationAdmin(admin.ModelAdmin[Identification]):
    """Every identification, read-only: who, how, at what level, when, and for those made by an
    authorised official, which one and the consent the person gave (art. 14.2)."""

    list_display = ["at", "person", "method", "loa", "official", "represented_entity"]
    list_filter = ["method", "loa"]
    search_fields = ["person__nif", "person__surnames", "person__legal_name", "official__full_name"]
    date_hierarchy = "at"
    list_select_related = ["person", "official", "represented_entity"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # evidence "for cases of discrepancy or litigation" (art. 14.2)


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin[OutgoingEmail]):
    """The outbox, read only: what left, to whom, and what the mail server said."""

    list_display = ["created_at", "kind", "to", "state", "attempts", "sent_at"]
    list_filter = ["state", "kind"]
    search_fields = ["to", "reference", "subject"]
    readonly_fields = [f.name for f in OutgoingEmail._meta.fields]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
