"""The notice board in the back-office: staff draft edicts with their PDF documents and send them
for approval; approvers (permission ``tauler.publish_edict``) publish them now or schedule them,
and withdraw them with a reason. Integrity and availability incidents are listed for staff.

Every change goes through ``tauler.services``; this module only parses and reports."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import construct_change_message
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from seu.backoffice import ServiceChannelAdmin
from seu.errors import SeuError
from seu.staff import organs_to_offer, scoped_to_staff
from tauler import periods, services
from tauler.models import (
    Edict,
    EdictAttachment,
    EdictTransition,
    HealthRecord,
    Incident,
)

EDITABLE: list[str] = [
    "title",
    "category",
    "organ",
    "text",
    "period_kind",
    "period_days",
    "period_until",
]


class EdictAdminForm(forms.ModelForm[Edict]):
    new_document = forms.FileField(
        label=_("Afegir un document (PDF)"),
        required=False,
        help_text=_("Només fitxers PDF. Cal almenys un document per enviar l'edicte a aprovació."),
    )

    class Meta:
        model = Edict
        fields = EDITABLE
        widgets = {"period_until": forms.DateInput(attrs={"type": "date"})}

    def clean_new_document(self) -> services.IncomingFile | None:
        upload = self.cleaned_data.get("new_document")
        if not upload:
            return None
        incoming = services.IncomingFile(name=upload.name, data=upload.read())
        try:
            services.check_pdf(incoming)
        except SeuError as exc:
            raise forms.ValidationError(str(exc.message)) from exc
        return incoming

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.instance.pk is not None and self.instance.state != Edict.State.DRAFT:
            return data  # nothing is editable after the draft: the fields are read-only
        try:
            periods.check_period(
                kind=data.get("period_kind", ""),
                days=data.get("period_days"),
                until=data.get("period_until"),
                start=services.calendar.now(),
            )
        except SeuError as exc:
            self.add_error(None, str(exc.message))
        has_documents = self.instance.pk is not None and self.instance.attachments.exists()
        if not has_documents and not data.get("new_document") and "new_document" not in self.errors:
            self.add_error(
                "new_document", _("L'edicte no té cap document adjunt: afegiu-hi almenys un PDF.")
            )
        return data


# The record of an edict, shown as a plain table (no empty headers, no script for adding rows).
READONLY_TABULAR = "admin/readonly_tabular.html"


class AttachmentInline(admin.TabularInline[EdictAttachment, Edict]):
    model = EdictAttachment
    fields = ("position", "name", "size", "blob")
    readonly_fields = fields
    template = READONLY_TABULAR
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Edict | None = None) -> bool:
        return False


class TransitionInline(admin.TabularInline[EdictTransition, Edict]):
    model = EdictTransition
    fields = ("at", "from_state", "to_state", "actor", "reason")
    readonly_fields = fields
    template = READONLY_TABULAR
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Edict | None = None) -> bool:
        return False


class IncidentInline(admin.TabularInline[Incident, Edict]):
    model = Incident
    fields = ("kind", "started_at", "ended_at", "detected_at", "detail")
    readonly_fields = fields
    template = READONLY_TABULAR
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Edict | None = None) -> bool:
        return False


class PublishForm(forms.Form):
    publish_at = forms.DateTimeField(
        label=_("Publicar el (buit: ara)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Motiu de la retirada (serà públic)"), widget=forms.Textarea)


@admin.register(Edict)
class EdictAdmin(ServiceChannelAdmin, admin.ModelAdmin[Edict]):
    form = EdictAdminForm
    list_display = [
        "title",
        "reference",
        "state",
        "category",
        "organ",
        "published_at",
        "exposure_last_day",
        "last_integrity_ok",
    ]
    list_filter = [
        "state",
        "category",
        ("organ", admin.RelatedOnlyFieldListFilter),
        "last_integrity_ok",
    ]
    search_fields = ["title", "text"]
    inlines = [AttachmentInline, TransitionInline, IncidentInline]
    actions = ["submit_selected", "publish_selected"]

    # -- Staff see, draft and approve the edicts of their organs (``seu.staff``) ----------------

    def get_queryset(self, request: HttpRequest) -> QuerySet[Edict]:
        return scoped_to_staff(super().get_queryset(request), request.user)

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> Edict | None:
        # Another organ's edict is a 404, as one that does not exist (Django would redirect).
        edict = super().get_object(request, object_id, from_field)
        if edict is None:
            raise Http404
        return edict

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField[Any] | None:
        if db_field.name == "organ":
            kwargs["queryset"] = organs_to_offer(request.user, active_only=False)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Edict | None = None) -> list[str]:
        record = [
            "state",
            "reference",
            "workflow",
            "scheduled_for",
            "published_at",
            "certified_at",
            "exposure_ends_at",
            "withdrawn_at",
            "withdrawal_reason",
            "sealed_document",
            "certificate",
            "last_integrity_check_at",
            "last_integrity_ok",
        ]
        if obj is not None and obj.state != Edict.State.DRAFT:
            return EDITABLE + record
        return record

    def get_fields(  # type: ignore[override]
        self, request: HttpRequest, obj: Edict | None = None
    ) -> list[str]:
        if obj is None:
            return [*EDITABLE, "new_document"]
        if obj.state == Edict.State.DRAFT:
            return [*EDITABLE, "new_document", *self.get_readonly_fields(request, obj)]
        return self.get_readonly_fields(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Edict | None = None) -> bool:
        return False  # the record of what was published stays (art. 18.4)

    @admin.display(description=_("Tràmit"))
    def workflow(self, obj: Edict) -> str:
        links = []
        if obj.state == Edict.State.AWAITING_APPROVAL:
            links.append(
                (reverse("admin:tauler_edict_publish", args=[obj.pk]), _("Publicar o programar"))
            )
        if obj.state in (Edict.State.SCHEDULED, Edict.State.PUBLISHED):
            links.append((reverse("admin:tauler_edict_withdraw", args=[obj.pk]), _("Retirar")))
        if obj.number:
            links.append((obj.get_absolute_url(), _("Pàgina pública")))
        if not links:
            return "—"  # a draft: it is sent for approval from the list of edicts
        return format_html(
            " · ".join(['<a href="{}">{}</a>'] * len(links)),
            *[part for link in links for part in link],
        )

    def save_model(self, request: HttpRequest, obj: Edict, form: Any, change: bool) -> None:
        """The draft is written by the board's services, never by the admin's ``obj.save()``."""
        data = form.cleaned_data
        files = [data["new_document"]] if data.get("new_document") else []
        arguments = {name: data.get(name) for name in EDITABLE}
        if change:
            services.update_draft(
                edict_id=obj.pk, files=files, acting_user=request.user, **arguments
            )
        else:
            created = services.create_draft(files=files, acting_user=request.user, **arguments)
            # The admin logs and redirects with this in-memory object: make it the stored one.
            obj.pk, obj.state, obj.created_at = created.pk, created.state, created.created_at
            obj._state.adding = False

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass  # the inlines are a read-only record; attachments are stored by the service

    def construct_change_message(
        self, request: HttpRequest, form: Any, formsets: Any, add: bool = False
    ) -> list[dict[str, dict[str, list[str]]]]:
        # Django describes what each inline's formset saved, which it reads from the formsets'
        # save(). Ours are a read-only record (documents, transitions, incidents) that
        # save_related never saves: the change is the form's alone.
        return construct_change_message(form, [], add)

    @admin.action(description=_("Enviar a aprovació"))
    def submit_selected(self, request: HttpRequest, queryset: QuerySet[Edict]) -> None:
        for edict in queryset:
            try:
                services.submit_for_approval(edict_id=edict.pk, acting_user=request.user)
            except SeuError as exc:
                self.message_user(request, f"{edict}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, _("%(edict)s: enviat a aprovació.") % {"edict": edict})

    @admin.action(description=_("Publicar ara"))
    def publish_selected(self, request: HttpRequest, queryset: QuerySet[Edict]) -> None:
        for edict in queryset:
            try:
                done = services.publish_edict(edict_id=edict.pk, acting_user=request.user)
            except SeuError as exc:
                self.message_user(request, f"{edict}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, _("%(edict)s: publicat.") % {"edict": done})

    def get_urls(self) -> list[URLPattern]:
        extra = [
            path(
                "<int:pk>/publish/",
                self.admin_site.admin_view(self.publish_view),
                name="tauler_edict_publish",
            ),
            path(
                "<int:pk>/withdraw/",
                self.admin_site.admin_view(self.withdraw_view),
                name="tauler_edict_withdraw",
            ),
        ]
        return extra + super().get_urls()

    def _action_view(
        self,
        request: HttpRequest,
        pk: int,
        form_class: type[forms.Form],
        title: str,
        submit_label: str,
        run: Any,
    ) -> HttpResponse:
        edict = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_permission(request, edict):
            return HttpResponseRedirect(reverse("admin:index"))
        form = form_class(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                message = run(edict, form.cleaned_data)
            except SeuError as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(request, message)
                return HttpResponseRedirect(reverse("admin:tauler_edict_change", args=[pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "form": form,
            "edict": edict,
            "opts": self.model._meta,
            "submit_label": submit_label,
        }
        return TemplateResponse(request, "admin/tauler/edict_action.html", context)

    def publish_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        def run(edict: Edict, data: dict[str, Any]) -> str:
            done = services.publish_edict(
                edict_id=edict.pk, acting_user=request.user, publish_at=data["publish_at"]
            )
            if done.state == Edict.State.SCHEDULED:
                return str(_("Edicte programat."))
            return str(_("Edicte publicat: %(ref)s.") % {"ref": done.reference})

        return self._action_view(
            request, pk, PublishForm, str(_("Publicar l'edicte")), str(_("Publicar")), run
        )

    def withdraw_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        def run(edict: Edict, data: dict[str, Any]) -> str:
            services.withdraw_edict(
                edict_id=edict.pk, reason=data["reason"], acting_user=request.user
            )
            return str(_("Edicte retirat."))

        return self._action_view(
            request, pk, WithdrawForm, str(_("Retirar l'edicte")), str(_("Retirar")), run
        )


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin[Incident]):
    list_display = ["kind", "edict", "started_at", "ended_at", "detected_at"]
    list_filter = ["kind"]
    readonly_fields = ["kind", "edict", "attachment", "started_at", "detected_at", "detail"]
    fields = [*readonly_fields, "ended_at"]  # staff close an integrity incident once resolved

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Incident | None = None) -> bool:
        return False


@admin.register(HealthRecord)
class HealthRecordAdmin(admin.ModelAdmin[HealthRecord]):
    list_display = ["first_ok_at", "last_ok_at"]
    readonly_fields = ["first_ok_at", "last_ok_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: HealthRecord | None = None) -> bool:
        return False
