"""The staff pages of case files, as admin views (POST, CSRF), each guarded by a Django model
permission: ``view_expedient`` to read the queue, a case's page and its documents,
``change_expedient`` for the actions on a case, ``add_expedient`` to open one from a registry
entry. Every lookup goes through ``services.staff_cases`` (the organs the user works for) before
the permission is checked, so another organ's case file is a 404 on every URL, never a 403.

The queue (art. 27.1) and the case's page are custom views, not Django's change list and change
form: the queue reads one page of rows in one query and never counts the table. Each action
parses its form, calls one service, and shows its refusal on the form with what was typed kept;
an action that takes a case out of the organ's order asks for the reason once the service says so
(``services.OutOfOrder``). Only the head of the organ resolves: anybody else posting gets the
service's refusal, a 404."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.contrib import admin, messages
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from expedients import downloads, formdef, services
from expedients.backoffice import queue
from expedients.backoffice.entries import openable_entries
from expedients.backoffice.forms import (
    AddEntryForm,
    BackOfficeForm,
    CloseForm,
    DraftForm,
    OpenCaseForm,
    OrderedActionForm,
    QueueFilterForm,
    RemedyForm,
    RepresentationCheckForm,
    ResolveForm,
    StartForm,
)
from expedients.models import Expedient, ExpedientDocument, RemedyRequest, Resolution, State
from notificacions import sending
from registre import selectors as registry
from seu import calendar, staff
from seu.errors import NotFound, SeuError
from seu.identity import representation
from seu.identity.representation import Representation, RepresentationCheck

PREFIX = "expedients_expedient"
RESOLUTION_TEXTS = "admin/expedients/expedient/resolution_texts/{kind}.txt"


def _acting_user(request: HttpRequest) -> AbstractBaseUser:
    return cast(AbstractBaseUser, request.user)


def _require(request: HttpRequest, action: str) -> None:
    """A Django model permission on case files, or 403 (after the organ's scope: see above)."""
    if not request.user.has_perm(f"expedients.{action}_expedient"):
        raise PermissionDenied


def case_url(case: Expedient) -> str:
    return reverse(f"admin:{PREFIX}_change", args=[case.pk])


def _case_link() -> Callable[[int], str]:
    """``case_url`` by a case's id, for many rows: one ``reverse`` for them all."""
    marker = 2_147_483_647  # no case has this id; it only marks where the id goes
    prefix, suffix = reverse(f"admin:{PREFIX}_change", args=[marker]).split(str(marker))
    return lambda pk: f"{prefix}{pk}{suffix}"


def resolution_template_text(case: Expedient, kind: str) -> str:
    """The text a resolution of ``kind`` starts from, with the case's data (the clerk edits it)."""
    return render_to_string(
        RESOLUTION_TEXTS.format(kind=kind),
        {
            "case": case,
            "procedure": case.procedure.name,
            "person": case.interested.display_name,
            "entry": case.opening_entry.number,
        },
    ).strip()


def resolution_kinds(case: Expedient) -> tuple[str, ...]:
    return tuple(services.RESOLUTION_KINDS_BY_STATE.get(State(case.state), ()))


@dataclass(frozen=True)
class Action:
    """One action on a case: its form, when it is offered, and the service it calls."""

    name: str
    title: Promise
    submit: Promise
    notice: Promise | str
    build: Callable[[Expedient, HttpRequest, Any], BackOfficeForm]
    offered: Callable[[Expedient, HttpRequest, dict[str, Any]], bool]
    run: Callable[[Expedient, HttpRequest, BackOfficeForm], str]
    fields: dict[str, str]
    # Why it is not offered now, when the action can say better than "not in this state".
    unavailable: Callable[[Expedient], str] | None = None


# --- The actions ------------------------------------------------------------------------------


def _build_start(case: Expedient, request: HttpRequest, data: Any) -> BackOfficeForm:
    return StartForm(data, prefix="start", ask_reason=StartForm.asks_reason(data, "start"))


def _run_start(case: Expedient, request: HttpRequest, form: BackOfficeForm) -> str:
    assert isinstance(form, OrderedActionForm)
    services.start_processing(case=case, acting_user=_acting_user(request), reason=form.reason())
    return gettext("L'expedient %(number)s és en tramitació.") % {"number": case.number}


def _build_remedy(case: Expedient, request: HttpRequest, data: Any) -> BackOfficeForm:
    return RemedyForm(data, prefix="remedy", ask_reason=RemedyForm.asks_reason(data, "remedy"))


def _run_remedy(case: Expedient, request: HttpRequest, form: BackOfficeForm) -> str:
    assert isinstance(form, RemedyForm)
    services.request_remedy(
        case=case,
        text=form.cleaned_data["text"],
        acting_user=_acting_user(request),
        reason=form.reason(),
    )
    return gettext(
        "Requeriment d'esmena enviat a la persona interessada: el termini de deu dies hàbils "
        "començarà quan s'hi accedeixi o es consideri rebutjada la notificació."
    )


def _build_draft(case: Expedient, request: HttpRequest, data: Any) -> BackOfficeForm:
    kinds = resolution_kinds(case)
    initial: dict[str, Any] = {}
    asked = request.GET.get("sentit", "")
    draft = _draft_of(case)
    if asked in kinds:
        initial = {"kind": asked, "text": resolution_template_text(case, asked)}
    elif draft is not None and draft.kind in kinds:
        initial = {"kind": draft.kind, "text": draft.text}
    elif kinds:
        initial = {"kind": kinds[0], "text": resolution_template_text(case, kinds[0])}
    return DraftForm(data, prefix="draft", kinds=kinds, initial=initial)


def _run_draft(case: Expedient, request: HttpRequest, form: BackOfficeForm) -> str:
    services.draft_resolution(
        case=case,
        kind=form.cleaned_data["kind"],
        text=form.cleaned_data["text"],
        acting_user=_acting_user(request),
    )
    return gettext("Proposta de resolució desada: la pot resoldre el responsable de l'òrgan.")


def _draft_of(case: Expedient) -> Resolution | None:
    found = getattr(case, "_backoffice_resolutions", None)
    if found is None:
        found = list(case.resolutions.all())
    return next((r for r in found if r.state == Resolution.State.DRAFT), None)


def _build_resolve(case: Expedient, request: HttpRequest, data: Any) -> BackOfficeForm:
    kinds = () if _draft_of(case) is not None else resolution_kinds(case)
    initial = {"kind": kinds[0], "text": resolution_template_text(case, kinds[0])} if kinds else {}
    return ResolveForm(data, prefix="resolve", kinds=kinds, initial=initial)


def _run_resolve(case: Expedient, request: HttpRequest, form: BackOfficeForm) -> str:
    resolution = services.resolve(
        case=case,
        acting_user=_acting_user(request),
        kind=form.cleaned_data.get("kind"),
        text=form.cleaned_data.get("text"),
    )
    return gettext(
        "Resolució dictada, segellada i notificada a la persona interessada (%(kind)s)."
    ) % {"kind": resolution.get_kind_display()}


def _build_add_entry(case: Expedient, request: HttpRequest, data: Any) -> BackOfficeForm:
    return AddEntryForm(data, prefix="entry")


def _run_add_entry(case: Expedient, request: HttpRequest, form: BackOfficeForm) -> str:
    number = form.cleaned_data["number"]
    entry = registry.organ_entry(case.organ, number)
    if entry is None:
        raise services.InvalidCase(
            {
                "number": [
                    gettext("L'òrgan de l'expedient no té cap assentament amb el número %(n)s.")
                    % {"n": number}
                ]
            }
        )
    services.add_entry(case=case, entry=entry, acting_user=_acting_user(request))
    return gettext("Assentament %(number)s afegit a l'expedient.") % {"number": entry.number}


def _build_close(case: Expedient, request: HttpRequest, data: Any) -> BackOfficeForm:
    return CloseForm(data, prefix="close")


def _run_close(case: Expedient, request: HttpRequest, form: BackOfficeForm) -> str:
    services.close(case=case, acting_user=_acting_user(request))
    return gettext("Expedient %(number)s tancat.") % {"number": case.number}


def _pending_checks(case: Expedient) -> tuple[str, ...]:
    """The decisions a declared representation still allows (``representation.CHECK_MOVES``):
    none once checked or refused, nor for a power or a certificate, which need no check."""
    if case.representation != Representation.DECLARED:
        return ()
    moves = representation.CHECK_MOVES.get(RepresentationCheck(case.representation_check), set())
    return tuple(str(move) for move in moves)


def _build_representation(case: Expedient, request: HttpRequest, data: Any) -> BackOfficeForm:
    return RepresentationCheckForm(data, prefix="representation", decisions=_pending_checks(case))


def _run_representation(case: Expedient, request: HttpRequest, form: BackOfficeForm) -> str:
    checked = services.check_representation(
        case=case,
        decision=form.cleaned_data["decision"],
        reason=form.cleaned_data["reason"],
        acting_user=_acting_user(request),
    )
    done = {
        RepresentationCheck.CHECKED: gettext(
            "Representació comprovada: el representant rebrà les notificacions de l'expedient "
            "amb la persona interessada."
        ),
        RepresentationCheck.PROOF_REQUESTED: gettext(
            "S'ha demanat que s'acrediti la representació: la persona interessada i el "
            "representant en veuen el motiu a la seva carpeta."
        ),
        RepresentationCheck.REFUSED: gettext(
            "Representació no acreditada: el representant ja no veu l'expedient; la persona "
            "interessada en veu el motiu."
        ),
    }
    return done[RepresentationCheck(checked.representation_check)]


def _representation_decided(case: Expedient) -> str:
    if case.representation != Representation.DECLARED:
        return gettext("Aquesta representació no és declarada: no cal comprovar-la.")
    return gettext(
        "La representació ja està decidida («%(state)s»): no es pot tornar a decidir."
    ) % {"state": CHECK_TEXTS.get(RepresentationCheck(case.representation_check), "")}


def _unresolved(case: Expedient, facts: dict[str, Any]) -> bool:
    resolutions = facts.get("resolutions")
    if resolutions is None:
        resolutions = list(case.resolutions.all())
    issued = any(r.state == Resolution.State.ISSUED for r in resolutions)
    return not issued and bool(resolution_kinds(case))


def _heads(request: HttpRequest, case: Expedient, facts: dict[str, Any]) -> bool:
    if "heads" not in facts:
        facts["heads"] = staff.heads(request.user, case.organ)
    return bool(facts["heads"])


def _may_close(case: Expedient) -> bool:
    return services.WORKFLOW.allows(case.state, State.CLOSED)


# How the back-office names the organ's check of a declared representation (art. 26.2.c).
CHECK_TEXTS = {
    RepresentationCheck.TO_CHECK: _("Declarada, per comprovar"),
    RepresentationCheck.PROOF_REQUESTED: _("S'ha demanat que s'acrediti"),
    RepresentationCheck.CHECKED: _("Comprovada"),
    RepresentationCheck.REFUSED: _("No acreditada"),
}

ACTIONS: dict[str, Action] = {
    action.name: action
    for action in [
        Action(
            name="start",
            title=_("Iniciar la tramitació"),
            submit=_("Iniciar la tramitació"),
            notice=_(
                "Els expedients de l'òrgan es tramiten per l'ordre en què varen entrar (art. 27.1 "
                "de l'ordenança): si n'hi ha d'anteriors que esperen, se us demanarà el motiu."
            ),
            build=_build_start,
            offered=lambda case, request, facts: case.state in (State.OPENED, State.REMEDIED),
            run=_run_start,
            fields={"reason": "reason"},
        ),
        Action(
            name="remedy",
            title=_("Requerir esmena"),
            submit=_("Enviar el requeriment"),
            notice=_(
                "Es genera un requeriment segellat i es notifica a la persona interessada; si no "
                "l'atén en deu dies hàbils, se la tendrà per desistida (art. 24.3)."
            ),
            build=_build_remedy,
            offered=lambda case, request, facts: services.WORKFLOW.allows(
                case.state, State.REMEDY_REQUESTED
            ),
            run=_run_remedy,
            fields={"text": "text", "reason": "reason"},
        ),
        Action(
            name="representation",
            title=_("Comprovar la representació"),
            submit=_("Desar la decisió"),
            notice=_(
                "El representant va declarar que actua en nom de la persona interessada sense "
                "cap apoderament inscrit (art. 26.2.c de l'ordenança). Comprovada, rebrà les "
                "notificacions de l'expedient amb la persona; si no s'acredita, deixarà de veure "
                "l'expedient. La decisió i el motiu queden al registre d'actuacions."
            ),
            build=_build_representation,
            offered=lambda case, request, facts: bool(_pending_checks(case)),
            run=_run_representation,
            fields={"reason": "reason", "decision": "decision"},
            unavailable=_representation_decided,
        ),
        Action(
            name="draft",
            title=_("Preparar resolució"),
            submit=_("Desar la proposta"),
            notice=_(
                "La proposta parteix d'un model per a cada sentit; la resol el responsable de "
                "l'òrgan (art. 31.1)."
            ),
            build=_build_draft,
            offered=lambda case, request, facts: _unresolved(case, facts),
            run=_run_draft,
            fields={"kind": "kind", "text": "text"},
        ),
        Action(
            name="resolve",
            title=_("Resoldre i notificar"),
            submit=_("Resoldre i notificar"),
            notice=_(
                "La resolució us nomena amb el vostre càrrec, es segella amb el segell de "
                "l'Ajuntament i es notifica a la persona interessada."
            ),
            build=_build_resolve,
            offered=lambda case, request, facts: (
                _unresolved(case, facts) and _heads(request, case, facts)
            ),
            run=_run_resolve,
            fields={"kind": "kind", "text": "text"},
        ),
        Action(
            name="entry",
            title=_("Afegir un assentament"),
            submit=_("Afegir l'assentament"),
            notice=_(
                "Un assentament posterior de l'òrgan (una aportació, un escrit) passa a formar "
                "part de l'expedient amb els seus documents."
            ),
            build=_build_add_entry,
            offered=lambda case, request, facts: case.state != State.CLOSED,
            run=_run_add_entry,
            fields={"number": "number"},
        ),
        Action(
            name="close",
            title=_("Tancar"),
            submit=_("Tancar l'expedient"),
            notice=_("Un expedient tancat ja no admet cap actuació."),
            build=_build_close,
            offered=lambda case, request, facts: _may_close(case),
            run=_run_close,
            fields={},
        ),
    ]
}
ACTION_PATHS = {
    "start": "iniciar",
    "remedy": "requeriment",
    "representation": "representacio",
    "draft": "proposta",
    "resolve": "resoldre",
    "entry": "assentament",
    "close": "tancar",
}


def representation_shown(case: Expedient, request: HttpRequest) -> dict[str, Any] | None:
    """How the representative acts for the interested person (art. 26.2), for the case's page:
    the kind, the power in the register of powers (a link for who may read the register) with
    its end, and the organ's check of a declared one with its reason. None: on their own
    behalf."""
    if case.representative_id is None:
        return None
    kind = Representation(case.representation)
    shown: dict[str, Any] = {
        "kind": kind.label if kind != Representation.NONE else "",
        "declared": kind == Representation.DECLARED,
        "check": case.representation_check,
        "check_text": CHECK_TEXTS.get(RepresentationCheck(case.representation_check), ""),
        "reason": case.representation_reason,
        "power": None,
    }
    if kind == Representation.DECLARED:
        shown["kind"] = gettext("declarada")
    power = case.power if case.power_id is not None else None
    if power is not None:
        shown["power"] = {
            "url": reverse("admin:seu_power_change", args=[power.pk])
            if request.user.has_perm("seu.view_power")
            else "",
            "scope": power.get_scope_display(),
            "state": power.get_state_display(),
            "ends_on": calendar.format_date(calendar.last_day(power.ends_at)),
        }
    return shown


# --- The pages ----------------------------------------------------------------------------------


class ExpedientBackOffice(admin.ModelAdmin[Expedient]):
    """The staff pages of case files; ``expedients.admin.ExpedientAdmin`` registers this."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a case file opens with its entry (the filing, or "Obrir expedient")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a case file is a record (art. 22): it is closed, never deleted

    def get_queryset(self, request: HttpRequest) -> QuerySet[Expedient]:
        return cast(QuerySet[Expedient], services.staff_cases(cast(AbstractBaseUser, request.user)))

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> Expedient | None:
        # Django redirects to the index with a message for an object outside the queryset,
        # which tells that it exists: answer as for one that does not.
        case = super().get_object(request, object_id, from_field)
        if case is None:
            raise Http404
        return case

    def _case(self, request: HttpRequest, object_id: Any) -> Expedient:
        """The case, looked up among the user's organs' (404 otherwise), then the permission."""
        try:
            pk = int(object_id)
        except (TypeError, ValueError):
            raise Http404 from None
        # The rows every page of a case shows, joined; the entry and the representative are read
        # when used. Each join more makes PostgreSQL weigh more join orders: with all six, planning
        # the statement took 1.7 ms of its 1.9 (issue 15's benchmark), two reads by key far less.
        return get_object_or_404(
            self.get_queryset(request).select_related(
                "procedure", "version", "organ", "interested"
            ),
            pk=pk,
        )

    def get_urls(self) -> list[URLPattern]:
        def view(function: Any) -> Any:
            return self.admin_site.admin_view(function)

        def action(name: str) -> Any:
            def run(request: HttpRequest, object_id: int) -> HttpResponse:
                return self.action_view(request, object_id, name)

            return view(run)

        return [
            path("obrir/", view(self.open_view), name=f"{PREFIX}_open"),
            *[
                path(f"<int:object_id>/{slug}/", action(name), name=f"{PREFIX}_{name}")
                for name, slug in ACTION_PATHS.items()
            ],
            path(
                "<int:object_id>/documents/<int:position>/",
                view(self.document_view),
                name=f"{PREFIX}_document",
            ),
            *super().get_urls(),
        ]

    def _context(self, request: HttpRequest, **extra: Any) -> dict[str, Any]:
        return {**self.admin_site.each_context(request), "opts": self.model._meta, **extra}

    # -- The queue (art. 27.1) ---------------------------------------------------------------------

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> TemplateResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = QueueFilterForm(request.GET or None, user=request.user)
        if form.is_bound:
            form.is_valid()
        page = queue.queue_page(request.user, form, request.GET.get("p"))
        kept: dict[str, str | int] = {
            key: str(value) for key, value in request.GET.items() if key != "p" and value
        }
        return TemplateResponse(
            request,
            "admin/expedients/expedient/queue.html",
            self._context(
                request,
                title=gettext("Cua d'expedients"),
                form=form,
                page=page,
                rows=queue.shown_rows(page, link=_case_link()),
                previous_url="?" + urlencode({**kept, "p": page.number - 1}),
                next_url="?" + urlencode({**kept, "p": page.number + 1}),
                filtered=bool(kept),
            ),
        )

    # -- The case's page ---------------------------------------------------------------------------

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        case = self._case(request, object_id)
        _require(request, "view")
        return TemplateResponse(
            request,
            "admin/expedients/expedient/case.html",
            self._context(request, **self.case_context(request, case)),
        )

    def case_context(self, request: HttpRequest, case: Expedient) -> dict[str, Any]:
        resolutions = list(case.resolutions.select_related("resolved_by").order_by("drafted_at"))
        case._backoffice_resolutions = resolutions  # type: ignore[attr-defined]
        documents = list(case.documents.select_related("document").order_by("position"))
        by_document = {item.document_id: item.position for item in documents if item.document_id}
        entries = list(case.entries.select_related("entry").order_by("added_at", "pk"))
        for link in entries:  # the opening entry is among them: not read again for the texts
            if link.entry_id == case.opening_entry_id:
                case.opening_entry = link.entry
        facts: dict[str, Any] = {"resolutions": resolutions}
        actions = []
        if request.user.has_perm("expedients.change_expedient"):
            actions = [
                self._action_context(case, request, action, None)
                for action in ACTIONS.values()
                if action.offered(case, request, facts)
            ]
        language = translation.get_language() or "ca"
        return {
            "title": gettext("Expedient %(number)s") % {"number": case.number},
            "case": case,
            "representation": representation_shown(case, request),
            "answers": formdef.display_answers(case.version.form, case.answers, language=language),
            "entries": entries,
            "documents": documents,
            "log": [
                {
                    "row": row,
                    "label": services.STEP_LABELS.get(row.step, "")
                    or services.WORKFLOW.label(row.to_state),
                    "state": services.WORKFLOW.label(row.to_state)
                    if row.to_state != row.from_state
                    else "",
                }
                for row in case.transitions.select_related("actor", "organ").order_by("at", "pk")
            ],
            "remedies": case.remedies.order_by("requested_at", "pk"),
            "running_states": (RemedyRequest.State.NOTIFYING, RemedyRequest.State.RUNNING),
            "resolutions": [
                {
                    "resolution": r,
                    "position": by_document.get(r.document_id) if r.document_id else None,
                    "outcome": sending.WORKFLOW.label(r.notification_state)
                    if r.notification_state
                    else "",
                }
                for r in resolutions
            ],
            "actions": actions,
        }

    def _action_context(
        self, case: Expedient, request: HttpRequest, action: Action, data: Any
    ) -> dict[str, Any]:
        return {
            "name": action.name,
            "title": action.title,
            "submit": action.submit,
            "notice": action.notice,
            "form": action.build(case, request, data),
            "url": reverse(f"admin:{PREFIX}_{action.name}", args=[case.pk]),
            "kinds": [
                (kind, label)
                for kind, label in Resolution.Kind.choices
                if kind in resolution_kinds(case)
            ]
            if action.name == "draft"
            else [],
        }

    # -- Actions on one case -----------------------------------------------------------------------

    def action_view(self, request: HttpRequest, object_id: int, name: str) -> HttpResponse:
        case = self._case(request, object_id)
        _require(request, "change")
        action = ACTIONS[name]
        # Whether the state allows it; who may resolve is the service's to say (a 404).
        if not action.offered(case, request, {"heads": True}):
            messages.error(
                request,
                action.unavailable(case)
                if action.unavailable is not None
                else gettext("Aquesta actuació no és possible en l'estat actual de l'expedient."),
            )
            return HttpResponseRedirect(case_url(case))
        context = self._action_context(
            case, request, action, request.POST if request.method == "POST" else None
        )
        form = context["form"]
        if request.method == "POST" and form.is_valid():
            try:
                message = action.run(case, request, form)
            except services.OutOfOrder as refusal:
                assert isinstance(form, OrderedActionForm)
                form.out_of_order(str(refusal.message))
            except services.InvalidCase as refusal:
                form.show_refusal(refusal.errors, action.fields)
            except NotFound:
                raise Http404 from None
            except SeuError as refusal:
                form.add_error(None, str(refusal.message))
            else:
                messages.success(request, message)
                return HttpResponseRedirect(case_url(case))
        return TemplateResponse(
            request,
            "admin/expedients/expedient/action.html",
            self._context(
                request,
                title=f"{action.title}: {case.number}",
                action=context,
                case=case,
                draft=_draft_of(case) if name == "resolve" else None,
                cancel_url=case_url(case),
            ),
        )

    # -- Opening a case file from a registry entry (art. 22.1) ------------------------------------

    def open_view(self, request: HttpRequest) -> HttpResponse:
        entry_id = request.GET.get("entry", "")
        if not entry_id.isdigit():
            raise Http404
        entry = get_object_or_404(openable_entries(request.user), pk=int(entry_id))
        _require(request, "add")
        form = OpenCaseForm(request.POST or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            try:
                case = services.open_case_from_entry(
                    entry=entry,
                    procedure=form.cleaned_data["procedure"],
                    acting_user=_acting_user(request),
                )
            except NotFound:
                raise Http404 from None
            except SeuError as refusal:
                form.add_error(None, str(refusal.message))
            else:
                messages.success(
                    request,
                    gettext("Expedient %(number)s obert amb l'assentament %(entry)s.")
                    % {"number": case.number, "entry": entry.number},
                )
                return HttpResponseRedirect(case_url(case))
        return TemplateResponse(
            request,
            "admin/expedients/expedient/open.html",
            self._context(
                request,
                title=gettext("Obrir un expedient de l'assentament %(number)s")
                % {"number": entry.number},
                form=form,
                entry=entry,
                cancel_url=reverse("admin:registre_registryentry_change", args=[entry.pk]),
            ),
        )

    # -- Downloads ---------------------------------------------------------------------------------

    def document_view(
        self, request: HttpRequest, object_id: int, position: int
    ) -> HttpResponseBase:
        case = self._case(request, object_id)
        _require(request, "view")
        item: ExpedientDocument = get_object_or_404(
            case.documents.select_related("document", "blob"), position=position
        )
        # Checked on its bytes, always as an attachment (files people sent are never rendered).
        return downloads.case_document(
            request, item, back_url=reverse("admin:expedients_expedient_change", args=[case.pk])
        )
