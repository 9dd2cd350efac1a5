from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.contrib.admin.options import InlineModelAdmin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import AbstractBaseUser, Group
from django.db import models
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from seu import calendar
from seu import services as seu_services
from seu.admin_i18n import TranslatedPermissionsMixin
from seu.backoffice import ServiceChannelAdmin
from seu.models import (
    AuthorisedOfficial,
    BackOfficeChange,
    Identification,
    Interruption,
    NonWorkingDay,
    Organ,
    OutgoingEmail,
    Power,
    PowerTransition,
    StaffMembership,
    StaffMembershipChange,
    StaffRole,
    TownHall,
)
from seu.people import normalise_person_id
from seu.translated_admin import TranslatedContentAdmin


@admin.register(TownHall)
class TownHallAdmin(ServiceChannelAdmin, TranslatedContentAdmin[TownHall]):
    """The seu's owner (art. 9.1), through ``seu.services``: each change is logged and every page
    shows it at once. One town hall per seu, never deleted. Its office hours are written in each
    language; its name and address are proper nouns."""

    list_display = ["name", "nif", "phone", "email"]
    # A website typed without a scheme is the town hall's https site, not http (and Django 6.0
    # makes https the default anyway: this also silences its deprecation warning).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not TownHall.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: TownHall, form: Any, change: bool) -> None:
        seu_services.save_town_hall(town_hall=obj, acting_user=cast(AbstractBaseUser, request.user))


@admin.register(Organ)
class OrganAdmin(TranslatedContentAdmin[Organ]):
    """An organ's name and competences in each language (the Catalan text is required), and its
    staff."""

    list_display = ["name", "code", "parent", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name_ca", "name_es", "name_en", "code"]  # a name in any language
    prepopulated_fields = {"code": ["name"]}

    def get_inlines(self, request: HttpRequest, obj: Any) -> list[Any]:
        return [OrganMembershipInline] if obj is not None else []

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is StaffMembership:
            save_memberships(request, formset)  # the staff of the organ, through seu.staff
        else:
            super().save_formset(request, form, formset, change)


@admin.register(NonWorkingDay)
class NonWorkingDayAdmin(ServiceChannelAdmin, admin.ModelAdmin[NonWorkingDay]):
    """Local holidays and declared non-working days (art. 33.h), through ``seu.services``: each
    change is logged (``BackOfficeChange``) and every deadline and the office's days follow it."""

    list_display = ["date", "kind", "name", "declared_by"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    exclude = ["declared_by"]

    def save_model(self, request: HttpRequest, obj: NonWorkingDay, form: Any, change: bool) -> None:
        data = form.cleaned_data
        fields = {"date": data["date"], "kind": data["kind"], "name": data["name"]}
        user = cast(AbstractBaseUser, request.user)
        if change:
            saved = seu_services.change_non_working_day(day=obj, acting_user=user, **fields)
        else:
            saved = seu_services.declare_non_working_day(acting_user=user, **fields)
        obj.pk, obj.declared_by_id = saved.pk, saved.declared_by_id

    def delete_model(self, request: HttpRequest, obj: NonWorkingDay) -> None:
        seu_services.withdraw_non_working_day(
            day=obj, acting_user=cast(AbstractBaseUser, request.user)
        )

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for day in queryset:
            self.delete_model(request, day)


@admin.register(BackOfficeChange)
class BackOfficeChangeAdmin(admin.ModelAdmin[BackOfficeChange]):
    """The log of the back-office changes with legal effect, read only: it is evidence."""

    list_display = ["at", "actor", "what", "object_id", "action", "reason"]
    list_filter = ["what", "action"]
    search_fields = ["object_id", "actor__username", "reason"]
    date_hierarchy = "at"
    list_select_related = ["actor"]
    readonly_fields = [f.name for f in BackOfficeChange._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


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

    # The package writes these two in English (issue 13.5).
    search_help_text = _("Cercau pel nom d'usuari o l'adreça electrònica del titular")

    @admin.display(description=_("Codi QR"))
    def qrcode_link(self, device: TOTPDevice) -> str:
        href = reverse("admin:otp_totp_totpdevice_config", kwargs={"pk": device.pk})
        return format_html('<a href="{}">{}</a>', href, _("codi QR"))


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
        # Only staff can reach the back-office page where officials identify citizens. (A reader
        # without the change permission gets the form without its fields.)
        if "user" in self.fields:
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
class AuthorisedOfficialAdmin(ServiceChannelAdmin, admin.ModelAdmin[AuthorisedOfficial]):
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
        from seu.identity.officials import local_today

        return obj.is_enabled(on=local_today())

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: AuthorisedOfficial, form: Any, change: bool
    ) -> None:
        from seu.identity import officials

        data = form.cleaned_data
        fields = {name: data[name] for name in AuthorisedOfficialForm.Meta.fields}
        user = cast(AbstractBaseUser, request.user)
        if change:
            saved = officials.change_official(official=obj, acting_user=user, **fields)
        else:
            saved = officials.enable_official(acting_user=user, **fields)
        obj.pk, obj.enabled_by_id = saved.pk, saved.enabled_by_id


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


class PowerTransitionInline(admin.TabularInline[PowerTransition, Power]):
    model = PowerTransition
    extra = 0
    can_delete = False
    fields = ("at", "from_state", "to_state", "identification", "actor", "reason")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# What the apps above show on a power's page, as inlines they add here at import of their admin
# (the registry: the paper of a power granted at the office, ``registre.backoffice.powers``):
# ``seu`` imports none of them (DESIGN "hooks").
POWER_INLINES: list[type[InlineModelAdmin[Any, Power]]] = []


@admin.register(Power)
class PowerAdmin(admin.ModelAdmin[Power]):
    """The register of powers of representation (art. 26.2.a; Law 39/2015 art. 6), read-only:
    searchable by either person's NIF or name, each power with every change of its life (who,
    when, with which identification). Powers change only through ``seu.identity.representation``."""

    list_display = ["granted_at", "grantor", "representative", "scope", "state", "ends_at"]
    list_filter = ["state", "scope", "origin"]
    search_fields = [
        "grantor__nif",
        "grantor__surnames",
        "grantor__legal_name",
        "representative__nif",
        "representative__surnames",
        "representative__legal_name",
        "case_reference",
    ]
    date_hierarchy = "granted_at"
    list_select_related = ["grantor", "representative"]
    inlines = [PowerTransitionInline]

    def get_inlines(self, request: HttpRequest, obj: Any) -> list[Any]:
        return [*super().get_inlines(request, obj), *POWER_INLINES]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the register keeps every power and its life (Law 39/2015 art. 6)


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


# --- Staff and the organs they work for ---------------------------------------------------------


class _MembershipInline(admin.TabularInline[StaffMembership, Any]):
    """Memberships are edited here but written by ``seu.staff``, which logs every change."""

    model = StaffMembership
    extra = 0
    readonly_fields = ["granted_at", "granted_by"]
    verbose_name = _("pertinença a un òrgan")
    verbose_name_plural = _("òrgans on treballa")


class UserMembershipInline(_MembershipInline):
    fk_name = "user"
    fields = ["organ", "role", "granted_at", "granted_by"]


class OrganMembershipForm(forms.ModelForm[StaffMembership]):
    class Meta:
        model = StaffMembership
        fields = ["user", "role"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Supervisors are of no organ: they are named on the user's page.
        self.fields["role"].choices = [  # type: ignore[attr-defined]
            choice for choice in StaffRole.choices if choice[0] != StaffRole.SUPERVISOR
        ]
        self.fields["user"].queryset = get_user_model().objects.filter(is_staff=True)  # type: ignore[attr-defined]


class OrganMembershipInline(_MembershipInline):
    form = OrganMembershipForm
    fk_name = "organ"
    fields = ["user", "role", "granted_at", "granted_by"]
    verbose_name_plural = _("personal de l'òrgan")


def save_memberships(request: HttpRequest, formset: Any) -> None:
    """What the membership inline's formset holds, written through ``seu.staff``."""
    from seu import staff

    acting_user = request.user
    changed = formset.save(commit=False)  # also fills formset.deleted_objects; writes nothing
    for membership in formset.deleted_objects:
        staff.revoke_membership(membership_id=membership.pk, acting_user=acting_user)
    for membership in changed:
        if membership.pk is not None:
            stored = StaffMembership.objects.get(pk=membership.pk)
            if stored.organ_id != membership.organ_id:
                # Another organ is another membership: the old one is withdrawn.
                staff.revoke_membership(membership_id=stored.pk, acting_user=acting_user)
        staff.grant_membership(
            user=membership.user,
            organ=membership.organ,
            role=membership.role,
            acting_user=acting_user,
        )


class StaffUserAdmin(TranslatedPermissionsMixin, UserAdmin):
    """Django's user page with the organs the person works for."""

    inlines = [*UserAdmin.inlines, UserMembershipInline]

    def get_inline_instances(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        return super().get_inline_instances(request, obj) if obj is not None else []

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is StaffMembership:
            save_memberships(request, formset)
        else:
            super().save_formset(request, form, formset, change)


_user_model = get_user_model()
if admin.site.is_registered(_user_model):
    admin.site.unregister(_user_model)
admin.site.register(_user_model, StaffUserAdmin)


class StaffGroupAdmin(TranslatedPermissionsMixin, GroupAdmin):
    """Django's group page, its permissions named in the back-office's language."""


if admin.site.is_registered(Group):
    admin.site.unregister(Group)
admin.site.register(Group, StaffGroupAdmin)


@admin.register(StaffMembershipChange)
class StaffMembershipChangeAdmin(admin.ModelAdmin[StaffMembershipChange]):
    """The log of memberships granted, changed and withdrawn, read only."""

    list_display = ["at", "actor", "action", "user", "organ", "role", "previous_role"]
    list_filter = ["action", "role", "organ"]
    search_fields = ["user__username", "actor__username"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class InterruptionForm(forms.ModelForm[Interruption]):
    class Meta:
        model = Interruption
        fields = ["scope", "starts_at", "ends_at", "reason", "alternatives"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("starts_at"), cleaned.get("ends_at")
        if start and end and end <= start:
            self.add_error(
                "ends_at", _("El final de la interrupció ha de ser posterior a l'inici.")
            )
        return cleaned


# --- Planned interruptions (art. 17.1, 33.d) -----------------------------------------------------


@admin.register(Interruption)
class InterruptionAdmin(ServiceChannelAdmin, admin.ModelAdmin[Interruption]):
    """Staff announce a planned interruption with its alternatives; the portal's banner shows it
    before and during it, and while the registry is down filing says so instead of failing."""

    form = InterruptionForm
    list_display = ["scope", "starts_at", "ends_at", "reason", "status", "announcer"]
    list_filter = ["scope"]
    date_hierarchy = "starts_at"
    search_fields = ["reason", "alternatives"]
    readonly_fields = ["announcer", "announced_at"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = ["scope", "starts_at", "ends_at", "reason", "alternatives"]
        return [*fields, "announcer", "announced_at"] if obj is not None else fields

    @admin.display(description=_("anunciada per"))
    def announcer(self, obj: Interruption) -> str:
        return str(obj.announced_by) if obj.announced_by else "—"

    @admin.display(description=_("anunciada el"), ordering="created_at")
    def announced_at(self, obj: Interruption) -> str:
        return calendar.format_instant(obj.created_at) or "—"

    @admin.display(description=_("situació"))
    def status(self, obj: Interruption) -> str:
        now = calendar.now()
        if obj.ends_at <= now:
            return str(_("acabada"))
        if obj.starts_at <= now:
            return str(_("en curs"))
        return str(_("anunciada"))

    def save_model(self, request: HttpRequest, obj: Interruption, form: Any, change: bool) -> None:
        data = form.cleaned_data
        fields = {name: data[name] for name in InterruptionForm.Meta.fields}
        if change:
            saved = seu_services.change_interruption(
                interruption=obj, acting_user=cast(AbstractBaseUser, request.user), **fields
            )
        else:
            saved = seu_services.record_interruption(
                acting_user=cast(AbstractBaseUser, request.user), **fields
            )
        obj.pk, obj.announced_by_id, obj.created_at = (
            saved.pk,
            saved.announced_by_id,
            saved.created_at,
        )

    def delete_model(self, request: HttpRequest, obj: Interruption) -> None:
        seu_services.delete_interruption(
            interruption=obj, acting_user=cast(AbstractBaseUser, request.user)
        )

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for interruption in queryset:
            self.delete_model(request, interruption)
