"""The catalogue of procedures (art. 21) and filing one (art. 24.1), for citizens.

The catalogue and a procedure's page are public. Filing is form -> review -> confirm, with no
JavaScript, at the level of identification the procedure requires (art. 8.2): what the person
typed and the files already checked live in a ``ProcedureDraft`` (one per procedure in the
session) until the confirmation files it, with its registry entry and its case file, in one
transaction (``services.file_procedure``). The case's page (``expedients:case``) shows the
receipt after it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from expedients import formdef, services
from expedients.forms import ContactForm
from registre import hooks
from registre import services as registry
from seu import calendar, identity
from seu.errors import InvalidInput, NotFound
from seu.identity import representation
from seu.identity.behalf import BehalfForm, check_acting, describe
from seu.net import request_start

if TYPE_CHECKING:
    from expedients.models import Procedure, ProcedureDraft
    from seu.models import Identification

logger = logging.getLogger(__name__)

SEARCH_MAX_LENGTH = 100


def draft_session_key(code: str) -> str:
    """Where the session keeps the draft of one procedure (several may be under way)."""
    return f"expedients_draft:{code}"


# --- The catalogue (public) -----------------------------------------------------------------------


@dataclass
class Topic:
    name: str
    procedures: list[Procedure] = field(default_factory=list)


@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    """The procedures by subject, with a search box (art. 21)."""
    text = request.GET.get("q", "").replace("\x00", "").strip()[:SEARCH_MAX_LENGTH]
    topics: list[Topic] = []
    for procedure in services.catalogue(text=text, language=request.LANGUAGE_CODE):
        if not topics or topics[-1].name != procedure.topic:
            topics.append(Topic(procedure.topic))
        topics[-1].procedures.append(procedure)
    context = {
        "q": text,
        "topics": topics,
        "count": sum(len(topic.procedures) for topic in topics),
    }
    return render(request, "expedients/catalogue.html", context)


def _published(code: str) -> Procedure:
    try:
        return services.published_procedure(code)
    except NotFound:
        raise Http404 from None


@require_GET
def procedure(request: HttpRequest, code: str) -> HttpResponse:
    """What art. 21 asks the catalogue to say of a procedure, and the way in."""
    found = _published(code)
    assert found.current_version is not None  # published()
    documents = formdef.documents_of(found.current_version.form)
    context = {
        "procedure": found,
        "asked": [_document_row(item) for item in documents if item.asked],
        "held": [item for item in documents if not item.asked],
        "start_url": reverse("registre:file")
        if found.is_generic
        else reverse("expedients:fill", args=[found.code]),
    }
    return render(request, "expedients/procedure.html", context)


def _document_row(item: formdef.FieldDef) -> dict[str, Any]:
    return {
        "field": item,
        "label": item.label(),
        "help": item.help(),
        "required": item.required,
        "declaration": item.declaration() if item.replaceable else "",
        "types": formdef.type_names(item),
        "max_size": filesizeformat(item.max_bytes),
    }


# --- Filing ---------------------------------------------------------------------------------------


def _for_filing(code: str) -> Procedure:
    try:
        return services.procedure_for_filing(code)
    except NotFound:
        raise Http404 from None


def _identified(request: HttpRequest, procedure: Procedure, next_url: str) -> Any:
    """The identification if it reaches the procedure's level (art. 8.2); else the redirect
    to identify at that level and come back (``identification_required`` does the same)."""
    found = identity.current_identification(request)
    if found is None or not identity.has_level(found, procedure.required_loa):
        return HttpResponseRedirect(identity.login_url(next_url, procedure.required_loa))
    return found


def _open_draft(
    request: HttpRequest, identification: Identification, procedure: Procedure
) -> ProcedureDraft | None:
    public_id = request.session.get(draft_session_key(procedure.code))
    if not public_id:
        return None
    draft = services.open_procedure_draft(identification=identification, public_id=public_id)
    if draft is None or draft.version_id != procedure.current_version_id:
        return None  # a newer version of the form was published meanwhile: start afresh
    return draft


def _registry_closed() -> str | None:
    """Why the registry cannot take a submission right now (art. 33.d), or None."""
    try:
        registry.check_registry_open(at=calendar.now())
    except registry.RegistryInterrupted as exc:
        return str(exc.message)
    return None


def _interrupted(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "registre/interrupted.html", {"message": message}, status=503)


def _without_nul(data: QueryDict) -> QueryDict:
    """The form as sent, without NUL characters (no database column takes them)."""
    clean = QueryDict(mutable=True)
    for key, values in data.lists():
        clean.setlist(key, [value.replace("\x00", "") for value in values])
    return clean


@dataclass
class Row:
    """One field of the procedure's form as the page shows it."""

    field: formdef.FieldDef
    bound: Any
    errors: list[str]
    kept: Mapping[str, Any] | None = None
    declared: Any = None

    @property
    def id(self) -> str:
        return f"camp-{self.field.key}"

    @property
    def anchor(self) -> str:
        """Where the error summary's link leads: the first radio of a group."""
        if self.field.type in ("boolean", "choice") and self.is_radio:
            return f"{self.id}-1"
        return self.id

    @property
    def is_radio(self) -> bool:
        return self.field.type == "boolean" or (
            self.field.type == "choice" and len(self.field.spec.get("choices", ())) <= 5
        )

    @property
    def described_by(self) -> str:
        """The ids of the field's hint and messages, for ``aria-describedby``."""
        ids = []
        if self.field.help() or self.field.type == "file":
            ids.append(f"{self.id}-hint")
        if self.errors:
            ids.append(f"{self.id}-error")
        return " ".join(ids)

    @property
    def value(self) -> str:
        """What the person typed (or what the draft kept), as typed."""
        value = self.bound.value()
        return "" if value is None or isinstance(value, dict) else str(value)

    @property
    def checked(self) -> bool:
        return bool(self.bound.value())

    @property
    def choices(self) -> list[tuple[str, str, bool]]:
        """``(value, label, selected)`` of a choice or yes/no field."""
        current = self.value
        return [
            (str(value), str(label), str(value) == current and value != "")
            for value, label in getattr(self.bound.field, "choices", ())
        ]

    @property
    def file_hint(self) -> str:
        return _("Formats admesos: %(types)s; fins a %(size)s.") % {
            "types": formdef.type_names(self.field),
            "size": filesizeformat(self.field.max_bytes),
        }


def _rows(
    form: formdef.ProcedureForm,
    draft: ProcedureDraft | None,
    file_errors: Mapping[str, list[str]] | None = None,
) -> list[Row]:
    kept_data = draft.data if draft is not None else {}
    file_errors = file_errors or {}
    rows = []
    for item in formdef.fields_of(form.definition):
        if not item.asked:
            continue
        bound = form[item.key]
        # A refused upload says why; "required" on top of it would only repeat the same thing.
        errors = list(file_errors.get(item.key) or (form.errors.get(item.key) or []))
        kept = kept_data.get(item.key)
        declared_name = formdef.declared_key(item.key)
        rows.append(
            Row(
                field=item,
                bound=bound,
                errors=[str(message) for message in errors],
                kept=kept if isinstance(kept, dict) and kept.get("sha256") else None,
                declared=form[declared_name] if declared_name in form.fields else None,
            )
        )
    return rows


def _render_form(
    request: HttpRequest,
    procedure: Procedure,
    *,
    form: formdef.ProcedureForm | None,
    contact: ContactForm | None,
    draft: ProcedureDraft | None,
    behalf: BehalfForm | None = None,
    file_errors: Mapping[str, list[str]] | None = None,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    rows = _rows(form, draft, file_errors) if form is not None else []
    errors = behalf.error_links() if behalf is not None and behalf.is_bound else []
    errors += [(row.anchor, message) for row in rows for message in row.errors]
    if form is not None:
        errors += [("formulari", str(message)) for message in form.non_field_errors()]
    if contact is not None and contact.is_bound:
        errors += [(bound.name, str(m)) for bound in contact.contact_fields for m in bound.errors]
    context = {
        "procedure": procedure,
        "rows": rows,
        "contact": contact,
        "behalf": behalf,
        "errors": errors,
        "refusal": refusal,
    }
    return render(request, "expedients/fill.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def fill(request: HttpRequest, code: str) -> HttpResponse:
    """The procedure's form. What the person typed and the files accepted are kept in the draft
    even when something is refused, so they fix only what the messages name."""
    procedure = _for_filing(code)
    identification = _identified(
        request, procedure, reverse("expedients:fill", args=[procedure.code])
    )
    if isinstance(identification, HttpResponse):
        return identification
    closed = _registry_closed()
    if closed:
        return _interrupted(request, closed)
    assert procedure.current_version is not None
    definition = procedure.current_version.form
    draft = _open_draft(request, identification, procedure)
    language = request.LANGUAGE_CODE

    if request.method == "GET":
        try:
            services.check_may_file(procedure, identification)
        except InvalidInput as refused:
            return _render_form(
                request,
                procedure,
                form=None,
                contact=None,
                draft=None,
                refusal=str(refused.message),
                status=400,
            )
        if draft is None:
            form = formdef.build_form(definition, language=language)
            person = identification.person
            contact = ContactForm(
                initial={
                    "contact_email": person.email,
                    "contact_phone": person.phone,
                    "contact_postal_address": person.postal_address,
                }
            )
        else:  # back from the review ("Modificar") or from a refused confirmation
            form, contact = _draft_forms(draft, language)
        behalf = _behalf_form(
            identification,
            procedure,
            initial=BehalfForm.initial_from_draft(draft) if draft is not None else None,
        )
        return _render_form(
            request, procedure, form=form, contact=contact, draft=draft, behalf=behalf
        )

    data = _without_nul(request.POST)
    contact = ContactForm(data)
    contact_valid = contact.is_valid()
    behalf = _behalf_form(identification, procedure, data)
    behalf_valid = behalf.is_valid()
    try:
        result = services.save_procedure_draft(
            identification=identification,
            procedure=procedure,
            draft=draft,
            data=data,
            files=request.FILES,
            contact=contact.contact(),
            language=language,
            behalf=behalf.typed_behalf(),
        )
    except InvalidInput as refused:  # who may file it (check_may_file)
        return _render_form(
            request,
            procedure,
            form=None,
            contact=None,
            draft=None,
            refusal=str(refused.message),
            status=400,
        )
    request.session[draft_session_key(procedure.code)] = str(result.draft.public_id)
    if result.is_valid and contact_valid and behalf_valid:
        return redirect("expedients:review", code=procedure.code)
    return _render_form(
        request,
        procedure,
        form=result.form,
        contact=contact,
        draft=result.draft,
        behalf=behalf,
        file_errors=result.file_errors,
        status=400,
    )


def _behalf_form(
    identification: Identification,
    procedure: Procedure,
    data: Mapping[str, Any] | None = None,
    *,
    initial: Mapping[str, Any] | None = None,
) -> BehalfForm:
    """On whose behalf (``seu.identity.behalf``): the powers that cover this procedure."""
    return BehalfForm(
        data,
        identification=identification,
        procedure_code=procedure.code,
        procedure_name=procedure.name,
        initial=initial,
    )


def _draft_forms(draft: ProcedureDraft, language: str) -> tuple[formdef.ProcedureForm, ContactForm]:
    """The procedure's form and the contact as the draft keeps them, checked."""
    definition = draft.version.form
    form = formdef.build_form(
        definition, data=formdef.as_form_data(definition, draft.data), language=language
    )
    form.is_valid()
    contact = ContactForm(
        {
            "contact_email": draft.contact_email,
            "contact_phone": draft.contact_phone,
            "contact_postal_address": draft.contact_postal_address,
        }
    )
    contact.is_valid()
    return form, contact


def _refused_behalf(
    request: HttpRequest,
    procedure: Procedure,
    identification: Identification,
    draft: ProcedureDraft,
    refused: representation.NotRepresented,
) -> HttpResponse:
    """The representation chosen can no longer be used (a power revoked or ended since the
    form): the form again, as the draft keeps it, with why on the question; nothing filed."""
    form, contact = _draft_forms(draft, request.LANGUAGE_CODE)
    kept = BehalfForm.initial_from_draft(draft)  # the declaration's confirmation included
    if not kept.get("declared_confirm"):
        kept.pop("declared_confirm", None)  # unticked: the checkbox sends nothing
    behalf = _behalf_form(identification, procedure, kept)
    if behalf.is_valid() or "behalf" not in behalf.errors:
        behalf.add_error("behalf", str(refused.message))
    return _render_form(
        request,
        procedure,
        form=form,
        contact=contact,
        draft=draft,
        behalf=behalf,
        status=400,
    )


def _render_review(
    request: HttpRequest,
    procedure: Procedure,
    draft: ProcedureDraft,
    answers: Mapping[str, Any],
    *,
    failure: str = "",
    sent: Mapping[str, Any] | None = None,
    refused: hooks.AnswerRefused | None = None,
    status: int = 200,
) -> HttpResponse:
    """The answers as they will be filed, and the questions the apps above ask on the
    confirmation (``registre.hooks.FILING_QUESTIONS``), with what was answered and refused."""
    identification = identity.current_identification(request)
    assert identification is not None
    try:
        acting = check_acting(
            identification,
            representation.Behalf.from_draft(draft),
            procedure_code=procedure.code,
            procedure_name=procedure.name,
        )
        # Who the procedure is for (natural or legal persons), now that the interested is known.
        services.check_may_file(procedure, identification, acting.interested)
    except representation.NotRepresented as not_represented:
        return _refused_behalf(request, procedure, identification, draft, not_represented)
    except InvalidInput as refused_filer:
        return _refused_behalf(
            request,
            procedure,
            identification,
            draft,
            representation.NotRepresented(refused_filer.message),
        )
    definition = draft.version.form
    questions = hooks.filing_questions(
        identification=identification,
        answers=sent or {},
        errors=refused.errors if refused else {},
        contact_email=draft.contact_email,
        on_behalf_of=acting.on_behalf_of(identification),
    )
    context = {
        "procedure": procedure,
        "draft": draft,
        "acting": acting,
        "acting_text": describe(acting),
        "shown": formdef.display_answers(definition, answers, language=request.LANGUAGE_CODE),
        "attached": formdef.files_of(definition, answers),
        "failure": failure,
        "questions": questions,
        "question_errors": [error for question in questions for error in question.errors],
    }
    return render(request, "expedients/review.html", context, status=status)


@never_cache
@require_GET
def review(request: HttpRequest, code: str) -> HttpResponse:
    procedure = _for_filing(code)
    identification = _identified(
        request, procedure, reverse("expedients:review", args=[procedure.code])
    )
    if isinstance(identification, HttpResponse):
        return identification
    draft = _open_draft(request, identification, procedure)
    if draft is None:
        return redirect("expedients:fill", code=procedure.code)
    closed = _registry_closed()
    if closed:
        return _interrupted(request, closed)
    try:
        answers = services.draft_answers(draft)
    except services.IncompleteProcedure:
        messages.warning(request, _("Revisau la sol·licitud: hi falten dades."))
        return redirect("expedients:fill", code=procedure.code)
    return _render_review(request, procedure, draft, answers)


@never_cache
@require_POST
def confirm(request: HttpRequest, code: str) -> HttpResponse:
    """File the draft: the registry entry, its sealed receipt and the case file, or nothing,
    and the person is told which (art. 33.f). A second confirmation of the same draft leads to
    the case of the first."""
    # Art. 33.i: the transmission began when the request started, not when it ends.
    presented_at = request_start(request)
    procedure = _for_filing(code)
    identification = _identified(
        request, procedure, reverse("expedients:review", args=[procedure.code])
    )
    if isinstance(identification, HttpResponse):
        return identification
    public_id = request.POST.get("draft", "")
    try:
        case = services.file_procedure(
            identification=identification,
            public_id=public_id,
            presented_at=presented_at,
            language=request.LANGUAGE_CODE,
            confirmation=request.POST,
        )
    except NotFound:
        raise Http404 from None
    except hooks.AnswerRefused as refused:
        return _review_again(
            request, procedure, identification, public_id, refused=refused, status=400
        )
    except services.IncompleteProcedure as incomplete:
        messages.warning(request, str(incomplete.message))
        return redirect("expedients:fill", code=procedure.code)
    except registry.RegistryInterrupted as exc:
        return _review_again(
            request, procedure, identification, public_id, failure=str(exc.message), status=503
        )
    except representation.NotRepresented as not_represented:
        # The power was revoked or ended since the review: nothing was filed.
        draft = services.open_procedure_draft(identification=identification, public_id=public_id)
        if draft is None:
            raise Http404 from None
        return _refused_behalf(request, procedure, identification, draft, not_represented)
    except InvalidInput as refused:  # who may file it (check_may_file)
        messages.warning(request, str(refused.message))
        return redirect("expedients:fill", code=procedure.code)
    except Exception:
        # Whatever failed (rendering, sealing, storage, the database), the transaction rolled
        # back: no number, no receipt, no case file. The person must know (art. 33.f).
        logger.exception("procedure filing failed; nothing was registered")
        failure = _(
            "No s'ha pogut completar la presentació i NO s'ha registrat res: no hi ha número de "
            "registre ni rebut. Tornau-ho a provar d'aquí a una estona o presentau-la per altres "
            "mitjans. Les dades i els documents que heu introduït es conserven."
        )
        return _review_again(
            request, procedure, identification, public_id, failure=failure, status=503
        )
    request.session.pop(draft_session_key(procedure.code), None)
    return HttpResponseRedirect(reverse("expedients:case", args=[case.pk]) + "?presentat=1")


def _review_again(
    request: HttpRequest,
    procedure: Procedure,
    identification: Identification,
    public_id: str,
    *,
    failure: str = "",
    refused: hooks.AnswerRefused | None = None,
    status: int,
) -> HttpResponse:
    """Nothing was filed: the review again, with the draft as it was kept, and why."""
    draft = services.open_procedure_draft(identification=identification, public_id=public_id)
    if draft is None:
        raise Http404
    try:
        answers = services.draft_answers(draft)
    except services.IncompleteProcedure:
        return redirect("expedients:fill", code=procedure.code)
    return _render_review(
        request,
        procedure,
        draft,
        answers,
        failure=failure,
        sent=request.POST,
        refused=refused,
        status=status,
    )
