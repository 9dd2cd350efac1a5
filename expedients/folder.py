"""La meva carpeta > Expedients (art. 27.3-4): the case files a person follows, each with its
state, its deadlines as dates, the public steps of its log and the documents they may see; and
what the person does on one: answer a remedy request (art. 24.3), ask once for five more days
(Law 39/2015 art. 68.2), get the certificate of a silence (Law 39/2015 art. 24.4).

Every route looks the case up through ``services.citizen_cases`` first, so someone else's case
is a 404; a case opened in another session needs the level personal data need (art. 8.2), as
the registry's carpeta does (``registre.selectors.check_may_read``). The pages parse, call one
service and render: the rules are ``expedients.services``'.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from documents import responses
from expedients import downloads, formdef, services
from expedients.folder_forms import RemedyAnswerForm
from expedients.models import (
    Expedient,
    RemedyRequest,
    Resolution,
    SilenceEffect,
)
from notificacions import selectors as notifications
from notificacions import services as notification_services
from registre import attachments
from registre import selectors as registry
from registre import services as registry_services
from registre.inputs import InvalidEntry
from seu import calendar, identity
from seu.errors import SeuError
from seu.identity import current_identification, identification_required, login_url, representation
from seu.models import Representation, RepresentationCheck
from seu.net import request_start

if TYPE_CHECKING:
    from seu.models import Identification

logger = logging.getLogger(__name__)

PAGE_SIZE = 25


def _identification(request: HttpRequest) -> Identification:
    found = current_identification(request)
    assert found is not None  # identification_required ran first
    return found


def _own_case(request: HttpRequest, pk: int) -> Expedient:
    """One of the person's case files, or a 404 (someone else's); one opened in another
    identification at too low a level raises ``InsufficientLevel``, which
    ``identification_required`` explains (art. 8.2)."""
    identification = _identification(request)
    found = get_object_or_404(
        services.citizen_cases(identification).select_related(
            "procedure",
            "organ",
            "version",
            "interested",
            "representative",
            "opening_entry",
            "opening_entry__receipt",
        ),
        pk=pk,
    )
    registry.check_may_read(identification, found.opening_entry)
    return found


def _case_url(case: Expedient) -> str:
    return reverse("expedients:case", args=[case.pk])


def _last_day(value: dt.datetime | dt.date) -> dt.date:
    """The day a deadline falls on (``calendar.last_day`` of an instant; a date is one)."""
    return calendar.last_day(value) if isinstance(value, dt.datetime) else value


@dataclass(frozen=True)
class Deadline:
    label: str
    day: dt.date


def _next_deadline(case: Expedient) -> Deadline | None:
    return _deadline(services.next_deadline(case))


def _deadline(found: tuple[str, dt.datetime | dt.date] | None) -> Deadline | None:
    if found is None:
        return None
    label, value = found
    return Deadline(label=str(label), day=_last_day(value))


def _may_extend(remedy: RemedyRequest | None) -> bool:
    """Whether to offer the five more days (``services.extend_remedy`` decides): a running
    period, not extended yet, not over."""
    return (
        remedy is not None
        and remedy.state == RemedyRequest.State.RUNNING
        and remedy.extended_at is None
        and remedy.due_at is not None
        and calendar.now() < remedy.due_at
    )


# --- The list -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    case: Expedient
    deadline: Deadline | None


@never_cache
@require_GET
@identification_required()
def cases(request: HttpRequest) -> HttpResponse:
    """The person's case files, newest first, with their state and next deadline as a date.
    Below the level personal data need, only those this identification filed (art. 8.2)."""
    identification = _identification(request)
    found = services.citizen_cases(identification)
    history = None
    required = identity.PERSONAL_DATA_LOA
    if not identity.has_level(identification, required):
        found = found.filter(opening_entry__in=registry.readable_entries(identification))
        history = {
            "current": identification.level,
            "required": required,
            "login_url": login_url(reverse("expedients:cases"), required),
        }
    found = found.select_related("procedure", "organ").order_by("-opened_at", "-pk")
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("pagina"))
    cases = list(page.object_list)
    deadlines = services.next_deadlines(cases)
    rows = [Row(case=case, deadline=_deadline(deadlines[case.pk])) for case in cases]
    return render(
        request, "expedients/cases.html", {"page": page, "rows": rows, "history": history}
    )


# --- One case file --------------------------------------------------------------------------------


def _log(case: Expedient) -> list[dict[str, Any]]:
    """The public steps, labelled for the person; a reason is the staff's and is not shown."""
    steps = []
    for step in services.public_log(case):
        label = services.STEP_LABELS.get(step.step) or services.WORKFLOW.label(step.to_state)
        moved = step.from_state != step.to_state and step.from_state
        steps.append(
            {
                "at": step.at,
                "label": str(label),
                "state": services.WORKFLOW.label(step.to_state) if moved else "",
            }
        )
    return steps


@dataclass(frozen=True)
class Acted:
    """Who filed the case for whom (art. 26), as the person reads it: the representative and the
    interested person, how the representation is proved and, for a declared one, the organ's
    check with its reason (shown when proof is asked for or it is refused: 26.2.c)."""

    representative: str
    interested: str
    proof: str
    check: str
    state: str
    reason: str


def _acted(case: Expedient) -> Acted | None:
    if case.representative_id is None:
        return None
    assert case.representative is not None
    kind = Representation(case.representation)
    check = RepresentationCheck(case.representation_check)
    proofs = {
        Representation.POWER: _("Apoderament inscrit al registre d'apoderaments"),
        Representation.CERTIFICATE: _("Certificat de representant"),
        Representation.DECLARED: _("Declarada pel representant en presentar la sol·licitud"),
    }
    states = {
        RepresentationCheck.TO_CHECK: _("Pendent que l'òrgan la comprovi"),
        RepresentationCheck.PROOF_REQUESTED: _("L'òrgan ha demanat que s'acrediti"),
        RepresentationCheck.CHECKED: _("Comprovada per l'òrgan"),
        RepresentationCheck.REFUSED: _("No acreditada"),
    }
    shows_reason = check in (RepresentationCheck.PROOF_REQUESTED, RepresentationCheck.REFUSED)
    return Acted(
        representative=case.representative.display_name,
        interested=case.interested.display_name,
        proof=str(proofs.get(kind, "")),
        check=check.value,
        state=str(states.get(check, "")) if kind == Representation.DECLARED else "",
        reason=case.representation_reason if shows_reason else "",
    )


def _case_context(
    request: HttpRequest, identification: Identification, case: Expedient
) -> dict[str, Any]:
    person, entity = representation.session_parties(identification)
    received = notifications.received(person, entity=entity).filter(case_reference=case.number)
    remedy = services.running_remedy(case)
    remedy_notification = None
    if remedy is not None and remedy.state == RemedyRequest.State.NOTIFYING:
        remedy_notification = received.filter(pk=remedy.notification_id).first()
    resolution = case.resolutions.filter(state=Resolution.State.ISSUED).first()
    resolution_notification = (
        received.filter(pk=resolution.notification_id).first()
        if resolution is not None and resolution.notification_id
        else None
    )
    documents = list(services.citizen_documents(case))
    entries = list(
        case.entries.filter(entry__in=registry.citizen_entries(identification))
        .select_related("entry", "entry__receipt")
        .order_by("added_at", "pk")
    )
    # Art. 32.7: asked from one of the case's notifications (the service needs one).
    paper_notification = received.order_by("-pk").first()
    context: dict[str, Any] = {
        "case": case,
        "acted": _acted(case),
        "answers": formdef.display_answers(
            case.version.form, case.answers, language=request.LANGUAGE_CODE
        ),
        "log": _log(case),
        "documents": documents,
        "entries": entries,
        "deadline": _next_deadline(case),
        "remedy": remedy,
        "remedy_end": _last_day(remedy.due_at) if remedy and remedy.due_at else None,
        "remedy_notification": remedy_notification,
        "answerable": services.answerable_remedy(case),
        "may_extend": _may_extend(remedy),
        "resolution": resolution,
        "resolution_notified": resolution is not None
        and resolution.notification_state in services.PRACTISED_OR_DEEMED,
        "resolution_document": next(
            (
                item
                for item in documents
                if resolution is not None and item.document_id == resolution.document_id
            ),
            None,
        ),
        "resolution_notification": resolution_notification,
        "silence": case.silence_at is not None
        and case.silence_effect != SilenceEffect.NOT_APPLICABLE,
        "paper_notification": paper_notification
        if paper_notification is not None
        and notification_services.may_ask_paper_for_case(person, case.number)
        else None,
        "asked_paper": notification_services.asked_paper_for_case(person, case.number),
    }
    if request.GET.get("presentat") == "1":
        context["filed"] = {
            "entry": case.opening_entry,
            "notice": services.deadline_notice(
                case.procedure, case.base_deadline, case.effective_at
            ),
        }
    answered = request.GET.get("esmena", "")
    if answered.isdigit():
        context["answered"] = next(
            (link.entry for link in entries if link.entry_id == int(answered)), None
        )
    return context


@never_cache
@require_GET
@identification_required()
def case(request: HttpRequest, pk: int) -> HttpResponse:
    """A case file as the person follows it (art. 22.1, 27.3); with ``?presentat=1`` right after
    filing, the registry number, the receipt and the art. 21.4 information first."""
    identification = _identification(request)
    found = _own_case(request, pk)
    return render(request, "expedients/case.html", _case_context(request, identification, found))


# --- Documents ------------------------------------------------------------------------------------


def _stem(case: Expedient) -> str:
    return case.number.replace("/", "-")


@never_cache
@require_GET
@identification_required()
def case_document(request: HttpRequest, pk: int, position: int) -> HttpResponse:
    """A document of the case the person may see: a sealed one checked against what was sealed
    (the integrity page otherwise), or their own file checked against its SHA-256."""
    found = _own_case(request, pk)
    item = get_object_or_404(services.citizen_documents(found), position=position)
    return downloads.case_document(request, item, back_url=_case_url(found))


# --- Remedy ---------------------------------------------------------------------------------------


def _limits() -> dict[str, Any]:
    limits = attachments.Limits.from_settings()
    return {
        "max_files": limits.max_files,
        "max_file_size": filesizeformat(limits.max_file_bytes),
        "max_entry_size": filesizeformat(limits.max_entry_bytes),
        "allowed_formats": attachments.ALLOWED_FORMATS,
        "accept": attachments.ACCEPT_ATTRIBUTE,
    }


def _registry_closed() -> str:
    try:
        registry_services.check_registry_open(at=calendar.now())
    except registry_services.RegistryInterrupted as exc:
        return str(exc.message)
    return ""


def _render_answer(
    request: HttpRequest,
    case: Expedient,
    remedy: RemedyRequest,
    form: RemedyAnswerForm,
    *,
    file_errors: list[str] | None = None,
    failure: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "case": case,
        "remedy": remedy,
        "remedy_end": _last_day(remedy.due_at) if remedy.due_at else None,
        "form": form,
        "file_errors": file_errors or [],
        "failure": failure,
        "closed": _registry_closed() if not failure else "",
        **_limits(),
    }
    return render(request, "expedients/answer_remedy.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@identification_required()
def answer_remedy(request: HttpRequest, pk: int) -> HttpResponse:
    """The answer to a remedy request, through the registry (art. 24.3): an entry of the case
    with its files. A refusal shows the form again with what was typed."""
    presented_at = request_start(request)  # art. 33.i: when the transmission began
    identification = _identification(request)
    found = _own_case(request, pk)
    remedy = services.answerable_remedy(found)
    if remedy is None:
        messages.info(request, _("Aquest expedient no té cap requeriment d'esmena per respondre."))
        return HttpResponseRedirect(_case_url(found))
    if request.method == "GET":
        return _render_answer(request, found, remedy, RemedyAnswerForm())
    form = RemedyAnswerForm(request.POST)
    if not form.is_valid():
        return _render_answer(request, found, remedy, form, status=400)
    attached, refused = attachments.accept_uploads(request.FILES.getlist("attachments"))
    if refused:
        file_errors = [str(refusal.message) for refusal in refused]
        return _render_answer(request, found, remedy, form, file_errors=file_errors, status=400)
    try:
        entry = services.answer_remedy(
            case=found,
            identification=identification,
            text=form.cleaned_data["text"],
            attached=attached,
            presented_at=presented_at,
            language=request.LANGUAGE_CODE,
        )
    except services.InvalidCase as invalid:
        for message in invalid.errors.get("text", []) or [str(invalid.message)]:
            form.add_error("text", message)
        return _render_answer(request, found, remedy, form, status=400)
    except InvalidEntry as invalid:
        for key, problems in invalid.errors.items():
            for message in problems:
                form.add_error("text" if key == "exposition" else None, message)
        return _render_answer(request, found, remedy, form, status=400)
    except registry_services.RegistryInterrupted as exc:
        return _render_answer(request, found, remedy, form, failure=str(exc.message), status=503)
    except SeuError as refused_answer:
        messages.error(request, str(refused_answer))
        return HttpResponseRedirect(_case_url(found))
    except Exception:
        # Whatever failed, the transaction rolled back: no number, no receipt (art. 33.f).
        logger.exception("remedy answer failed; nothing was registered")
        failure = _(
            "No s'ha pogut completar la presentació i NO s'ha registrat res: no hi ha número de "
            "registre ni rebut. Tornau-ho a provar d'aquí a una estona o presentau-la per altres "
            "mitjans."
        )
        return _render_answer(request, found, remedy, form, failure=failure, status=503)
    return HttpResponseRedirect(f"{_case_url(found)}?esmena={entry.pk}")


def _render_extend(
    request: HttpRequest,
    case: Expedient,
    remedy: RemedyRequest | None,
    *,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    may_extend = _may_extend(remedy)
    new_end = None
    if may_extend and remedy is not None and remedy.notified_at is not None:
        new_end = services.remedy_due_at(
            remedy.notified_at, services.REMEDY_DAYS + services.REMEDY_EXTENSION_DAYS
        )
    context = {
        "case": case,
        "remedy": remedy,
        "may_extend": may_extend,
        "remedy_end": _last_day(remedy.due_at) if remedy and remedy.due_at else None,
        "new_end": _last_day(new_end) if new_end else None,
        "extension_days": services.REMEDY_EXTENSION_DAYS,
        "error": error,
    }
    return render(request, "expedients/extend_remedy.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@identification_required()
def extend_remedy(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks to confirm; POST asks for the five more days (Law 39/2015 art. 68.2), once,
    before the period ends; a refusal is shown on the same page."""
    identification = _identification(request)
    found = _own_case(request, pk)
    if request.method == "GET":
        return _render_extend(request, found, services.running_remedy(found))
    try:
        remedy = services.extend_remedy(case=found, identification=identification)
    except SeuError as refused:
        return _render_extend(
            request, found, services.running_remedy(found), error=str(refused), status=400
        )
    assert remedy.due_at is not None
    messages.success(
        request,
        _("S'ha ampliat el termini per esmenar. L'últim dia és %(day)s.")
        % {"day": calendar.format_date(_last_day(remedy.due_at))},
    )
    return HttpResponseRedirect(_case_url(found))


# --- Silence --------------------------------------------------------------------------------------


@never_cache
@require_POST
@identification_required()
def silence_certificate(request: HttpRequest, pk: int) -> HttpResponse:
    """The sealed certificate of the silence produced (Law 39/2015 art. 24.4), issued the first
    time and handed out again after; refused, with the reason, where there was none."""
    found = _own_case(request, pk)
    try:
        document = services.silence_certificate(case=found)
    except SeuError as refused:
        messages.error(request, str(refused))
        return HttpResponseRedirect(_case_url(found))
    return responses.private_download(request, document, f"certificat-silenci-{_stem(found)}.pdf")
