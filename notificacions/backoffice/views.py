"""The staff pages of notifications, as admin views (POST, CSRF), each guarded by a Django model
permission: ``add_notification`` to notify, ``change_notification`` for the actions on one
(impossibility of access, annulment, a paper outcome), ``view_notification`` to read the
register, the paper list and the documents. Every lookup goes through the admin's
``get_queryset`` (the organs the user works for), so another organ's notification or entry is a
404.

Each view parses its form, calls one service and shows its refusal on the form, with what was
typed kept (files cannot be kept by a browser: the message says to choose them again)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from documents import responses
from documents.intake import RefusedFile
from notificacions import clock, evidence, sending
from notificacions.backoffice import record
from notificacions.backoffice.entries import notifiable_entries
from notificacions.backoffice.forms import (
    PAPER_NEXT,
    AnnulForm,
    ImpossibilityForm,
    NotifyForm,
    PaperOutcomeForm,
    entry_initial,
)
from notificacions.backoffice.uploads import notify_uploaded
from notificacions.models import Notification
from seu import calendar
from seu.errors import SeuError
from seu.staff import scoped_to_staff

if TYPE_CHECKING:
    pass

State = Notification.State
PAPER_PAGE_SIZE = 50
# Where a paper outcome sends the clerk back to (the list, instead of the notification's page).
RETURN_TO_LIST = "llista"


def _acting_user(request: HttpRequest) -> AbstractBaseUser:
    return cast(AbstractBaseUser, request.user)


def _require(request: HttpRequest, action: str) -> None:
    """A Django model permission on notifications, or 403."""
    if not request.user.has_perm(f"notificacions.{action}_notification"):
        raise PermissionDenied


def notification_url(notification: Notification) -> str:
    return reverse("admin:notificacions_notification_change", args=[notification.pk])


def paper_list_url() -> str:
    return reverse("admin:notificacions_notification_paper")


def show_refusal(form: forms.Form, errors: Mapping[str, list[str]], fields: dict[str, str]) -> None:
    """A service's refusal on the fields of ``form``: each message next to the field it names
    (``fields`` renames the service's), the rest above the form."""
    for name, found in errors.items():
        field = fields.get(name, name)
        for message in found:
            form.add_error(field if field in form.fields else None, message)


def _show_error(form: forms.Form, error: SeuError, fields: dict[str, str]) -> None:
    if isinstance(error, sending.InvalidNotification):
        show_refusal(form, error.errors, fields)
    else:
        show_refusal(form, {error.code: [str(error.message)]}, fields)


def sent_message(notification: Notification) -> str:
    """What the clerk is told once it is sent: its exit entry and where it went."""
    exit_entry = notification.exit_entry
    paper = notification.channel == Notification.Channel.PAPER
    if notification.state == State.PENDING:
        if paper:
            text = gettext(
                "Avui és dia inhàbil i el registre no anota sortides en dies inhàbils (art. "
                "33.h): es registrarà el dia hàbil següent (%(when)s) i llavors passarà a la "
                "llista per enviar en paper."
            )
        else:
            text = gettext(
                "Avui és dia inhàbil i el registre no anota sortides en dies inhàbils (art. "
                "33.h): es registrarà el dia hàbil següent (%(when)s) i llavors es posarà a "
                "disposició de la persona; els deu dies comencen a comptar llavors."
            )
        return text % {"when": calendar.format_instant(exit_entry.due_at)}
    if paper:
        return gettext(
            "Registre de sortida %(number)s. La persona no ha consentit la notificació "
            "electrònica: és a la llista per enviar en paper."
        ) % {"number": exit_entry.number}
    return gettext(
        "Registre de sortida %(number)s: posada a disposició de la persona a la seu "
        "electrònica, amb l'avís a la seva adreça si en té."
    ) % {"number": exit_entry.number}


class NotificationBackOffice(admin.ModelAdmin[Notification]):
    """The staff pages of notifications; ``notificacions.admin.NotificationAdmin`` is this with
    the register's columns, filters and search."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Notification]:
        found = (
            super()
            .get_queryset(request)
            .select_related(
                "organ",
                "holder",
                "representative",
                "power",
                "exit_entry",
                "related_entry",
                "evidence",
                "certificate",
                "created_by",
            )
        )
        return scoped_to_staff(found, request.user)

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> Notification | None:
        # Django redirects to the index with a message for an object outside the queryset,
        # which tells that it exists: answer as for one that does not.
        notification = super().get_object(request, object_id, from_field)
        if notification is None:
            raise Http404
        return notification

    def _notification(self, request: HttpRequest, object_id: int) -> Notification:
        return get_object_or_404(self.get_queryset(request), pk=object_id)

    def get_urls(self) -> list[URLPattern]:
        def view(function: Any) -> Any:
            return self.admin_site.admin_view(function)

        prefix = "notificacions_notification"
        return [
            path("per-enviar-en-paper/", view(self.paper_list_view), name=f"{prefix}_paper"),
            path(
                "<int:object_id>/impossibilitat/",
                view(self.impossibility_view),
                name=f"{prefix}_impossibility",
            ),
            path("<int:object_id>/anullar/", view(self.annul_view), name=f"{prefix}_annul"),
            path(
                "<int:object_id>/resultat-paper/",
                view(self.paper_outcome_view),
                name=f"{prefix}_paper_outcome",
            ),
            path(
                "<int:object_id>/documents/<int:position>/",
                view(self.document_view),
                name=f"{prefix}_document",
            ),
            path("<int:object_id>/evidencia/", view(self.evidence_view), name=f"{prefix}_evidence"),
            path(
                "<int:object_id>/certificat/",
                view(self.certificate_view),
                name=f"{prefix}_certificate",
            ),
            *super().get_urls(),
        ]

    def _context(self, request: HttpRequest, **extra: Any) -> dict[str, Any]:
        return {**self.admin_site.each_context(request), "opts": self.model._meta, **extra}

    # -- Notifying (issue 14 item 2) ---------------------------------------------------------------

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Notify: about an incoming entry (``?entry=<pk>``, its persons offered) or, without
        one, any person for one of the user's organs."""
        _require(request, "add")
        entry = None
        if "entry" in request.GET:
            entry_id = request.GET["entry"]
            if not entry_id.isdigit():
                raise Http404
            entry = get_object_or_404(notifiable_entries(request.user), pk=int(entry_id))
        form = NotifyForm(
            request.POST or None,
            request.FILES or None,
            user=request.user,
            organ=entry.organ if entry else None,
            initial=entry_initial(entry) if entry else {},
        )
        files_chosen = bool(request.FILES)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                notification = notify_uploaded(
                    organ=entry.organ if entry else data["organ"],
                    files=data["documents"],
                    subject=data["subject"],
                    acting_user=_acting_user(request),
                    language=data["language"],
                    holder=form.person("holder_"),
                    representative=form.person("representative_"),
                    kind=data["kind"],
                    required_loa=data["required_loa"],
                    related_entry=entry,
                )
            except RefusedFile as refused:
                form.add_error("documents", str(refused.message))
            except SeuError as error:
                _show_error(form, error, NotifyForm.SERVICE_FIELDS)
            else:
                messages.success(request, sent_message(notification))
                return HttpResponseRedirect(notification_url(notification))
        if entry is not None:
            title = gettext("Notificar sobre l'assentament %(number)s") % {"number": entry.number}
        else:
            title = gettext("Nova notificació")
        return TemplateResponse(
            request,
            "admin/notificacions/notification/notify.html",
            self._context(
                request,
                title=title,
                # Short: see the notification's change_form.html.
                crumb=gettext("Notificar") if entry else title,
                form=form,
                entry=entry,
                # A browser never sends a file again: say so when the form comes back.
                choose_files_again=bool(form.errors) and files_chosen,
                cancel_url=reverse("admin:registre_registryentry_change", args=[entry.pk])
                if entry
                else reverse("admin:notificacions_notification_changelist"),
            ),
        )

    # -- The notification's page -------------------------------------------------------------------

    def action_forms(
        self, request: HttpRequest, notification: Notification
    ) -> list[dict[str, Any]]:
        """The actions the user may take on ``notification`` now, each with its empty form."""
        if not request.user.has_perm("notificacions.change_notification"):
            return []
        actions = []
        if notification.state == State.AVAILABLE and notification.expires_at is not None:
            actions.append(self._impossibility(notification))
        if notification.state in PAPER_NEXT:
            actions.append(self._paper_outcome(notification))
        if sending.WORKFLOW.allows(notification.state, State.ANNULLED):
            actions.append(self._annul(notification))
        return actions

    def _impossibility(self, notification: Notification, data: Any = None) -> dict[str, Any]:
        return {
            "name": "impossibility",
            "title": gettext("Declarar impossibilitat d'accés"),
            "notice": gettext(
                "Si la persona no ha pogut accedir a la notificació per una causa tècnica "
                "(art. 32.6 de l'ordenança), se'n dona un nou venciment, amb el motiu a "
                "l'evidència."
            ),
            "submit": gettext("Declarar la impossibilitat"),
            "form": ImpossibilityForm(data, prefix="impossibility"),
            "url": reverse(
                "admin:notificacions_notification_impossibility", args=[notification.pk]
            ),
        }

    def _annul(self, notification: Notification, data: Any = None) -> dict[str, Any]:
        return {
            "name": "annul",
            "title": gettext("Anul·lar"),
            "notice": gettext(
                "Una notificació enviada per error es pot anul·lar mentre no s'hagi practicat: "
                "la persona la veurà anul·lada, amb el motiu, i no rebrà més recordatoris."
            ),
            "submit": gettext("Anul·lar la notificació"),
            "form": AnnulForm(data, prefix="annul"),
            "url": reverse("admin:notificacions_notification_annul", args=[notification.pk]),
        }

    def _paper_outcome(
        self, notification: Notification, data: Any = None, return_to: str = ""
    ) -> dict[str, Any]:
        return {
            "name": "paper",
            "title": gettext("Registrar el resultat de l'enviament en paper"),
            "notice": "",
            "submit": gettext("Registrar el resultat"),
            "form": PaperOutcomeForm(
                data,
                state=notification.state,
                available_at=notification.available_at,
                prefix=f"paper-{notification.pk}",
            ),
            "url": reverse(
                "admin:notificacions_notification_paper_outcome", args=[notification.pk]
            ),
            "return_to": return_to,
        }

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Notification | None = None,
    ) -> Any:
        if obj is not None:
            context.update(
                facts=record.timeline(obj),
                notices=record.notices(obj),
                documents=[
                    {
                        "fact": fact,
                        # Breakable every 16 characters: the table fits the page, a copy is whole.
                        "sha256": mark_safe(  # noqa: S308  (hexadecimal digits only)
                            "<wbr>".join(escape(fact.sha256[i : i + 16]) for i in range(0, 64, 16))
                        ),
                        "url": reverse(
                            "admin:notificacions_notification_document",
                            args=[obj.pk, item.position],
                        ),
                    }
                    for item, fact in zip(
                        obj.notification_documents.order_by("position", "pk"),
                        evidence.document_facts(obj),
                        strict=True,
                    )
                ],
                actions=self.action_forms(request, obj),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    # -- Actions on one notification ---------------------------------------------------------------

    def _run_action(
        self,
        request: HttpRequest,
        object_id: int,
        *,
        build: Callable[..., dict[str, Any]],
        allowed: Callable[[Notification], bool],
        run: Callable[[Notification, dict[str, Any]], str],
        fields: dict[str, str],
    ) -> HttpResponse:
        _require(request, "change")
        notification = self._notification(request, object_id)
        return_to = request.POST.get("tornar") or request.GET.get("tornar") or ""
        back = paper_list_url() if return_to == RETURN_TO_LIST else notification_url(notification)
        if not allowed(notification):
            messages.error(
                request,
                gettext("Aquesta actuació no és possible en l'estat actual de la notificació."),
            )
            return HttpResponseRedirect(back)
        action = build(notification, request.POST if request.method == "POST" else None)
        form = action["form"]
        if request.method == "POST" and form.is_valid():
            try:
                message = run(notification, form.cleaned_data)
            except SeuError as error:
                _show_error(form, error, fields)
            else:
                messages.success(request, message)
                return HttpResponseRedirect(back)
        return TemplateResponse(
            request,
            "admin/notificacions/notification/action.html",
            self._context(
                request,
                title=action["title"],
                action={**action, "return_to": return_to},
                notification=notification,
                cancel_url=back,
            ),
        )

    def impossibility_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        def run(notification: Notification, data: dict[str, Any]) -> str:
            done = clock.declare_impossibility(
                notification=notification,
                reason=data["reason"],
                at_request_of_person=data["requested_by"] == "person",
                acting_user=request.user,
                new_expiry=data["new_expiry"],
            )
            return gettext("Impossibilitat d'accés declarada. Nou venciment: %(instant)s.") % {
                "instant": calendar.format_instant(done.expires_at)
            }

        return self._run_action(
            request,
            object_id,
            build=self._impossibility,
            allowed=lambda n: n.state == State.AVAILABLE and n.expires_at is not None,
            run=run,
            fields=ImpossibilityForm.SERVICE_FIELDS,
        )

    def annul_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        def run(notification: Notification, data: dict[str, Any]) -> str:
            sending.annul(
                notification=notification, reason=data["reason"], acting_user=_acting_user(request)
            )
            return gettext("Notificació anul·lada.")

        return self._run_action(
            request,
            object_id,
            build=self._annul,
            allowed=lambda n: sending.WORKFLOW.allows(n.state, State.ANNULLED),
            run=run,
            fields=AnnulForm.SERVICE_FIELDS,
        )

    def paper_outcome_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        def run(notification: Notification, data: dict[str, Any]) -> str:
            done = sending.record_paper_outcome(
                notification=notification,
                outcome=data["outcome"],
                at=data["at"],
                details=data["details"],
                acting_user=_acting_user(request),
            )
            return gettext("%(number)s: %(state)s.") % {
                "number": done.exit_entry.number,
                "state": done.get_state_display(),
            }

        return self._run_action(
            request,
            object_id,
            build=self._paper_outcome,
            allowed=lambda n: n.state in PAPER_NEXT,
            run=run,
            fields=PaperOutcomeForm.SERVICE_FIELDS,
        )

    # -- The office's list to post on paper --------------------------------------------------------

    def paper_list_view(self, request: HttpRequest) -> HttpResponse:
        """The paper notifications of the user's organs still to post or posted without an
        outcome, oldest first, with the holder's postal address and a form for the outcome."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        waiting = (
            self.get_queryset(request)
            .filter(channel=Notification.Channel.PAPER, state__in=list(PAPER_NEXT))
            .order_by("created_at", "pk")
        )
        page = Paginator(waiting, PAPER_PAGE_SIZE).get_page(request.GET.get("p"))
        can_change = request.user.has_perm("notificacions.change_notification")
        rows = [
            {
                "notification": notification,
                "address": postal_address(notification),
                "action": self._paper_outcome(notification, return_to=RETURN_TO_LIST)
                if can_change
                else None,
            }
            for notification in page
        ]
        return TemplateResponse(
            request,
            "admin/notificacions/notification/paper_list.html",
            self._context(
                request, title=gettext("Llista per enviar en paper"), rows=rows, page=page
            ),
        )

    # -- Downloads ---------------------------------------------------------------------------------

    def _readable(self, request: HttpRequest, object_id: int) -> Notification:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return self._notification(request, object_id)

    @staticmethod
    def _stem(notification: Notification) -> str:
        number = notification.exit_entry.number
        return number.replace("/", "-") if number else str(notification.public_id)

    def document_view(self, request: HttpRequest, object_id: int, position: int) -> HttpResponse:
        notification = self._readable(request, object_id)
        item = get_object_or_404(
            notification.notification_documents.select_related("document"), position=position
        )
        return responses.private_download(
            request, item.document, f"{self._stem(notification)}-{position + 1}.pdf"
        )

    def evidence_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        notification = self._readable(request, object_id)
        if notification.evidence is None:
            raise Http404
        return responses.private_download(
            request, notification.evidence, f"evidencia-{self._stem(notification)}.pdf"
        )

    def certificate_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        notification = self._readable(request, object_id)
        if notification.certificate is None:
            raise Http404
        return responses.private_download(
            request, notification.certificate, f"certificat-{self._stem(notification)}.pdf"
        )


def postal_address(notification: Notification) -> str:
    """Where to post it: the holder's address in their contact details, or the one given with
    the entry it answers when the holder filed it."""
    address = notification.holder.postal_address.strip()
    entry = notification.related_entry
    if not address and entry is not None and entry.interested_id == notification.holder_id:
        address = entry.contact_postal_address.strip()
    return address
