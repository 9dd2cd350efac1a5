"""The electronic registry for citizens (art. 33) and "La meva carpeta".

Filing is form -> review -> confirm -> receipt, with no JavaScript. What the person typed and the
files already checked live in a ``FilingDraft`` until the confirmation consumes it, in the same
transaction that registers the entry: a failure keeps everything for another try, and a second
confirmation of the same draft shows the receipt of the first instead of registering again.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from documents import responses
from documents import services as documents
from documents.services import verification_url
from registre import attachments, hooks, selectors, services
from registre import receipt as receipt_texts
from registre.forms import FilingForm
from registre.models import FilingDraft, RegistryEntry
from seu import calendar, identity
from seu.errors import NotFound
from seu.identity import current_identification, identification_required, login_url, representation
from seu.identity.behalf import BehalfForm, check_acting, describe
from seu.models import Identification, LoA
from seu.net import request_start

logger = logging.getLogger(__name__)

DRAFT_SESSION_KEY = "registre_draft"
PAGE_SIZE = 25


def _identification(request: HttpRequest) -> Identification:
    found = current_identification(request)
    assert found is not None  # identification_required ran first
    return found


def _own_entry(request: HttpRequest, pk: int, **filters: Any) -> RegistryEntry:
    """One of the person's entries, or a 404 (someone else's); an earlier one at too low a level
    raises ``InsufficientLevel``, which ``identification_required`` explains (art. 8.2)."""
    identification = _identification(request)
    entries = selectors.citizen_entries(identification).select_related("organ", "receipt")
    entry = get_object_or_404(entries.filter(**filters), pk=pk)
    selectors.check_may_read(identification, entry)
    return entry


def _open_draft(request: HttpRequest, identification: Identification) -> FilingDraft | None:
    public_id = request.session.get(DRAFT_SESSION_KEY)
    if not public_id:
        return None
    return services.open_draft(identification=identification, public_id=public_id)


def _registry_closed() -> str | None:
    """Why the registry cannot take a submission right now (art. 33.d), or None."""
    try:
        services.check_registry_open(at=calendar.now())
    except services.RegistryInterrupted as exc:
        return str(exc.message)
    return None


def _interrupted(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "registre/interrupted.html", {"message": message}, status=503)


def _limits() -> dict[str, Any]:
    limits = attachments.Limits.from_settings()
    return {
        "max_files": limits.max_files,
        "max_file_size": filesizeformat(limits.max_file_bytes),
        "max_entry_size": filesizeformat(limits.max_entry_bytes),
        "allowed_formats": attachments.ALLOWED_FORMATS,
        "accept": attachments.ACCEPT_ATTRIBUTE,
    }


def _behalf_form(
    identification: Identification,
    data: Mapping[str, Any] | None = None,
    *,
    initial: Mapping[str, Any] | None = None,
) -> BehalfForm:
    """On whose behalf (``seu.identity.behalf``): a generic request is no procedure's, so only a
    general power reaches it."""
    return BehalfForm(data, identification=identification, initial=initial)


def _render_form(
    request: HttpRequest,
    form: FilingForm,
    behalf: BehalfForm,
    attached: list[dict[str, Any]],
    file_errors: list[str],
    *,
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form,
        "behalf": behalf,
        "attached": attached,
        "file_errors": file_errors,
        "organs": form.fields["organ"].queryset,  # type: ignore[attr-defined]
        **_limits(),
    }
    return render(request, "registre/file.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@identification_required()
def file_request(request: HttpRequest) -> HttpResponse:
    """The generic request form. What the person typed and the files accepted are kept in the
    draft even when something is refused, so they only fix what the message names."""
    identification = _identification(request)
    closed = _registry_closed()
    if closed:
        return _interrupted(request, closed)
    draft = _open_draft(request, identification)
    attached: list[dict[str, Any]] = list(draft.attachments) if draft else []
    if request.method == "GET":
        # The contact details the person keeps in "Les meves dades", offered for this request.
        person = identification.person
        initial: dict[str, Any] = {
            "contact_email": person.email,
            "contact_phone": person.phone,
            "contact_postal_address": person.postal_address,
        }
        behalf_initial: dict[str, Any] = {}
        if draft is not None:
            initial = _draft_initial(draft)
            behalf_initial = BehalfForm.initial_from_draft(draft)
        behalf = _behalf_form(identification, initial=behalf_initial)
        return _render_form(request, FilingForm(initial=initial), behalf, attached, [])

    form = FilingForm(request.POST)
    behalf = _behalf_form(identification, request.POST)
    valid = form.is_valid()
    valid = behalf.is_valid() and valid
    draft, refused = services.save_draft(
        identification=identification,
        draft=draft,
        organ=form.cleaned_data.get("organ"),
        subject=form.typed("subject"),
        exposition=form.typed("exposition"),
        request=form.typed("request"),
        uploads=request.FILES.getlist("attachments"),
        remove=request.POST.getlist("remove"),
        contact=form.cleaned_data.get("contact") or form.typed_contact(),
        behalf=behalf.typed_behalf(),
    )
    request.session[DRAFT_SESSION_KEY] = str(draft.public_id)
    if valid and not refused:
        return redirect("registre:review")
    file_errors = [str(refusal.message) for refusal in refused]
    return _render_form(request, form, behalf, list(draft.attachments), file_errors, status=400)


def _draft_initial(draft: FilingDraft) -> dict[str, Any]:
    return {
        "organ": draft.organ_id,
        "subject": draft.subject,
        "exposition": draft.exposition,
        "request": draft.request,
        "contact_email": draft.contact_email,
        "contact_phone": draft.contact_phone,
        "contact_postal_address": draft.contact_postal_address,
    }


def _refused_behalf(
    request: HttpRequest,
    identification: Identification,
    draft: FilingDraft,
    refused: representation.NotRepresented,
) -> HttpResponse:
    """The representation chosen can no longer be used (a power revoked or ended since the
    form): the form again, as the draft keeps it, with why on the question; nothing filed."""
    data = {
        key: "" if value is None else str(value) for key, value in _draft_initial(draft).items()
    }
    kept = BehalfForm.initial_from_draft(draft)  # the declaration's confirmation included
    if not kept.get("declared_confirm"):
        kept.pop("declared_confirm", None)  # unticked: the checkbox sends nothing
    form = FilingForm(data)
    form.is_valid()
    behalf = _behalf_form(identification, kept)
    if behalf.is_valid() or "behalf" not in behalf.errors:
        behalf.add_error("behalf", str(refused.message))
    return _render_form(request, form, behalf, list(draft.attachments), [], status=400)


def _render_review(
    request: HttpRequest,
    draft: FilingDraft,
    *,
    failure: str = "",
    answers: Mapping[str, Any] | None = None,
    refused: hooks.AnswerRefused | None = None,
    status: int = 200,
) -> HttpResponse:
    """The review with the questions the apps above ask (``hooks.FILING_QUESTIONS``: the
    consent to electronic notification), showing again what was answered and what was refused,
    and on whose behalf it is filed; if that can no longer be (a power revoked or ended since),
    the form again with why."""
    identification = _identification(request)
    try:
        acting = check_acting(identification, representation.Behalf.from_draft(draft))
    except representation.NotRepresented as not_represented:
        return _refused_behalf(request, identification, draft, not_represented)
    questions = hooks.filing_questions(
        identification=identification,
        answers=answers or {},
        errors=refused.errors if refused else {},
        contact_email=draft.contact_email,
        on_behalf_of=acting.on_behalf_of(identification),
    )
    context = {
        "draft": draft,
        "acting": acting,
        "acting_text": describe(acting),
        "attached": draft.attachments,
        "failure": failure,
        "questions": questions,
        "question_errors": [error for question in questions for error in question.errors],
    }
    return render(request, "registre/review.html", context, status=status)


@never_cache
@require_GET
@identification_required()
def review(request: HttpRequest) -> HttpResponse:
    identification = _identification(request)
    draft = _open_draft(request, identification)
    if draft is None:
        return redirect("registre:file")
    closed = _registry_closed()
    if closed:
        return _interrupted(request, closed)
    if not services.draft_is_complete(draft):
        messages.warning(request, _("Revisau la sol·licitud: hi falten dades."))
        return redirect("registre:file")
    return _render_review(request, draft)


@never_cache
@require_POST
@identification_required()
def confirm(request: HttpRequest) -> HttpResponse:
    """Register the draft and show its receipt at once, or say that nothing was registered.
    An answer the apps above refuse (a bad address for the notices) shows the review again with
    the message and everything as it was typed: nothing was registered."""
    # Art. 33.i: the transmission began when the request started, not when it ends.
    presented_at = request_start(request)
    identification = _identification(request)
    public_id = request.POST.get("draft", "")
    try:
        entry = services.file_draft(
            identification=identification,
            public_id=public_id,
            presented_at=presented_at,
            language=request.LANGUAGE_CODE,
            answers=request.POST,
        )
    except NotFound:
        raise Http404 from None
    except representation.NotRepresented as refused:
        # The power was revoked or ended since the review: nothing was registered.
        draft = services.open_draft(identification=identification, public_id=public_id)
        if draft is None:
            raise Http404 from None
        return _refused_behalf(request, identification, draft, refused)
    except hooks.AnswerRefused as refused:
        draft = services.open_draft(identification=identification, public_id=public_id)
        if draft is None:
            raise Http404 from None
        return _render_review(request, draft, answers=request.POST, refused=refused, status=400)
    except services.IncompleteDraft as incomplete:
        messages.warning(request, str(incomplete.message))
        return redirect("registre:file")
    except services.RegistryInterrupted as exc:
        return _failed(request, identification, public_id, str(exc.message))
    except Exception:
        # Whatever failed (rendering, sealing, storage, the database), the transaction rolled
        # back: no number, no receipt. The person must know (art. 33.f, last paragraph).
        logger.exception("registry submission failed; nothing was registered")
        failure = _(
            "No s'ha pogut completar la presentació i NO s'ha registrat res: no hi ha número de "
            "registre ni rebut. Tornau-ho a provar d'aquí a una estona o presentau-la per altres "
            "mitjans. Les dades i els documents que heu introduït es conserven."
        )
        return _failed(request, identification, public_id, failure)
    request.session.pop(DRAFT_SESSION_KEY, None)
    return HttpResponseRedirect(reverse("registre:filed", args=[entry.pk]))


def _failed(
    request: HttpRequest, identification: Identification, public_id: str, failure: str
) -> HttpResponse:
    """Nothing was registered: the review again, with the draft as it was kept, and why."""
    draft = services.open_draft(identification=identification, public_id=public_id)
    if draft is None:
        raise Http404
    return _render_review(request, draft, failure=failure, answers=request.POST, status=503)


@dataclass(frozen=True)
class HistoryLimit:
    """The identification is below the level earlier entries need (art. 8.2): the carpeta lists
    only what it filed itself, and the person is offered to identify again at ``required``,
    coming back to the carpeta."""

    current: LoA
    required: LoA
    login_url: str


def _history_limit(identification: Identification) -> HistoryLimit | None:
    required = LoA(identity.PERSONAL_DATA_LOA)
    if identity.has_level(identification, required):
        return None
    return HistoryLimit(
        current=identification.level,
        required=required,
        login_url=login_url(reverse("registre:folder"), required),
    )


@never_cache
@require_GET
@identification_required()
def entry_detail(request: HttpRequest, pk: int, just_filed: bool = False) -> HttpResponse:
    """An entry with its receipt: right after filing, and from "La meva carpeta"."""
    entry = _own_entry(request, pk)
    context = {
        "entry": entry,
        "attached": entry.attachments.select_related("blob"),
        "just_filed": just_filed,
        "representation_text": receipt_texts.representation_text(entry, with_check=True),
        "history": _history_limit(_identification(request)) if just_filed else None,
        "verification_url": verification_url(entry.receipt.csv) if entry.receipt else "",
    }
    return render(request, "registre/entry.html", context)


@never_cache
@require_GET
@identification_required()
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """The sealed receipt, only through the person's own entries."""
    entry = _own_entry(request, pk, receipt__isnull=False)
    try:
        receipt = services.receipt_file(entry=entry)
    except documents.IntegrityFailure as failure:
        return responses.integrity_failure(request, entry.receipt, failure)
    response = HttpResponse(receipt.data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{receipt.filename}"'
    return response


@never_cache
@require_GET
@identification_required()
def folder(request: HttpRequest) -> HttpResponse:
    """ "La meva carpeta": the person's own entries, newest first."""
    identification = _identification(request)
    entries = (
        selectors.readable_entries(identification)
        .select_related("organ", "receipt")
        .order_by("-presented_at", "-pk")
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("pagina"))
    context = {"page": page, "history": _history_limit(identification)}
    return render(request, "registre/folder.html", context)
