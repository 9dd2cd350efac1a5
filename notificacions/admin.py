"""The back-office of notifications (art. 32, 33.b, 33.g).

- The register of consents to electronic notification, read only (art. 32.1-32.4): what each
  person agreed to, when, through which identification, word for word. Rows are written only by
  ``notificacions.services``; staff with the view permission consult them.
- The register of notifications of the user's organs, read only, with its whole life on each
  one's page and the staff actions and pages of ``notificacions.backoffice``: notifying, the
  impossibility of access, annulment, the list to post on paper and its outcomes.
- The suspensions of the ten-day clock (issue 14 item 4), declared and closed through
  ``notificacions.clock``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from notificacions import acting, clock
from notificacions.backoffice.views import NotificationBackOffice
from notificacions.models import (
    ClockSuspension,
    Notification,
    NotificationConsent,
    NotificationEvent,
)
from seu import calendar
from seu.backoffice import ServiceChannelAdmin
from seu.people import normalise_person_id


@admin.register(NotificationConsent)
class NotificationConsentAdmin(admin.ModelAdmin[NotificationConsent]):
    list_display = ["at", "person", "change", "state", "scope", "email", "identification"]
    list_filter = ["change", "state", "scope"]
    search_fields = ["person__nif", "person__surnames", "person__legal_name", "email"]
    date_hierarchy = "at"
    list_select_related = ["person", "identification__person"]
    readonly_fields = [field.name for field in NotificationConsent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the history is evidence of what the person consented to


def _link(url: str, text: Any) -> SafeString:
    return format_html('<a href="{}">{}</a>', url, text)


@admin.register(Notification)
class NotificationAdmin(NotificationBackOffice):
    """The register of notifications (read only; the actions go through the services)."""

    list_display = [
        "number_display",
        "state_display",
        "created_display",
        "organ",
        "holder_display",
        "subject",
        "expires_display",
    ]
    list_display_links = ["number_display"]
    list_filter = [
        "state",
        "channel",
        "kind",
        ("organ", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = [
        "holder__nif",
        "representative__nif",
        "holder__surnames",
        "holder__legal_name",
        "exit_entry__number",
        "subject",
    ]
    search_help_text = _(
        "NIF/NIE o llinatges de la persona, número del registre de sortida o paraules de "
        "l'assumpte."
    )
    date_hierarchy = "created_at"
    list_per_page = 50
    fieldsets = [
        (
            None,
            {"fields": ["number_display", "kind", "channel", "state", "organ", "subject"]},
        ),
        (
            _("Persones destinatàries"),
            {
                "fields": [
                    "holder_display",
                    "representative_display",
                    "power_display",
                    "required_loa",
                    "language_display",
                ]
            },
        ),
        (
            _("Dates i hores"),
            {
                "fields": [
                    "created_display",
                    "created_by",
                    "available_display",
                    "expires_display",
                    "base_expires_display",
                    "reminders_display",
                    "outcome_display",
                ]
            },
        ),
        (
            _("Registre i evidències"),
            {
                "fields": [
                    "exit_entry_link",
                    "related_entry_link",
                    "case_reference",
                    "evidence_link",
                    "certificate_link",
                ]
            },
        ),
    ]
    readonly_fields = [
        "number_display",
        "kind",
        "channel",
        "state",
        "organ",
        "subject",
        "holder_display",
        "representative_display",
        "power_display",
        "required_loa",
        "language_display",
        "created_display",
        "created_by",
        "available_display",
        "expires_display",
        "base_expires_display",
        "reminders_display",
        "outcome_display",
        "exit_entry_link",
        "related_entry_link",
        "case_reference",
        "evidence_link",
        "certificate_link",
    ]

    # -- Evidence: read-only, never deleted; the actions have their own pages --------------------

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # nothing is edited here: each action calls its service

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Notification], search_term: str
    ) -> tuple[QuerySet[Notification], bool]:
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term:
            # A NIF typed with spaces, dashes or in lower case still finds its person.
            try:
                nif = normalise_person_id(term)
            except ValidationError:  # not a NIF: the plain search stands
                nif = ""
            if nif:
                found = found | queryset.filter(Q(holder__nif=nif) | Q(representative__nif=nif))
        return found, may_have_duplicates

    # -- Columns and fields ----------------------------------------------------------------------

    @admin.display(description=_("registre de sortida"), ordering="exit_entry__number")
    def number_display(self, obj: Notification) -> str:
        return obj.exit_entry.number or gettext("(pendent)")

    @admin.display(description=_("tipus, canal i estat"), ordering="state")
    def state_display(self, obj: Notification) -> SafeString:
        return format_html(
            "{} · {}<br>{}",
            obj.get_kind_display(),
            obj.get_channel_display(),
            obj.get_state_display(),
        )

    @admin.display(description=_("creada el"), ordering="created_at")
    def created_display(self, obj: Notification) -> str:
        return calendar.format_instant(obj.created_at)

    @admin.display(description=_("posada a disposició o emesa el"), ordering="available_at")
    def available_display(self, obj: Notification) -> str:
        return calendar.format_instant(obj.available_at) or "—"

    @admin.display(description=_("es considerarà rebutjada després del"), ordering="expires_at")
    def expires_display(self, obj: Notification) -> str:
        return calendar.format_instant(obj.expires_at) or "—"

    @admin.display(description=_("venciment sense ampliacions"))
    def base_expires_display(self, obj: Notification) -> str:
        return calendar.format_instant(obj.base_expires_at) or "—"

    @admin.display(description=_("recordatoris"))
    def reminders_display(self, obj: Notification) -> str:
        sent = ngettext("%(n)s enviat", "%(n)s enviats", obj.reminders_sent) % {
            "n": obj.reminders_sent
        }
        if obj.next_reminder_at is None:
            return sent
        return gettext("%(sent)s; el proper: %(when)s") % {
            "sent": sent,
            "when": calendar.format_instant(obj.next_reminder_at),
        }

    @admin.display(description=_("resultat"))
    def outcome_display(self, obj: Notification) -> str:
        if obj.outcome_at is None:
            return "—"
        text = f"{obj.get_state_display()}: {calendar.format_instant(obj.outcome_at)}"
        if obj.outcome_person is not None:
            text += f" — {obj.outcome_person.display_name} ({obj.outcome_person.nif})"
            if obj.outcome_role:
                text += f", {obj.get_outcome_role_display()}"
        return text

    @admin.display(description=_("llengua de l'avís i de l'evidència"))
    def language_display(self, obj: Notification) -> str:
        return str(dict(settings.LANGUAGES).get(obj.language, obj.language))

    @admin.display(description=_("persona interessada"), ordering="holder__nif")
    def holder_display(self, obj: Notification) -> str:
        return f"{obj.holder.display_name} ({obj.holder.nif})"

    @admin.display(description=_("representant"))
    def representative_display(self, obj: Notification) -> str:
        person = obj.representative
        return f"{person.display_name} ({person.nif})" if person else "—"

    @admin.display(description=_("apoderament del representant"))
    def power_display(self, obj: Notification) -> str:
        """The power the organ named the representative with (they receive it only while it is
        in force), its state now and its public id; none, as named by the organ."""
        power = obj.power
        if power is None:
            if obj.representative_id is None:
                return "—"
            return gettext("Cap: representant indicat per l'òrgan.")
        text = gettext("%(power)s (%(state)s); identificador %(id)s") % {
            "power": acting.power_in_words(power),
            "state": power.get_state_display(),
            "id": power.public_id,
        }
        if power.revoked_at is not None:
            text += ". " + gettext("Revocat el %(when)s") % {
                "when": calendar.format_instant(power.revoked_at)
            }
        return text[:1].upper() + text[1:]

    @admin.display(description=_("assentament de sortida"))
    def exit_entry_link(self, obj: Notification) -> str:
        return _link(
            reverse("admin:registre_registryentry_change", args=[obj.exit_entry_id]),
            obj.exit_entry,
        )

    @admin.display(description=_("assentament relacionat"))
    def related_entry_link(self, obj: Notification) -> str:
        if obj.related_entry is None:
            return "—"
        return _link(
            reverse("admin:registre_registryentry_change", args=[obj.related_entry_id]),
            obj.related_entry,
        )

    def _document_link(self, obj: Notification, document: Any, view: str) -> str:
        if document is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a> · {} <a href="{}">{}</a>',
            reverse(f"admin:notificacions_notification_{view}", args=[obj.pk]),
            gettext("Descarregar (PDF)"),
            gettext("CSV:"),
            reverse("documents:verify_code", args=[document.csv]),
            document.csv_display,
        )

    @admin.display(description=_("evidència de posada a disposició o d'emissió"))
    def evidence_link(self, obj: Notification) -> str:
        return self._document_link(obj, obj.evidence, "evidence")

    @admin.display(description=_("certificat de la notificació"))
    def certificate_link(self, obj: Notification) -> str:
        return self._document_link(obj, obj.certificate, "certificate")


# --- Suspensions of the clock ---------------------------------------------------------------------


def extended_by(suspension: ClockSuspension) -> int:
    """How many notifications ``suspension`` extended: those whose log has an extension for its
    reason since it was declared (an extension names every period that moved it)."""
    return (
        NotificationEvent.objects.filter(
            event=NotificationEvent.Event.EXTENDED,
            at__gte=suspension.declared_at,
            reason__contains=suspension.reason,
        )
        .values("notification")
        .distinct()
        .count()
    )


class ClockSuspensionForm(forms.ModelForm[ClockSuspension]):
    class Meta:
        model = ClockSuspension
        fields = ["starts_at", "ends_at", "reason"]


@admin.register(ClockSuspension)
class ClockSuspensionAdmin(ServiceChannelAdmin, admin.ModelAdmin[ClockSuspension]):
    """Staff with the permission suspend the ten-day clock of every notification for a declared
    period (the 2020 state of alarm) and close it; each pending notification it overlaps is
    extended at once. Declared through ``clock.declare_suspension``, closed or moved through
    ``clock.end_suspension``; never deleted (the extensions it caused stay on the evidence)."""

    form = ClockSuspensionForm
    list_display = [
        "starts_display",
        "ends_display",
        "reason",
        "declared_display",
        "declared_by",
        "extended_display",
    ]
    list_select_related = ["declared_by"]
    date_hierarchy = "starts_at"

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:  # type: ignore[override]
        if obj is None:
            return ["starts_at", "ends_at", "reason"]
        return [
            "starts_at",
            "reason",
            "ends_at",
            "declared_display",
            "declared_by",
            "extended_display",
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        return ["starts_at", "reason", "declared_display", "declared_by", "extended_display"]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        if obj is not None and "ends_at" in form.base_fields:
            form.base_fields["ends_at"].required = True  # closing it needs its end
        if obj is None and "ends_at" in form.base_fields:
            form.base_fields["ends_at"].help_text = _(
                "En blanc, la suspensió queda oberta fins que s'indiqui el final."
            )
        return form

    def save_model(
        self, request: HttpRequest, obj: ClockSuspension, form: Any, change: bool
    ) -> None:
        """The suspension is written by ``notificacions.clock``, never by ``obj.save()``."""
        data = form.cleaned_data
        if change:
            done = clock.end_suspension(
                suspension=obj, ends_at=data["ends_at"], acting_user=request.user
            )
        else:
            done = clock.declare_suspension(
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                reason=data["reason"],
                acting_user=request.user,
            )
            # The admin logs and redirects with this in-memory object: make it the stored one.
            obj.pk, obj.declared_at, obj.declared_by_id = (
                done.pk,
                done.declared_at,
                done.declared_by_id,
            )
            obj.reason = done.reason
            obj._state.adding = False
        count = extended_by(done)
        self.message_user(
            request,
            ngettext(
                "Fins ara ha ampliat el termini de %(n)s notificació pendent.",
                "Fins ara ha ampliat el termini de %(n)s notificacions pendents.",
                count,
            )
            % {"n": count},
            messages.INFO,
        )

    @admin.display(description=_("inici"), ordering="starts_at")
    def starts_display(self, obj: ClockSuspension) -> str:
        return calendar.format_instant(obj.starts_at)

    @admin.display(description=_("final"), ordering="ends_at")
    def ends_display(self, obj: ClockSuspension) -> str:
        return calendar.format_instant(obj.ends_at) or gettext("oberta")

    @admin.display(description=_("declarada el"), ordering="declared_at")
    def declared_display(self, obj: ClockSuspension) -> str:
        return calendar.format_instant(obj.declared_at)

    @admin.display(description=_("notificacions ampliades"))
    def extended_display(self, obj: ClockSuspension) -> str:
        return str(extended_by(obj)) if obj.pk else "—"
