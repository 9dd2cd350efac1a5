"""The staff actions on the registry's book, as admin views (POST, CSRF), each guarded by a Django
model permission: ``change_registryentry`` to mark an entry not admitted, ``add_registryentry`` to
register a paper entry or an exit, ``view_registryentry`` to download what an entry holds and
export it. Every lookup of an entry goes through the admin's ``get_queryset`` (the organs the
user works for), so another organ's entry is a 404.

Each view parses its form, calls one service of ``registre.services`` and shows its refusal on
the form (``InvalidEntry``, field by field) or as a message."""

from __future__ import annotations

import io
import zipfile
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from documents import responses
from documents import services as documents
from registre import services, sicres
from registre.backoffice.forms import (
    ExitForm,
    InPersonEntryForm,
    NotAdmittedForm,
    default_alternatives,
    default_not_admitted_reason,
    show_refusal,
)
from registre.inputs import InvalidEntry
from registre.models import Direction, EntryAttachment, RegistryEntry
from seu import calendar, catalan
from seu.errors import NotFound, SeuError
from seu.identity import PersonData


def _acting_user(request: HttpRequest) -> AbstractBaseUser:
    return cast(AbstractBaseUser, request.user)


def _require(request: HttpRequest, action: str) -> None:
    """A Django model permission on registry entries, or 403 (a clerk without it gets nothing)."""
    if not request.user.has_perm(f"registre.{action}_registryentry"):
        raise PermissionDenied


def entry_url(entry: RegistryEntry) -> str:
    return reverse("admin:registre_registryentry_change", args=[entry.pk])


def _download(data_file: Any, *, filename: str, content_type: str) -> FileResponse:
    # Always as an attachment: files people sent are never rendered in the back-office's origin.
    return FileResponse(data_file, as_attachment=True, filename=filename, content_type=content_type)


def _xml_response(xml: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(xml, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _nothing_registered(request: HttpRequest, error: SeuError) -> None:
    messages.error(request, gettext("No s'ha registrat res: %(error)s") % {"error": error.message})


class EntryBookActions(admin.ModelAdmin[RegistryEntry]):
    """The staff actions of the entry book; ``registre.admin.RegistryEntryAdmin`` is this with
    the book's columns, filters and search."""

    actions = ["export_sicres"]

    def get_urls(self) -> list[URLPattern]:
        def view(function: Any) -> Any:
            return self.admin_site.admin_view(function)

        prefix = "registre_registryentry"
        return [
            path("entrada-presencial/", view(self.in_person_view), name=f"{prefix}_in_person"),
            path("sortida/", view(self.exit_view), name=f"{prefix}_exit"),
            path(
                "<int:object_id>/no-admetre/",
                view(self.not_admitted_view),
                name=f"{prefix}_not_admitted",
            ),
            path(
                "<int:object_id>/adjunts/<int:position>/",
                view(self.attachment_view),
                name=f"{prefix}_attachment",
            ),
            path("<int:object_id>/rebut/", view(self.receipt_view), name=f"{prefix}_receipt"),
            path("<int:object_id>/sicres3/", view(self.sicres_view), name=f"{prefix}_sicres"),
            *super().get_urls(),
        ]

    def _render_action(
        self,
        request: HttpRequest,
        *,
        form: forms.Form,
        title: str,
        submit: str,
        entry: RegistryEntry | None = None,
        notice: str = "",
    ) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "form": form,
            "entry": entry,
            "notice": notice,
            "submit_label": submit,
            "opts": self.model._meta,
            "cancel_url": entry_url(entry)
            if entry
            else reverse("admin:registre_registryentry_changelist"),
        }
        return TemplateResponse(request, "admin/registre/registryentry/action_form.html", context)

    # -- Not admitted (art. 33.b) ------------------------------------------------------------------

    def not_admitted_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        _require(request, "change")
        entry = get_object_or_404(self.get_queryset(request), pk=object_id)
        if entry.direction != Direction.IN or entry.state != RegistryEntry.State.REGISTERED:
            messages.error(request, gettext("Només es pot inadmetre una entrada registrada."))
            return HttpResponseRedirect(entry_url(entry))
        form = NotAdmittedForm(
            request.POST or None,
            initial={
                "reason": default_not_admitted_reason(),
                "alternatives": default_alternatives(),
            },
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.mark_not_admitted(
                    entry=entry,
                    reason=form.cleaned_data["reason"],
                    alternatives=form.cleaned_data["alternatives"],
                    acting_user=_acting_user(request),
                )
            except InvalidEntry as refusal:
                show_refusal(form, refusal, {})
            except SeuError as exc:
                messages.error(request, str(exc.message))
            else:
                messages.success(
                    request,
                    gettext(
                        "L'assentament %(number)s consta com a no admès; la persona interessada "
                        "en veurà el motiu a la seva carpeta."
                    )
                    % {"number": entry.number},
                )
                return HttpResponseRedirect(entry_url(entry))
        return self._render_action(
            request,
            form=form,
            entry=entry,
            title=gettext("No admetre l'assentament %(number)s") % {"number": entry.number},
            submit=gettext("No admetre"),
            notice=gettext(
                "Un escrit que no està relacionat amb els procediments del registre no produeix "
                "cap efecte i es té per no presentat: cal dir-ne el motiu a la persona interessada "
                "i on el pot presentar (art. 33.b de l'ordenança)."
            ),
        )

    # -- Paper entries (channel: in person) ------------------------------------------------------

    def in_person_view(self, request: HttpRequest) -> HttpResponse:
        _require(request, "add")
        form = InPersonEntryForm(request.POST or None, request.FILES or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            interested = form.person()
            assert interested is not None  # the field is required
            try:
                entry = services.register_in_person_entry(
                    organ=data["organ"],
                    subject=data["subject"],
                    exposition=data["exposition"],
                    request=data["request"],
                    interested=interested,
                    representative=form.person("representative_"),
                    scans=data["scans"],
                    language=data["language"],
                    acting_user=_acting_user(request),
                )
            except InvalidEntry as refusal:
                show_refusal(form, refusal, InPersonEntryForm.SERVICE_FIELDS)
            except SeuError as exc:
                _nothing_registered(request, exc)
            else:
                messages.success(request, self._receipt_message(entry))
                return HttpResponseRedirect(entry_url(entry))
        return self._render_action(
            request,
            form=form,
            title=gettext("Registrar una entrada presencial"),
            submit=gettext("Registrar i emetre el rebut"),
            notice=gettext(
                "Per a sol·licituds presentades en paper a l'oficina: s'anoten al llibre d'entrada "
                "amb canal presencial i se n'emet el rebut segellat, que cal lliurar a la persona."
            ),
        )

    def _receipt_message(self, entry: RegistryEntry) -> SafeString:
        assert entry.receipt is not None
        return format_html(
            '{} <a href="{}">{}</a> · <a href="{}">{}</a>',
            gettext("Entrada registrada amb el número %(number)s.") % {"number": entry.number},
            reverse("admin:registre_registryentry_receipt", args=[entry.pk]),
            gettext("Descarregar el rebut"),
            reverse("documents:verify_code", args=[entry.receipt.csv]),
            gettext("Verificació %(csv)s") % {"csv": entry.receipt.csv_display},
        )

    # -- Exits (art. 33.g, 33.h) -------------------------------------------------------------------

    def exit_view(self, request: HttpRequest) -> HttpResponse:
        _require(request, "add")
        form = ExitForm(request.POST or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                entry = services.register_exit(
                    organ=data["organ"],
                    addressee=data["addressee"],
                    addressee_person=PersonData(nif=data["addressee_nif"])
                    if data["addressee_nif"]
                    else None,
                    subject=data["subject"],
                    related_entry=data["related_entry_number"],
                    acting_user=_acting_user(request),
                )
            except InvalidEntry as refusal:
                show_refusal(form, refusal, {})
            except SeuError as exc:
                _nothing_registered(request, exc)
            else:
                if entry.state == RegistryEntry.State.PENDING:
                    messages.warning(
                        request,
                        gettext(
                            "Avui és dia inhàbil i el registre no anota sortides en dies inhàbils "
                            "(art. 33.h): la sortida queda pendent i es registrarà %(on_when)s, "
                            "a l'inici del primer dia hàbil següent."
                        )
                        % {"on_when": catalan.phrase("on", calendar.format_instant(entry.due_at))},
                    )
                else:
                    messages.success(
                        request,
                        gettext("Sortida registrada amb el número %(number)s.")
                        % {"number": entry.number},
                    )
                return HttpResponseRedirect(entry_url(entry))
        return self._render_action(
            request,
            form=form,
            title=gettext("Registrar una sortida"),
            submit=gettext("Registrar la sortida"),
            notice=self._exit_notice(),
        )

    @staticmethod
    def _exit_notice() -> str:
        now = calendar.now()
        working_calendar = calendar.WorkingCalendar()
        reason = working_calendar.non_working_reason(calendar.to_local(now).date())
        if reason is None:
            return ""
        return gettext(
            "Avui és dia inhàbil (%(reason)s): el registre no anota sortides en dies inhàbils "
            "(art. 33.h). La sortida quedarà pendent i es registrarà %(on_when)s, a l'inici del "
            "primer dia hàbil següent."
        ) % {
            "reason": reason,
            "on_when": catalan.phrase(
                "on", calendar.format_instant(working_calendar.next_working_day_start(now))
            ),
        }

    # -- Downloads -----------------------------------------------------------------------------

    def attachment_view(
        self, request: HttpRequest, object_id: int, position: int
    ) -> HttpResponseBase:
        _require(request, "view")
        entry = get_object_or_404(self.get_queryset(request), pk=object_id)
        attachment = get_object_or_404(
            EntryAttachment.objects.select_related("blob"), entry=entry, position=position
        )
        return _download(
            attachment.blob.file.open("rb"),
            filename=attachment.name,
            content_type=attachment.content_type,
        )

    def receipt_view(self, request: HttpRequest, object_id: int) -> HttpResponseBase:
        _require(request, "view")
        entry = get_object_or_404(self.get_queryset(request), pk=object_id)
        try:
            receipt = services.receipt_file(entry=entry)
        except NotFound:
            raise Http404 from None
        except documents.IntegrityFailure as failure:
            return responses.integrity_failure(request, entry.receipt, failure)
        return _download(
            io.BytesIO(receipt.data), filename=receipt.filename, content_type="application/pdf"
        )

    # -- SICRES 3 ------------------------------------------------------------------------------

    def sicres_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        _require(request, "view")
        entry = get_object_or_404(self.get_queryset(request), pk=object_id)
        try:
            xml = sicres.export_entry(entry, include_content=request.GET.get("contingut") == "1")
        except SeuError as exc:
            messages.error(request, str(exc.message))
            return HttpResponseRedirect(entry_url(entry))
        return _xml_response(xml, sicres.file_name(entry))

    @admin.action(description=_("Exportar SICRES 3 (XML)"), permissions=["view"])
    def export_sicres(
        self, request: HttpRequest, queryset: QuerySet[RegistryEntry]
    ) -> HttpResponse | None:
        entries = list(queryset.order_by("direction", "year", "sequence"))
        if not entries:  # what was selected is another organ's (``get_queryset``), or gone
            messages.error(request, gettext("No hi ha cap assentament per exportar."))
            return None
        files: list[tuple[str, bytes]] = []
        for entry in entries:
            try:
                files.append((sicres.file_name(entry), sicres.export_entry(entry)))
            except SeuError as exc:
                messages.error(request, f"{entry}: {exc.message}")
                return None
        if len(files) == 1:
            return _xml_response(files[0][1], files[0][0])
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, xml in files:
                archive.writestr(name, xml)
        response = HttpResponse(buffer.getvalue(), content_type="application/zip")
        response["Content-Disposition"] = 'attachment; filename="sicres3.zip"'
        return response
