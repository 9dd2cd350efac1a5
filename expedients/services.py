"""The use cases of case files (art. 20-31): every channel (the citizen's pages, the back-office,
the API, the beat) calls these and nothing else changes a case file.

- Filing a procedure (``save_procedure_draft``, ``file_procedure``): the registry entry, its sealed
  receipt listing the form's answers, and the case file, in one transaction: both or neither.
- Staff (``open_case_from_entry``, ``add_entry``, ``start_processing``, ``request_remedy``,
  ``draft_resolution``, ``resolve``, ``close``), scoped to the organs the user works for.
- The person (``answer_remedy``, ``extend_remedy``, ``silence_certificate``).
- The beat (``lapse_remedies``, ``record_silences``, ``issue_due_answers_documents``) and what
  notifications report (``on_outcomes``).

The resolution deadline (art. 27.1; Law 39/2015 art. 21) is computed once, when the case opens,
from the instant its entry counts (art. 33.h) by ``seu.calendar``; a remedy request suspends it
from the day it is notified to the day it is answered (Law 39/2015 art. 22.1.a), and the days
suspended are added to it.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import logging
import secrets
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from documents import services as documents
from documents.models import Blob, Document
from expedients import formdef
from expedients.models import (
    CASE_COLUMNS,
    Expedient,
    ExpedientCounter,
    ExpedientDocument,
    ExpedientEntry,
    ExpedientTransition,
    Procedure,
    ProcedureDraft,
    ProcedureVersion,
    RemedyRequest,
    Resolution,
    SilenceEffect,
    State,
)
from notificacions import hooks as notification_hooks
from notificacions import selectors as notification_selectors
from notificacions import sending
from notificacions.models import Notification
from registre import attachments
from registre import hooks as registre_hooks
from registre import services as registry
from registre.attachments import IncomingAttachment
from registre.models import RegistryEntry
from seu import calendar, catalan, identity, people, staff
from seu.caching import town_hall
from seu.core import outbox
from seu.core.numbering import take_number
from seu.core.sweeps import claim_due, sweep_each
from seu.core.workflow import StaleState, Workflow
from seu.errors import InvalidInput, NotFound
from seu.identity import representation
from seu.models import Identification, Person, RepresentationCheck

logger = logging.getLogger(__name__)

WORKFLOW = Workflow(
    transitions={
        "": {State.OPENED},
        State.OPENED: {
            State.REMEDY_REQUESTED,
            State.IN_PROCESS,
            State.RESOLVED,
            State.NOT_ADMITTED,
        },
        State.REMEDY_REQUESTED: {State.REMEDIED, State.WITHDRAWN},
        State.REMEDIED: {State.REMEDY_REQUESTED, State.IN_PROCESS, State.RESOLVED},
        State.IN_PROCESS: {State.REMEDY_REQUESTED, State.RESOLVED},
        State.RESOLVED: {State.CLOSED},
        # Law 39/2015 art. 73.3: an answer that arrives before the withdrawal is notified counts.
        State.WITHDRAWN: {State.REMEDIED, State.CLOSED},
        State.NOT_ADMITTED: {State.CLOSED},
        State.CLOSED: set(),
    },
    log_model=ExpedientTransition,
    subject_field="expedient",
    message=gettext_lazy("Aquest expedient no pot passar de «%(from)s» a «%(to)s»."),
    label=lambda value: str(State(value).label) if value in State.values else value,
)

REMEDY_DAYS = 10  # Law 39/2015 art. 68.1 (art. 24.3 of the ordinance)
REMEDY_EXTENSION_DAYS = 5  # Law 39/2015 art. 68.2
ANSWERS_BATCH = 50

# The steps of the log that are not changes of state (``ExpedientTransition.step``).
STEP_OPENED = "opened"
STEP_ENTRY_ADDED = "entry_added"
STEP_OUT_OF_ORDER = "out_of_order"
STEP_REMEDY_REQUESTED = "remedy_requested"
STEP_REMEDY_NOTIFIED = "remedy_notified"
STEP_REMEDY_EXTENDED = "remedy_extended"
STEP_REMEDY_ANSWERED = "remedy_answered"
STEP_REMEDY_LAPSED = "remedy_lapsed"
STEP_SILENCE = "silence"
STEP_DRAFTED = "resolution_drafted"
STEP_RESOLVED = "resolved"
STEP_NOTIFIED = "resolution_notified"
STEP_DOCUMENT_ADDED = "document_added"
STEP_NOT_ADMITTED = "not_admitted"
STEP_CLOSED = "closed"
STEP_PROCESSING = "processing"
STEP_WITHDRAWAL_ANNULLED = "withdrawal_annulled"
STEP_REPRESENTATION_CHECKED = "representation_checked"
STEP_REPRESENTATION_PROOF = "representation_proof"
STEP_REPRESENTATION_REFUSED = "representation_refused"

STEP_LABELS = {
    STEP_OPENED: gettext_lazy("Sol·licitud presentada i expedient iniciat"),
    STEP_ENTRY_ADDED: gettext_lazy("Assentament afegit a l'expedient"),
    STEP_OUT_OF_ORDER: gettext_lazy("Tramitat fora de l'ordre d'entrada"),
    STEP_REMEDY_REQUESTED: gettext_lazy("Requeriment d'esmena enviat"),
    STEP_REMEDY_NOTIFIED: gettext_lazy("Requeriment d'esmena notificat: comença el termini"),
    STEP_REMEDY_EXTENDED: gettext_lazy("Termini d'esmena ampliat cinc dies"),
    STEP_REMEDY_ANSWERED: gettext_lazy("Requeriment d'esmena atès"),
    STEP_REMEDY_LAPSED: gettext_lazy("Termini d'esmena exhaurit sense resposta: desistiment"),
    STEP_SILENCE: gettext_lazy("Termini de resolució vençut: efecte del silenci"),
    STEP_DRAFTED: gettext_lazy("Proposta de resolució preparada"),
    STEP_RESOLVED: gettext_lazy("Resolució dictada"),
    STEP_NOTIFIED: gettext_lazy("Resolució notificada"),
    STEP_DOCUMENT_ADDED: gettext_lazy("Document afegit a l'expedient"),
    STEP_NOT_ADMITTED: gettext_lazy("Sol·licitud no admesa"),
    STEP_CLOSED: gettext_lazy("Expedient tancat"),
    STEP_PROCESSING: gettext_lazy("En tramitació"),
    STEP_WITHDRAWAL_ANNULLED: gettext_lazy(
        "Desistiment sense efecte: requeriment atès abans de notificar-lo"
    ),
    STEP_REPRESENTATION_CHECKED: gettext_lazy("Representació declarada comprovada"),
    STEP_REPRESENTATION_PROOF: gettext_lazy("S'ha demanat que s'acrediti la representació"),
    STEP_REPRESENTATION_REFUSED: gettext_lazy("Representació no acreditada"),
}

REPRESENTATION_STEPS = {
    RepresentationCheck.CHECKED: STEP_REPRESENTATION_CHECKED,
    RepresentationCheck.PROOF_REQUESTED: STEP_REPRESENTATION_PROOF,
    RepresentationCheck.REFUSED: STEP_REPRESENTATION_REFUSED,
}


class InvalidCase(InvalidInput):
    """Input a case-file service refuses, with the message per field (``errors``)."""

    code = "invalid_case"

    def __init__(self, errors: Mapping[str, Sequence[str]]) -> None:
        first = next((m for messages in errors.values() for m in messages), "")
        super().__init__(first or _("Revisau les dades."))
        self.errors = {key: [str(m) for m in messages] for key, messages in errors.items()}


class OutOfOrder(InvalidInput):
    """Art. 27.1: an earlier case of the organ waits; acting on this one first needs a reason."""

    code = "out_of_order"


def _uid(user: AbstractBaseUser | None) -> int | None:
    return user.pk if user is not None else None


# --- The catalogue --------------------------------------------------------------------------------


@transaction.atomic
def publish_version(
    *,
    procedure: Procedure,
    form: Mapping[str, Any],
    acting_user: AbstractBaseUser | None,
    now: dt.datetime | None = None,
) -> ProcedureVersion:
    """A new version of the procedure's form, checked (``formdef.check_definition``) and made the
    one the catalogue offers. Versions are never edited: what was filed with an earlier one keeps
    showing and checking against it (art. 24.1)."""
    errors = formdef.definition_errors(form)
    if errors:
        raise InvalidCase({"form": errors})
    locked = Procedure.objects.select_for_update().get(pk=procedure.pk)
    last = locked.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = ProcedureVersion.objects.create(
        procedure=locked,
        number=last + 1,
        form=dict(form),
        created_at=now or calendar.now(),
        created_by_id=_uid(acting_user),
    )
    locked.current_version = version
    locked.save(update_fields=["current_version"])
    procedure.current_version = version
    return version


# --- Deadlines ------------------------------------------------------------------------------------


def resolution_base_deadline(
    procedure: Procedure,
    effective_at: dt.datetime,
    *,
    working_calendar: calendar.WorkingCalendar | None = None,
) -> dt.date:
    """The last day to resolve and notify (Law 39/2015 art. 21.3.b): the procedure's period from
    the day after the entry counts in the registry of the competent organ. ``working_calendar``:
    the operation's own, when it has one (it reads the municipal days once)."""
    return (working_calendar or calendar.WorkingCalendar()).period_end(
        calendar.to_local(effective_at).date(),
        procedure.resolution_period,
        procedure.resolution_period_unit,
    )


def shifted_deadline(base: dt.date, suspended_days: int) -> dt.date:
    """The base deadline moved by the days a remedy suspended it, to a working day (art. 30.5)."""
    last = base + dt.timedelta(days=suspended_days)
    cal = calendar.WorkingCalendar()
    return last if cal.is_working_day(last) else cal.next_working_day(last)


def remedy_due_at(notified_at: dt.datetime, days: int) -> dt.datetime:
    """The end of the ``days``-th working day after the one the request was notified (or deemed
    rejected) on (Law 39/2015 art. 30.2, 68.1): 24:00 local time of that day."""
    last = calendar.WorkingCalendar().add_working_days(calendar.to_local(notified_at).date(), days)
    return calendar.end_of_day(last)


def _suspend(case: Expedient, *, on: dt.date) -> None:
    if case.suspended_since is None:
        case.suspended_since = on


def _resume(case: Expedient, *, on: dt.date) -> None:
    if case.suspended_since is not None:
        case.suspended_days += max((on - case.suspended_since).days, 0)
        case.suspended_since = None
        case.deadline = shifted_deadline(case.base_deadline, case.suspended_days)


DEADLINE_FIELDS = ("suspended_since", "suspended_days", "deadline")


# --- The log --------------------------------------------------------------------------------------


def _log_fields(case: Expedient, step: str, public: bool) -> dict[str, Any]:
    return {"organ_id": case.organ_id, "step": step, "public": public}


def _move(
    case: Expedient,
    to_state: str,
    *,
    step: str,
    now: dt.datetime,
    actor: AbstractBaseUser | None,
    reason: str = "",
    public: bool = True,
    fields: Sequence[str] = (),
) -> None:
    WORKFLOW.move(
        case,
        to_state,
        at=now,
        actor=actor,
        reason=reason,
        fields=fields,
        log_fields=_log_fields(case, step, public),
    )
    if public:
        _queue_state_notice(case, step=step, now=now)


def _note(
    case: Expedient,
    *,
    step: str,
    now: dt.datetime,
    actor: AbstractBaseUser | None,
    reason: str = "",
    public: bool = True,
    notice: bool = False,
) -> None:
    WORKFLOW.note(
        case, at=now, actor=actor, reason=reason, log_fields=_log_fields(case, step, public)
    )
    if public and notice:
        _queue_state_notice(case, step=step, now=now)


def _contact_address(case: Expedient) -> str:
    entry = case.opening_entry
    return entry.contact_email or case.interested.email


def _queue_state_notice(case: Expedient, *, step: str, now: dt.datetime) -> None:
    """Art. 27.4: an e-mail on each public change, a row first (``seu.core.outbox``). It names
    the case and the new state, never its content, and points to the carpeta."""
    to = _contact_address(case)
    if not to:
        return
    from django.conf import settings
    from django.urls import reverse

    with translation.override(case.language):
        context = {
            "case": case,
            "state": case.get_state_display(),
            "step": str(STEP_LABELS.get(step, "")),
            "url": settings.SEU_BASE_URL + reverse("expedients:case", args=[case.pk]),
            "town_hall": town_hall(),
        }
        subject = _("Expedient %(number)s: %(state)s") % {
            "number": case.number,
            "state": context["state"],
        }
        text_body = render_to_string("expedients/email/state_changed.txt", context)
    outbox.queue_email(
        kind="expedient_state",
        to=to,
        subject=subject,
        text_body=text_body,
        about=case,
        now=now,
    )


# --- Numbering ------------------------------------------------------------------------------------


def eni_identifier(year: int) -> str:
    """ES_<DIR3 of the town hall, 9>_<year>_EXP_<30 alphanumerics> (NTI de expediente)."""
    code = (town_hall().dir3_code or "L01070000")[:9]
    # 30 of A-Z and 2-7 (base 32 of 150 random bits): alphanumeric, as the NTI asks.
    tail = base64.b32encode(secrets.token_bytes(19)).decode("ascii")[:30]
    return f"ES_{code}_{year}_EXP_{tail}"


def _number(procedure: Procedure, year: int) -> tuple[str, int]:
    sequence = take_number(ExpedientCounter, procedure_code=procedure.code, year=year)
    return f"{procedure.code}/{year}/{sequence}", sequence


# --- Opening a case file --------------------------------------------------------------------------


def _documents_from_entry(
    case: Expedient,
    entry: RegistryEntry,
    *,
    now: dt.datetime,
    actor: AbstractBaseUser | None,
    attached: Sequence[IncomingAttachment] | None = None,
) -> None:
    """The files an entry brought become documents of the case (ENI origin: citizen).
    ``attached``: the files of an entry just registered for a case just opened, in their order
    (nothing to read back: the case has no documents yet and the entry holds these)."""
    if attached is not None:
        start = 1
        files = [(item.name, item.blob.pk, item.content_type) for item in attached]
    else:
        start = case.documents.count() + 1
        files = [(item.name, item.blob_id, item.content_type) for item in entry.attachments.all()]
    rows = [
        ExpedientDocument(
            expedient=case,
            position=start + index,
            title=name,
            blob_id=blob_id,
            content_type=content_type,
            entry=entry,
            origin=ExpedientDocument.Origin.CITIZEN,
            elaboration=ExpedientDocument.Elaboration.ORIGINAL,
            document_type=ExpedientDocument.Type.OTHER,
            captured_at=entry.effective_at or now,
            public=True,
            added_by_id=_uid(actor),
        )
        for index, (name, blob_id, content_type) in enumerate(files)
    ]
    if rows:
        ExpedientDocument.objects.bulk_create(rows)


def _add_document(
    case: Expedient,
    *,
    title: str,
    document: Document | None = None,
    blob: Blob | None = None,
    content_type: str = "application/pdf",
    entry: RegistryEntry | None = None,
    origin: int = ExpedientDocument.Origin.ADMINISTRATION,
    document_type: str,
    elaboration: str = ExpedientDocument.Elaboration.ORIGINAL,
    public: bool = True,
    now: dt.datetime,
    actor: AbstractBaseUser | None = None,
) -> ExpedientDocument:
    position = (
        ExpedientDocument.objects.select_for_update()
        .filter(expedient=case)
        .order_by("-position")
        .values_list("position", flat=True)
        .first()
        or 0
    ) + 1
    return ExpedientDocument.objects.create(
        expedient=case,
        position=position,
        title=title[:300],
        document=document,
        blob=blob,
        content_type=content_type,
        entry=entry,
        origin=origin,
        elaboration=elaboration,
        document_type=document_type,
        captured_at=now,
        public=public,
        added_by_id=_uid(actor),
    )


def _issue_case_document(
    case: Expedient,
    *,
    kind: str,
    title: str,
    template_name: str,
    context: Mapping[str, Any],
    document_type: str,
    now: dt.datetime,
    acting_user: AbstractBaseUser | None = None,
    origin: int = ExpedientDocument.Origin.ADMINISTRATION,
) -> Document:
    """One of the case's own documents: rendered in the case's language (``title`` already is),
    sealed with the CSV on every page, and added to the case file with its ENI type."""
    with translation.override(case.language):
        document = documents.issue_document(
            kind=kind,
            title=title,
            template_name=template_name,
            context={"case": case, **context},
            organ=case.organ,
            language=case.language,
            acting_user=acting_user,
            now=now,
        )
    _add_document(
        case,
        title=title,
        document=document,
        origin=origin,
        document_type=document_type,
        now=now,
        actor=acting_user,
    )
    return document


def _open(
    *,
    procedure: Procedure,
    version: ProcedureVersion,
    entry: RegistryEntry,
    number: str,
    sequence: int,
    year: int,
    answers: Mapping[str, Any],
    acting_user: AbstractBaseUser | None,
    now: dt.datetime,
    base_deadline: dt.date | None = None,
    attached: Sequence[IncomingAttachment] | None = None,
) -> Expedient:
    """The case file of ``entry``. A filing passes what it already knows: the base deadline it
    printed on the receipt and the files it registered with the entry."""
    assert entry.effective_at is not None and entry.interested is not None
    base = base_deadline or resolution_base_deadline(procedure, entry.effective_at)
    case = Expedient(
        number=number,
        year=year,
        sequence=sequence,
        eni_identifier=eni_identifier(year),
        procedure=procedure,
        version=version,
        organ=procedure.organ,
        state=State.OPENED,
        subject=entry.subject,
        interested=entry.interested,
        representative=entry.representative,
        representation=entry.representation,
        representation_check=entry.representation_check,
        power=entry.power,
        opening_entry=entry,
        effective_at=entry.effective_at,
        opened_at=now,
        answers=dict(answers),
        language=entry.language,
        base_deadline=base,
        deadline=base,
    )
    case.save(force_insert=True)
    _file_in(entry, case)
    WORKFLOW.start(case, at=now, actor=acting_user, log_fields=_log_fields(case, STEP_OPENED, True))
    ExpedientEntry.objects.create(
        expedient=case,
        entry=entry,
        role=ExpedientEntry.Role.OPENING,
        added_at=now,
        added_by_id=_uid(acting_user),
    )
    _documents_from_entry(case, entry, now=now, actor=acting_user, attached=attached)
    return case


def _file_in(entry: RegistryEntry, case: Expedient) -> None:
    """An incoming entry that becomes part of a case file records its procedure and number, if it
    did not from its filing: what a power for that procedure or that case file reaches
    (``representation.visible``) and what SICRES 3 carries."""
    if entry.direction == "in" and not entry.case_reference:
        RegistryEntry.objects.filter(pk=entry.pk, case_reference="").update(
            procedure_code=case.procedure.code, case_reference=case.number
        )
        entry.procedure_code, entry.case_reference = case.procedure.code, case.number


def deadline_notice(
    procedure: Procedure, deadline: dt.date, effective_at: dt.datetime
) -> list[dict[str, str]]:
    """What Law 39/2015 art. 21.4 says the person must be told of a request: the date it was
    received, the maximum period and the effect of silence, as lines of the receipt."""
    unit = dict(Procedure._meta.get_field("resolution_period_unit").flatchoices)
    return [
        {"label": _("Data de recepció"), "value": calendar.format_date(effective_at)},
        {
            "label": _("Termini màxim per resoldre i notificar"),
            "value": _("%(amount)s %(unit)s: %(until)s")
            % {
                "amount": procedure.resolution_period,
                "unit": unit.get(procedure.resolution_period_unit, ""),
                "until": catalan.date_phrase("until", deadline),
            },
        },
        {
            "label": _("Efecte del silenci administratiu"),
            "value": str(SilenceEffect(procedure.silence_effect).label),
        },
    ]


# --- Filing a procedure (the citizen) -------------------------------------------------------------


class IncompleteProcedure(InvalidCase):
    code = "incomplete_procedure"


def procedure_for_filing(code: str) -> Procedure:
    procedure = (
        Procedure.objects.published()
        .select_related("organ", "current_version")
        .filter(code=code)
        .first()
    )
    if procedure is None or procedure.is_generic:
        raise NotFound(_("Aquest tràmit no existeix o no es pot presentar ara."))
    return procedure


def check_may_file(
    procedure: Procedure, identification: Identification, interested: Person | None = None
) -> None:
    """Art. 8.2: the level the procedure requires; and who it is for (natural or legal): the
    interested person, once known (whom the filer acts for: ``interested``). Before, the
    session's; a natural person may still open a form for legal persons, to file it for one
    they represent."""
    identity.check_level(identification, procedure.required_loa)
    person = interested or representation.acting_person(identification)
    if (
        interested is None
        and procedure.filers == Procedure.Filers.LEGAL
        and identification.represented_entity_id is None
    ):
        return
    if procedure.filers == Procedure.Filers.NATURAL and person.kind != Person.Kind.NATURAL:
        raise InvalidInput(_("Aquest tràmit només el poden iniciar persones físiques."))
    if procedure.filers == Procedure.Filers.LEGAL and person.kind != Person.Kind.LEGAL:
        raise InvalidInput(
            _("Aquest tràmit només el poden iniciar persones jurídiques i entitats.")
        )


def open_procedure_draft(
    *, identification: Identification, public_id: object
) -> ProcedureDraft | None:
    """The identification's unfiled draft of that id, or None."""
    import uuid

    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        return None
    return (
        ProcedureDraft.objects.select_related("version__procedure__organ")
        .filter(public_id=key, identification=identification, entry__isnull=True)
        .first()
    )


@dataclass(frozen=True)
class DraftResult:
    draft: ProcedureDraft
    form: formdef.ProcedureForm
    file_errors: dict[str, list[str]]

    @property
    def is_valid(self) -> bool:
        return not self.file_errors and self.form.is_valid()


def _accept_file(field: formdef.FieldDef, upload: Any) -> dict[str, Any]:
    """Check one upload against the registry's rules and the field's own (type, size), store it,
    and return what the draft keeps of it. ``attachments.AttachmentRefused`` otherwise."""
    limits = attachments.Limits.from_settings()
    limits = attachments.Limits(
        max_file_bytes=min(limits.max_file_bytes, field.max_bytes),
        max_entry_bytes=limits.max_entry_bytes,
        max_files=limits.max_files,
    )
    checked = attachments.check_upload(upload, limits=limits)
    if not formdef.check_file_type(field, checked.content_type):
        raise attachments.AttachmentRefused(
            _("«%(name)s» és %(format)s, i aquí només s'admet: %(types)s.")
            % {
                "name": checked.name,
                "format": checked.format_label,
                "types": formdef.type_names(field),
            },
            name=checked.name,
            rule="type",
        )
    return registry.stored_attachment(attachments.store(checked))


@transaction.atomic
def save_procedure_draft(
    *,
    identification: Identification,
    procedure: Procedure,
    draft: ProcedureDraft | None,
    data: Mapping[str, Any],
    files: Mapping[str, Any],
    contact: people.ContactDetails | None = None,
    language: str,
    behalf: representation.Behalf | None = None,
    now: dt.datetime | None = None,
) -> DraftResult:
    """Keep what the person typed (even when something is wrong) and each file that passes the
    checks, then check the whole form: the person fixes only what the messages name and never
    types or sends anything twice. Files named in ``data["remove"]`` leave the draft."""
    check_may_file(procedure, identification)
    if draft is None or draft.version_id != procedure.current_version_id:
        assert procedure.current_version is not None
        draft = ProcedureDraft(identification=identification, version=procedure.current_version)
    definition = draft.version.form
    stored = dict(draft.data)
    removing = set(data.getlist("remove") if hasattr(data, "getlist") else data.get("remove", ()))
    typed: dict[str, Any] = {}
    file_errors: dict[str, list[str]] = {}
    for field in formdef.fields_of(definition):
        if not field.asked:
            continue
        if field.type == "file":
            kept = stored.get(field.key)
            if isinstance(kept, dict) and kept.get("sha256") in removing:
                kept = None
            upload = files.get(field.key)
            if upload is not None:
                try:
                    kept = _accept_file(field, upload)
                except attachments.AttachmentRefused as refused:
                    file_errors[field.key] = [str(refused.message)]
            declared = data.get(formdef.declared_key(field.key))
            if isinstance(kept, dict) and kept.get("sha256"):
                typed[field.key] = kept
            elif field.replaceable and declared:
                typed[field.key] = {"declared": True}
        elif field.type == "declaration":
            if data.get(field.key):
                typed[field.key] = True
        else:
            value = data.get(field.key)
            if value not in (None, ""):
                typed[field.key] = str(value)[:10_000]
    draft.data = typed
    if contact is not None:
        draft.contact_email = contact.email[:254]
        draft.contact_phone = contact.phone[:40]
        draft.contact_postal_address = contact.postal_address
    representation.keep_behalf(draft, identification, behalf)
    draft.updated_at = now or calendar.now()
    draft.save()
    form = formdef.build_form(
        definition, data=formdef.as_form_data(definition, typed), language=language
    )
    form.is_valid()
    for key, messages in file_errors.items():
        # Why the file sent was refused, instead of "attach this document": one was attached.
        form.errors[key] = form.error_class(messages)
    return DraftResult(draft=draft, form=form, file_errors=file_errors)


def draft_answers(draft: ProcedureDraft) -> dict[str, Any]:
    """The draft's answers, checked against its version: ``IncompleteProcedure`` otherwise."""
    definition = draft.version.form
    form = formdef.build_form(definition, data=formdef.as_form_data(definition, draft.data))
    if not form.is_valid():
        raise IncompleteProcedure(
            form.errors.get_json_data() and {k: [str(m) for m in v] for k, v in form.errors.items()}
        )
    return formdef.cleaned_answers(form)


def _incoming(
    definition: Mapping[str, Any], answers: Mapping[str, Any]
) -> list[IncomingAttachment]:
    files = formdef.files_of(definition, answers)
    blobs = Blob.objects.in_bulk([item["sha256"] for item in files])
    return [
        IncomingAttachment(
            name=item["name"],
            content_type=item["content_type"],
            format_label=item["format_label"],
            blob=blobs[item["sha256"]],
            signatures=item.get("signatures", []),
        )
        for item in files
    ]


def file_procedure(
    *,
    identification: Identification,
    public_id: object,
    presented_at: dt.datetime,
    language: str,
    confirmation: Mapping[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> Expedient:
    """File a procedure's draft: the registry entry with its sealed receipt (listing the answers,
    the case number and what art. 21.4 of Law 39/2015 says the person must be told) and the case
    file, in one transaction, or nothing (art. 33.f). A second confirmation of the same draft
    returns the case of the first. ``confirmation`` (the review form as sent) goes to the apps
    that asked on it (``registre.hooks.FILING_ANSWERED``: the consent to notifications)."""
    import uuid

    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise NotFound(_("Aquesta sol·licitud no existeix o ja no és vostra.")) from None
    with transaction.atomic():
        draft = (
            # The draft's row alone, locked (a join here costs more to plan than to run).
            ProcedureDraft.objects.select_for_update()
            .filter(public_id=key, identification=identification)
            .first()
        )
        if draft is None:
            raise NotFound(_("Aquesta sol·licitud no existeix o ja no és vostra."))
        draft.version = ProcedureVersion.objects.select_related("procedure__organ").get(
            pk=draft.version_id
        )
        if draft.entry_id is not None:
            return Expedient.objects.get(opening_entry_id=draft.entry_id)
        version = draft.version
        procedure = version.procedure
        if not procedure.is_active:
            raise NotFound(_("Aquest tràmit no existeix o no es pot presentar ara."))
        check_may_file(procedure, identification)
        answers = draft_answers(draft)
        try:
            contact = people.check_contact(
                email=draft.contact_email,
                phone=draft.contact_phone,
                postal_address=draft.contact_postal_address,
            )
        except people.InvalidContact as invalid:
            raise IncompleteProcedure({"contact": [str(invalid.message)]}) from None
        now = now or calendar.now()
        acting = representation.acting_for(
            identification,
            behalf=representation.Behalf.from_draft(draft),
            procedure_code=procedure.code,
            procedure_name=procedure.name,
            at=now,
        )
        check_may_file(procedure, identification, acting.interested)
        registre_hooks.FILING_ANSWERED.fire(
            identification=identification,
            answers=confirmation or {},
            language=language,
            now=now,
            on_behalf_of=acting.on_behalf_of(identification),
        )
        entry, case = open_filed_case(
            procedure=procedure,
            version=version,
            answers=answers,
            acting=acting,
            contact=contact,
            presented_at=presented_at,
            identification=identification,
            language=language,
            acting_user=identification.official.user if identification.official else None,
            now=now,
        )
        draft.entry = entry
        draft.updated_at = now
        draft.save(update_fields=["entry", "updated_at"])
        return case


def open_filed_case(
    *,
    procedure: Procedure,
    version: ProcedureVersion,
    answers: Mapping[str, Any],
    acting: representation.Acting,
    contact: people.ContactDetails | None,
    presented_at: dt.datetime,
    identification: Identification | None,
    language: str,
    acting_user: AbstractBaseUser | None,
    channel: str = RegistryEntry.Channel.ELECTRONIC,
    now: dt.datetime,
) -> tuple[RegistryEntry, Expedient]:
    """The entry and the case of checked ``answers``, in the caller's transaction: the case
    number is taken first (its book is per procedure), then the registry's, whose lock is held
    only while the receipt is sealed. One working calendar for the effective instant and the
    deadline (the municipal days read once); the deadline printed on the receipt is the case's."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("a filing outside a transaction could leave an entry without its case")
    working_calendar = calendar.WorkingCalendar()
    effective_at = working_calendar.effective_instant(presented_at)
    year = calendar.to_local(effective_at).year
    number, sequence = _number(procedure, year)
    receipt_language = registry.receipt_language(language)
    base = resolution_base_deadline(procedure, effective_at, working_calendar=working_calendar)
    with translation.override(receipt_language):
        shown = formdef.display_answers(version.form, answers, language=receipt_language)
        shown.append({"label": _("Expedient"), "value": number})
        shown.extend(deadline_notice(procedure, base, effective_at))
        subject = procedure.name  # the column of the active language (modeltranslation)
    attached = _incoming(version.form, answers)
    entry = registry.register_entry(
        organ=procedure.organ,
        subject=subject,
        interested=acting.interested,
        representative=acting.representative,
        representation_kind=acting.representation,
        power=acting.power,
        procedure_code=procedure.code,
        case_reference=number,
        contact=contact,
        attachments=attached,
        form_answers=shown,
        channel=channel,
        presented_at=presented_at,
        identification=identification,
        language=language,
        acting_user=acting_user,
        now=now,
        working_calendar=working_calendar,
    )
    case = _open(
        procedure=procedure,
        version=version,
        entry=entry,
        number=number,
        sequence=sequence,
        year=year,
        answers=answers,
        acting_user=acting_user,
        now=now,
        base_deadline=base,
        attached=attached,
    )
    # The answers' sealed PDF follows from the beat's sweep (``issue_due_answers_documents``,
    # every minute): the filing seals only its receipt, which already lists them.
    return entry, case


# --- The answers as a sealed document -------------------------------------------------------------


def issue_answers_document(*, case_id: int, now: dt.datetime | None = None) -> bool:
    """Seal the form's answers as a document of the case file (ENI TD14, origin citizen), once:
    the beat's sweep calls it for each new case (and the task, to redo one); a second call does
    nothing."""
    with transaction.atomic():
        case = (
            Expedient.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("procedure", "version", "organ", "opening_entry")
            .filter(pk=case_id, answers_document__isnull=True)
            .first()
        )
        if case is None or not case.answers:
            return False
        now = now or calendar.now()
        with translation.override(case.language):
            title = _("Sol·licitud %(number)s: dades del formulari") % {"number": case.number}
        case.answers_document = _issue_case_document(
            case,
            kind=Document.Kind.FORM_ANSWERS,
            title=title,
            template_name="expedients/pdf/answers.html",
            context={
                "entry": case.opening_entry,
                "answers": formdef.display_answers(
                    case.version.form, case.answers, language=case.language
                ),
            },
            origin=ExpedientDocument.Origin.CITIZEN,
            document_type=ExpedientDocument.Type.REQUEST,
            now=now,
        )
        case.save(update_fields=["answers_document"])
        return True


def issue_due_answers_documents(
    *, now: dt.datetime | None = None, limit: int = ANSWERS_BATCH
) -> int:
    due = Expedient.objects.filter(answers_document__isnull=True).exclude(answers={})
    ids = list(due.order_by("opened_at").values_list("pk", flat=True)[:limit])
    return sum(1 for pk in ids if issue_answers_document(case_id=pk, now=now))


# --- Staff: opening, entries, order ---------------------------------------------------------------


def staff_cases(user: AbstractBaseUser | None) -> Any:
    """Every case file ``user`` may see, scoped before any lookup (a clerk: their organs')."""
    return staff.scoped_to_staff(Expedient.objects.all(), user)


@transaction.atomic
def open_case_from_entry(
    *,
    entry: RegistryEntry,
    procedure: Procedure,
    acting_user: AbstractBaseUser,
    now: dt.datetime | None = None,
) -> Expedient:
    """Open a case file from a registry entry that came in without one (a generic request, a
    paper filed at the office): the entry's content stands as the request (art. 22.1)."""
    staff.check_works_for(acting_user, procedure.organ)
    staff.check_works_for(acting_user, entry.organ)
    if entry.direction != "in" or entry.state != RegistryEntry.State.REGISTERED:
        raise InvalidInput(_("Només un assentament d'entrada registrat pot iniciar un expedient."))
    if entry.interested_id is None:
        raise InvalidInput(_("L'assentament no té persona interessada."))
    if ExpedientEntry.objects.filter(entry=entry).exists():
        raise InvalidInput(_("Aquest assentament ja és d'un expedient."))
    if procedure.current_version is None:
        raise InvalidInput(_("El procediment no té cap formulari publicat."))
    now = now or calendar.now()
    assert entry.effective_at is not None
    year = calendar.to_local(entry.effective_at).year
    number, sequence = _number(procedure, year)
    return _open(
        procedure=procedure,
        version=procedure.current_version,
        entry=entry,
        number=number,
        sequence=sequence,
        year=year,
        answers={},
        acting_user=acting_user,
        now=now,
    )


@transaction.atomic
def add_entry(
    *,
    case: Expedient,
    entry: RegistryEntry,
    acting_user: AbstractBaseUser | None,
    role: str = ExpedientEntry.Role.LATER,
    now: dt.datetime | None = None,
) -> ExpedientEntry:
    """Add a later entry to a case file: it and its files become part of it."""
    if acting_user is not None:
        staff.check_works_for(acting_user, case.organ)
        staff.check_works_for(acting_user, entry.organ)
    if ExpedientEntry.objects.filter(entry=entry, expedient=case).exists():
        raise InvalidInput(_("Aquest assentament ja és de l'expedient."))
    if entry.direction == "in" and ExpedientEntry.objects.filter(entry=entry).exists():
        raise InvalidInput(_("Aquest assentament ja és d'un altre expedient."))
    now = now or calendar.now()
    link = ExpedientEntry.objects.create(
        expedient=case, entry=entry, role=role, added_at=now, added_by_id=_uid(acting_user)
    )
    if entry.direction == "in":
        _file_in(entry, case)
    if entry.direction == "in":
        _documents_from_entry(case, entry, now=now, actor=acting_user)
    _note(
        case,
        step=STEP_ENTRY_ADDED,
        now=now,
        actor=acting_user,
        reason=entry.number or "",
        public=entry.direction == "in",
    )
    return link


def earlier_waiting(case: Expedient) -> int:
    """How many case files of the organ that came in before this one still wait to be taken up
    (art. 27.1: the order of entry)."""
    return (
        Expedient.objects.filter(
            organ_id=case.organ_id, state=State.OPENED, effective_at__lt=case.effective_at
        )
        .exclude(pk=case.pk)
        .count()
    )


def _check_order(
    case: Expedient, *, reason: str, acting_user: AbstractBaseUser | None, now: dt.datetime
) -> None:
    if case.state != State.OPENED:
        return
    waiting = earlier_waiting(case)
    if not waiting:
        return
    if not reason.strip():
        raise OutOfOrder(
            _(
                "Hi ha %(count)s expedients d'aquest òrgan que varen entrar abans i esperen. Per "
                "tramitar aquest primer, indicau-ne el motiu (art. 27.1 de l'ordenança)."
            )
            % {"count": waiting}
        )
    _note(
        case,
        step=STEP_OUT_OF_ORDER,
        now=now,
        actor=acting_user,
        reason=reason.strip(),
        public=False,
    )


def _locked(case: Expedient) -> Expedient:
    return (
        Expedient.objects.select_for_update(of=("self",))
        .select_related("procedure", "organ", "interested", "representative", "opening_entry")
        .get(pk=case.pk)
    )


@transaction.atomic
def start_processing(
    *,
    case: Expedient,
    acting_user: AbstractBaseUser,
    reason: str = "",
    now: dt.datetime | None = None,
) -> Expedient:
    """Take a case up (opened or remedied -> in process), in the organ's order or with a reason."""
    staff.check_works_for(acting_user, case.organ)
    case = _locked(case)
    now = now or calendar.now()
    _check_order(case, reason=reason, acting_user=acting_user, now=now)
    _move(case, State.IN_PROCESS, step=STEP_PROCESSING, now=now, actor=acting_user)
    return case


# --- Remedy (art. 24.3; Law 39/2015 art. 68) ------------------------------------------------------


def _notify_case(
    case: Expedient,
    *,
    document: Document,
    subject: str,
    acting_user: AbstractBaseUser | None,
    now: dt.datetime,
) -> Any:
    """Send a case's act to its interested person and to its representative, when the
    representation is proved (a power, a certificate, a declaration the organ checked: art. 26.1),
    with the case number as the reference its outcome comes back with. A representative by a power
    receives it while the power is in force (``representation.visible``)."""
    accredited = case.representative_id is not None and case.representation_accredited
    notification = sending.notify(
        organ=case.organ,
        holder=case.interested,
        representative=case.representative if accredited else None,
        power=case.power if accredited else None,
        documents=[document],
        subject=subject,
        acting_user=acting_user,
        related_entry=case.opening_entry,
        case_reference=case.number,
        procedure_code=case.procedure.code,
        language=case.language,
        now=now,
    )
    if notification.exit_entry_id is not None:
        ExpedientEntry.objects.create(
            expedient=case,
            entry_id=notification.exit_entry_id,
            role=ExpedientEntry.Role.EXIT,
            added_at=now,
            added_by_id=_uid(acting_user),
        )
    return notification


@transaction.atomic
def request_remedy(
    *,
    case: Expedient,
    text: str,
    acting_user: AbstractBaseUser,
    reason: str = "",
    now: dt.datetime | None = None,
) -> RemedyRequest:
    """Ask the person to remedy their request: a sealed request naming what is missing, notified
    to them; the ten working days start when the notification is practised or deemed rejected
    (``on_outcomes``), and the resolution deadline is suspended from then (art. 22.1.a)."""
    staff.check_works_for(acting_user, case.organ)
    text = (text or "").strip()
    if not text:
        raise InvalidCase({"text": [_("Indicau què cal esmenar o aportar.")]})
    if len(text) > 8000:
        raise InvalidCase({"text": [_("El text pot tenir com a màxim 8.000 caràcters.")]})
    case = _locked(case)
    now = now or calendar.now()
    WORKFLOW.check(case.state, State.REMEDY_REQUESTED)
    _check_order(case, reason=reason, acting_user=acting_user, now=now)
    with translation.override(case.language):
        title = _("Requeriment d'esmena de l'expedient %(number)s") % {"number": case.number}
    document = _issue_case_document(
        case,
        kind=Document.Kind.REMEDY_REQUEST,
        title=title,
        template_name="expedients/pdf/remedy.html",
        context={"text": text, "days": REMEDY_DAYS, "extension_days": REMEDY_EXTENSION_DAYS},
        document_type=ExpedientDocument.Type.NOTIFICATION,
        acting_user=acting_user,
        now=now,
    )
    notification = _notify_case(
        case, document=document, subject=title, acting_user=acting_user, now=now
    )
    remedy = RemedyRequest.objects.create(
        expedient=case,
        state=RemedyRequest.State.NOTIFYING,
        text=text,
        document=document,
        notification_id=notification.pk,
        requested_at=now,
        requested_by_id=_uid(acting_user),
        period_days=REMEDY_DAYS,
    )
    _move(case, State.REMEDY_REQUESTED, step=STEP_REMEDY_REQUESTED, now=now, actor=acting_user)
    return remedy


def running_remedy(case: Expedient) -> RemedyRequest | None:
    return (
        RemedyRequest.objects.filter(
            expedient=case, state__in=[RemedyRequest.State.NOTIFYING, RemedyRequest.State.RUNNING]
        )
        .order_by("-requested_at")
        .first()
    )


def answerable_remedy(case: Expedient) -> RemedyRequest | None:
    """The remedy request the person may answer now: a running one, or a lapsed one whose
    withdrawal has not been notified yet (Law 39/2015 art. 73.3)."""
    remedy = running_remedy(case)
    if remedy is not None:
        return remedy if remedy.state == RemedyRequest.State.RUNNING else None
    if case.state != State.WITHDRAWN:
        return None
    issued = Resolution.objects.filter(expedient=case, state=Resolution.State.ISSUED)
    withdrawal = unnotified_withdrawal(case)
    if withdrawal is not None:
        issued = issued.exclude(pk=withdrawal.pk)
    if issued.exists():
        return None
    return (
        RemedyRequest.objects.filter(expedient=case, state=RemedyRequest.State.LAPSED)
        .order_by("-requested_at")
        .first()
    )


def unnotified_withdrawal(case: Expedient) -> Resolution | None:
    """An issued withdrawal (an automated action, art. 23) whose notification has not been
    practised nor deemed rejected yet: an answer still counts, and leaves it without effect (Law
    39/2015 art. 73.3)."""
    return (
        Resolution.objects.filter(
            expedient=case, state=Resolution.State.ISSUED, kind=Resolution.Kind.WITHDRAWAL
        )
        .exclude(notification_state__in=PRACTISED_OR_DEEMED)
        .first()
    )


def _annul_withdrawal(case: Expedient, withdrawal: Resolution, *, now: dt.datetime) -> None:
    """The answer arrived before the withdrawal was notified: its notification is annulled (under
    the notification's row lock, so an access at the same instant wins or loses whole) and the
    withdrawal left without effect. ``InvalidInput`` when it was notified in the meantime."""
    assert withdrawal.notification_id is not None  # issued: notified at once
    notification = Notification.objects.get(pk=withdrawal.notification_id)
    with translation.override(case.language):
        reason = _(
            "Resolució de desistiment sense efecte: la persona ha atès el requeriment abans que "
            "se li notificàs (article 73.3 de la Llei 39/2015)."
        )
    try:
        annulled = sending.annul(
            notification=notification, reason=reason, acting_user=None, now=now
        )
    except sending.InvalidNotification:
        raise InvalidInput(
            _("La resolució de desistiment ja s'ha notificat: el requeriment ja no es pot atendre.")
        ) from None
    withdrawal.state = Resolution.State.ANNULLED
    withdrawal.notification_state = annulled.state
    withdrawal.notification_outcome_at = now
    withdrawal.save(update_fields=["state", "notification_state", "notification_outcome_at"])
    case.resolved_at = None
    case.save(update_fields=["resolved_at"])
    _note(case, step=STEP_WITHDRAWAL_ANNULLED, now=now, actor=None, reason=str(reason))


def answer_remedy(
    *,
    case: Expedient,
    identification: Identification,
    text: str,
    attached: Sequence[IncomingAttachment],
    presented_at: dt.datetime,
    language: str,
    now: dt.datetime | None = None,
) -> RegistryEntry:
    """The person answers a remedy request through the registry: an entry linked to the case
    (its files become documents of the case), the request answered, the case remedied and its
    resolution deadline resumed with the days it was suspended added."""
    with transaction.atomic():
        case = _locked(case)
        remedy = answerable_remedy(case)
        if remedy is None:
            raise InvalidInput(_("Aquest expedient no té cap requeriment d'esmena pendent."))
        text = (text or "").strip()
        if not text and not attached:
            raise InvalidCase(
                {"text": [_("Escriviu la resposta o adjuntau-hi almenys un document.")]}
            )
        now = now or calendar.now()
        withdrawal = unnotified_withdrawal(case)
        if withdrawal is not None:
            _annul_withdrawal(case, withdrawal, now=now)
        with translation.override(registry.receipt_language(language)):
            subject = _("Esmena de l'expedient %(number)s") % {"number": case.number}
        acting = representation.acting_in(
            identification,
            case,
            procedure_code=case.procedure.code,
            case_reference=case.number,
            at=now,
        )
        entry = registry.register_entry(
            organ=case.organ,
            subject=subject,
            exposition=text,
            interested=acting.interested,
            representative=acting.representative,
            representation_kind=acting.representation,
            power=acting.power,
            procedure_code=case.procedure.code,
            case_reference=case.number,
            attachments=attached,
            presented_at=presented_at,
            identification=identification,
            language=language,
            acting_user=identification.official.user if identification.official else None,
            now=now,
        )
        ExpedientEntry.objects.create(
            expedient=case, entry=entry, role=ExpedientEntry.Role.REMEDY, added_at=now
        )
        _documents_from_entry(case, entry, now=now, actor=None)
        remedy.state = RemedyRequest.State.ANSWERED
        remedy.answer_entry = entry
        remedy.answered_at = now
        remedy.save(update_fields=["state", "answer_entry", "answered_at"])
        if case.state == State.WITHDRAWN:
            Resolution.objects.filter(expedient=case, state=Resolution.State.DRAFT).delete()
        assert entry.effective_at is not None
        _resume(case, on=calendar.to_local(entry.effective_at).date())
        _move(
            case,
            State.REMEDIED,
            step=STEP_REMEDY_ANSWERED,
            now=now,
            actor=None,
            reason=entry.number or "",
            fields=DEADLINE_FIELDS,
        )
        return entry


@transaction.atomic
def extend_remedy(
    *, case: Expedient, identification: Identification, now: dt.datetime | None = None
) -> RemedyRequest:
    """Five more working days, asked once by the person before the period ends (art. 68.2)."""
    case = _locked(case)
    now = now or calendar.now()
    remedy = running_remedy(case)
    if remedy is None or remedy.state != RemedyRequest.State.RUNNING:
        raise InvalidInput(_("Aquest expedient no té cap termini d'esmena en curs."))
    if remedy.extended_at is not None:
        raise InvalidInput(_("El termini d'esmena ja s'ha ampliat una vegada."))
    assert remedy.due_at is not None and remedy.notified_at is not None
    if now >= remedy.due_at:
        raise InvalidInput(_("El termini d'esmena ja ha acabat."))
    remedy.period_days = REMEDY_DAYS + REMEDY_EXTENSION_DAYS
    remedy.extended_at = now
    remedy.due_at = remedy_due_at(remedy.notified_at, remedy.period_days)
    remedy.save(update_fields=["period_days", "extended_at", "due_at"])
    _note(case, step=STEP_REMEDY_EXTENDED, now=now, actor=None, reason=str(identification.pk))
    return remedy


def lapse_remedies(*, now: dt.datetime | None = None, limit: int = 100) -> int:
    """The beat: remedy periods past their end without an answer. The case is withdrawn, and the
    withdrawal resolution is drafted for the head of the organ, or issued at once as an automated
    action where the procedure says so (art. 23). Each row in a transaction of its own, claimed
    (``SKIP LOCKED``) and moved conditionally: two beats act once."""
    now = now or calendar.now()
    due = RemedyRequest.objects.filter(state=RemedyRequest.State.RUNNING, due_at__lte=now)

    def act(remedy: RemedyRequest) -> bool:
        updated = RemedyRequest.objects.filter(
            pk=remedy.pk, state=RemedyRequest.State.RUNNING
        ).update(state=RemedyRequest.State.LAPSED)
        if not updated:
            return False
        case = _locked(remedy.expedient)
        try:
            _move(
                case,
                State.WITHDRAWN,
                step=STEP_REMEDY_LAPSED,
                now=now,
                actor=None,
                reason=_("Termini d'esmena acabat el %(date)s")
                % {"date": calendar.format_instant(remedy.due_at)},
            )
        except StaleState:
            return False
        with translation.override(case.language):
            text = render_to_string(
                "expedients/withdrawal_text.txt", {"case": case, "remedy": remedy}
            ).strip()
        resolution = _draft(
            case, kind=Resolution.Kind.WITHDRAWAL, text=text, acting_user=None, now=now
        )
        if case.procedure.automated_withdrawal:
            _issue(case, resolution, acting_user=None, membership=None, now=now)
        return True

    return sweep_each(due, act, order_by=["due_at", "pk"], limit=limit)


# --- Silence (Law 39/2015 art. 24-25) -------------------------------------------------------------


def record_silences(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """The beat: open, unsuspended case files whose deadline has passed get the effect of silence
    recorded, once (claimed with ``SKIP LOCKED``, then a conditional update)."""
    now = now or calendar.now()
    today = calendar.to_local(now).date()
    done = 0
    with transaction.atomic():
        rows = claim_due(
            Expedient.objects.filter(
                silence_at__isnull=True,
                suspended_since__isnull=True,
                state__in=[State.OPENED, State.REMEDIED, State.IN_PROCESS],
                deadline__lt=today,
            ).select_related("procedure", "interested", "opening_entry"),
            limit=limit,
            order_by=["deadline", "pk"],
            of=("self",),
        )
        for case in rows:
            updated = Expedient.objects.filter(pk=case.pk, silence_at__isnull=True).update(
                silence_at=now, silence_effect=case.procedure.silence_effect
            )
            if not updated:
                continue
            case.silence_at = now
            case.silence_effect = case.procedure.silence_effect
            _note(
                case,
                step=STEP_SILENCE,
                now=now,
                actor=None,
                reason=str(SilenceEffect(case.silence_effect).label),
                notice=True,
            )
            done += 1
    return done


@transaction.atomic
def silence_certificate(*, case: Expedient, now: dt.datetime | None = None) -> Document:
    """A sealed certificate of the silence produced (Law 39/2015 art. 24.4), issued once and then
    handed out again."""
    case = _locked(case)
    if case.silence_certificate_id is not None:
        return case.silence_certificate  # type: ignore[return-value]
    if case.silence_at is None or case.silence_effect == SilenceEffect.NOT_APPLICABLE:
        raise InvalidInput(_("En aquest expedient no s'ha produït cap silenci administratiu."))
    now = now or calendar.now()
    with translation.override(case.language):
        title = _("Certificat de silenci administratiu de l'expedient %(number)s") % {
            "number": case.number
        }
    document = _issue_case_document(
        case,
        kind=Document.Kind.CERTIFICATE,
        title=title,
        template_name="expedients/pdf/silence.html",
        context={"effect": SilenceEffect(case.silence_effect).label},
        document_type=ExpedientDocument.Type.CERTIFICATE,
        now=now,
    )
    case.silence_certificate = document
    case.save(update_fields=["silence_certificate"])
    _note(case, step=STEP_DOCUMENT_ADDED, now=now, actor=None, reason=title)
    return document


# --- Resolution (art. 31, 11, 23) -----------------------------------------------------------------


def _draft(
    case: Expedient,
    *,
    kind: str,
    text: str,
    acting_user: AbstractBaseUser | None,
    now: dt.datetime,
) -> Resolution:
    Resolution.objects.filter(expedient=case, state=Resolution.State.DRAFT).delete()
    resolution = Resolution.objects.create(
        expedient=case,
        kind=kind,
        state=Resolution.State.DRAFT,
        text=text,
        drafted_at=now,
        drafted_by_id=_uid(acting_user),
    )
    _note(case, step=STEP_DRAFTED, now=now, actor=acting_user, public=False)
    return resolution


RESOLUTION_KINDS_BY_STATE = {
    State.OPENED: (
        Resolution.Kind.GRANTED,
        Resolution.Kind.PARTLY_GRANTED,
        Resolution.Kind.DENIED,
        Resolution.Kind.NOT_ADMITTED,
    ),
    State.REMEDIED: (
        Resolution.Kind.GRANTED,
        Resolution.Kind.PARTLY_GRANTED,
        Resolution.Kind.DENIED,
    ),
    State.IN_PROCESS: (
        Resolution.Kind.GRANTED,
        Resolution.Kind.PARTLY_GRANTED,
        Resolution.Kind.DENIED,
    ),
    State.WITHDRAWN: (Resolution.Kind.WITHDRAWAL,),
}


def _check_resolution(case: Expedient, kind: str, text: str) -> None:
    errors: dict[str, list[str]] = {}
    if kind not in RESOLUTION_KINDS_BY_STATE.get(State(case.state), ()):
        errors["kind"] = [_("Aquest sentit de resolució no és possible en l'estat de l'expedient.")]
    if not (text or "").strip():
        errors["text"] = [_("Escriviu els fonaments i la part dispositiva de la resolució.")]
    elif len(text) > 20000:
        errors["text"] = [_("El text pot tenir com a màxim 20.000 caràcters.")]
    if errors:
        raise InvalidCase(errors)


@transaction.atomic
def draft_resolution(
    *,
    case: Expedient,
    kind: str,
    text: str,
    acting_user: AbstractBaseUser,
    now: dt.datetime | None = None,
) -> Resolution:
    """A clerk prepares the resolution for the head of the organ (one draft at a time)."""
    staff.check_works_for(acting_user, case.organ)
    case = _locked(case)
    if case.resolutions.filter(state=Resolution.State.ISSUED).exists():
        raise InvalidInput(_("Aquest expedient ja està resolt."))
    _check_resolution(case, kind, text)
    return _draft(
        case, kind=kind, text=text.strip(), acting_user=acting_user, now=now or calendar.now()
    )


def _issue(
    case: Expedient,
    resolution: Resolution,
    *,
    acting_user: AbstractBaseUser | None,
    membership: Any,
    now: dt.datetime,
) -> Resolution:
    """Render the resolution with who resolves (or the organ of the automated action), seal it,
    add it to the case, notify it, and move the case."""
    automated = acting_user is None
    if automated:
        responsible = case.procedure.automated_organ or case.organ
        resolution.resolver_name = responsible.name
        resolution.resolver_post = ""
    else:
        resolution.resolver_name = (
            acting_user.get_full_name() or acting_user.get_username()  # type: ignore[union-attr]
        )
        resolution.resolver_post = membership.post or str(membership.get_role_display())
    resolution.automated = automated
    with translation.override(case.language):
        title = _("Resolució de l'expedient %(number)s") % {"number": case.number}
    document = _issue_case_document(
        case,
        kind=Document.Kind.RESOLUTION,
        title=title,
        template_name="expedients/pdf/resolution.html",
        context={
            "resolution": resolution,
            # Called by the template, in the case's language.
            "kind": resolution.get_kind_display,
            "automated_organ": (case.procedure.automated_organ or case.organ)
            if automated
            else None,
            "resolved_at": now,
        },
        document_type=ExpedientDocument.Type.RESOLUTION,
        acting_user=acting_user,
        now=now,
    )
    notification = _notify_case(
        case, document=document, subject=title, acting_user=acting_user, now=now
    )
    resolution.state = Resolution.State.ISSUED
    resolution.resolved_at = now
    resolution.resolved_by_id = _uid(acting_user)
    resolution.document = document
    resolution.notification_id = notification.pk
    resolution.save()
    case.resolved_at = now
    if resolution.kind == Resolution.Kind.NOT_ADMITTED:
        _move(
            case,
            State.NOT_ADMITTED,
            step=STEP_RESOLVED,
            now=now,
            actor=acting_user,
            fields=["resolved_at"],
        )
    elif case.state == State.WITHDRAWN:
        case.save(update_fields=["resolved_at"])
        _note(case, step=STEP_RESOLVED, now=now, actor=acting_user, notice=True)
    else:
        _move(
            case,
            State.RESOLVED,
            step=STEP_RESOLVED,
            now=now,
            actor=acting_user,
            fields=["resolved_at"],
        )
    return resolution


@transaction.atomic
def resolve(
    *,
    case: Expedient,
    acting_user: AbstractBaseUser,
    kind: str | None = None,
    text: str | None = None,
    now: dt.datetime | None = None,
) -> Resolution:
    """The head of the organ resolves (art. 31.1): the draft as it stands, or ``kind`` and
    ``text`` given now. The act names them and their post, is sealed with the town hall's seal
    (CSV on every page) and notified to the interested persons."""
    membership = staff.check_heads(acting_user, case.organ)
    case = _locked(case)
    now = now or calendar.now()
    if case.resolutions.filter(state=Resolution.State.ISSUED).exists():
        raise InvalidInput(_("Aquest expedient ja està resolt."))
    draft = case.resolutions.filter(state=Resolution.State.DRAFT).first()
    if kind is not None or text is not None or draft is None:
        _check_resolution(case, kind or "", text or "")
        draft = _draft(
            case, kind=kind or "", text=(text or "").strip(), acting_user=acting_user, now=now
        )
    else:
        _check_resolution(case, draft.kind, draft.text)
    return _issue(case, draft, acting_user=acting_user, membership=membership, now=now)


@transaction.atomic
def close(
    *, case: Expedient, acting_user: AbstractBaseUser | None, now: dt.datetime | None = None
) -> Expedient:
    if acting_user is not None:
        staff.check_works_for(acting_user, case.organ)
    case = _locked(case)
    now = now or calendar.now()
    case.closed_at = now
    _move(case, State.CLOSED, step=STEP_CLOSED, now=now, actor=acting_user, fields=["closed_at"])
    return case


# --- What notifications report --------------------------------------------------------------------

PRACTISED_OR_DEEMED = frozenset({"accessed", "delivered", "rejected", "expired"})


def on_outcomes(*, outcomes: Sequence[notification_hooks.Outcome]) -> None:
    """A notification of a case file ended (``notificacions.hooks.OUTCOMES``, in its transaction):
    a remedy request's period starts the day after it was practised or deemed rejected, and the
    resolution deadline is suspended from then; a resolution's outcome is recorded and the case
    closed once it is notified."""
    ids = [o.notification_id for o in outcomes if o.case_reference]
    if not ids:
        return
    by_id = {o.notification_id: o for o in outcomes}
    # Deemed rejected (art. 32.6) at the end of its ten days, whenever the sweep ran: the remedy
    # period counts from the day after that instant, not after the sweep's.
    expired = [o.notification_id for o in outcomes if o.state == "expired"]
    if expired:
        ends = notification_selectors.expiries(expired)
        by_id.update(
            {
                pk: dataclasses.replace(by_id[pk], at=min(by_id[pk].at, end))
                for pk, end in ends.items()
            }
        )
    for remedy in RemedyRequest.objects.filter(
        notification_id__in=ids, state=RemedyRequest.State.NOTIFYING
    ).select_related("expedient"):
        outcome = by_id[remedy.notification_id]
        if outcome.state not in PRACTISED_OR_DEEMED:
            continue  # not delivered: the organ must try again (another request)
        updated = RemedyRequest.objects.filter(
            pk=remedy.pk, state=RemedyRequest.State.NOTIFYING
        ).update(
            state=RemedyRequest.State.RUNNING,
            notified_at=outcome.at,
            due_at=remedy_due_at(outcome.at, remedy.period_days),
        )
        if not updated:
            continue
        case = _locked(remedy.expedient)
        _suspend(case, on=calendar.to_local(outcome.at).date())
        case.save(update_fields=list(DEADLINE_FIELDS))
        _note(case, step=STEP_REMEDY_NOTIFIED, now=outcome.at, actor=None, reason=outcome.state)
    for resolution in Resolution.objects.filter(
        notification_id__in=ids, state=Resolution.State.ISSUED, notification_state=""
    ).select_related("expedient"):
        outcome = by_id[resolution.notification_id]  # type: ignore[index]
        resolution.notification_state = outcome.state
        resolution.notification_outcome_at = outcome.at
        resolution.save(update_fields=["notification_state", "notification_outcome_at"])
        case = _locked(resolution.expedient)
        _note(case, step=STEP_NOTIFIED, now=outcome.at, actor=None, reason=outcome.state)
        if outcome.state in PRACTISED_OR_DEEMED and WORKFLOW.allows(case.state, State.CLOSED):
            case.closed_at = outcome.at
            _move(
                case,
                State.CLOSED,
                step=STEP_CLOSED,
                now=outcome.at,
                actor=None,
                fields=["closed_at"],
            )


def on_entry_not_admitted(
    *,
    entry: RegistryEntry,
    acting_user: AbstractBaseUser | None = None,
    now: dt.datetime | None = None,
    **_kwargs: Any,
) -> None:
    """Art. 33.b: an entry not admitted does not go on as a case file."""
    case = Expedient.objects.filter(opening_entry=entry).first()
    if case is None or not WORKFLOW.allows(case.state, State.NOT_ADMITTED):
        return
    case = _locked(case)
    _move(
        case,
        State.NOT_ADMITTED,
        step=STEP_NOT_ADMITTED,
        now=now or calendar.now(),
        actor=acting_user,
        reason=entry.not_admitted_reason,
    )


# --- The person -----------------------------------------------------------------------------------


def citizen_cases(identification: Identification) -> Any:
    """The case files the identified person may follow (art. 27.3): their own, and those a
    representation in force reaches (``representation.visible``)."""
    return Expedient.objects.filter(representation.visible_in_session(identification, CASE_COLUMNS))


def public_log(case: Expedient) -> Any:
    return case.transitions.filter(public=True).order_by("at", "pk")


def citizen_documents(case: Expedient) -> Any:
    """The documents the person may see (art. 27.3). An act sent as a notification (a remedy
    request, a resolution) only once it is practised or deemed rejected: opening the
    notification is what notifies it (art. 32.5), the case page must not do it first."""
    unnotified_remedies = RemedyRequest.objects.filter(
        expedient=case, notified_at__isnull=True
    ).values("document_id")
    unnotified_resolutions = (
        Resolution.objects.filter(expedient=case, document__isnull=False)
        .exclude(notification_state__in=PRACTISED_OR_DEEMED)
        .values("document_id")
    )
    return (
        case.documents.filter(public=True)
        .exclude(document_id__in=unnotified_remedies)
        .exclude(document_id__in=unnotified_resolutions)
        .select_related("document", "blob")
    )


def next_deadline(case: Expedient) -> tuple[str, dt.datetime | dt.date] | None:
    """What the person must watch, as a date: a running remedy's end, else the resolution
    deadline while the case is open."""
    return next_deadlines([case])[case.pk]


def next_deadlines(
    cases: Sequence[Expedient],
) -> dict[int, tuple[str, dt.datetime | dt.date] | None]:
    """``next_deadline`` of each case of a list, with one query for all their running remedies
    (a page of the carpeta's list, not one query a row)."""
    running: dict[int, RemedyRequest] = {}
    for remedy in RemedyRequest.objects.filter(
        expedient_id__in=[case.pk for case in cases],
        state__in=[RemedyRequest.State.NOTIFYING, RemedyRequest.State.RUNNING],
    ).order_by("expedient_id", "requested_at", "pk"):
        running[remedy.expedient_id] = remedy  # the latest requested, as ``running_remedy``
    found: dict[int, tuple[str, dt.datetime | dt.date] | None] = {}
    for case in cases:
        latest = running.get(case.pk)
        if latest is not None and latest.due_at is not None:
            found[case.pk] = (_("Termini per esmenar"), latest.due_at)
        elif case.is_open and not case.is_suspended:
            found[case.pk] = (_("Termini màxim de resolució"), case.deadline)
        else:
            found[case.pk] = None
    return found


# --- Catalogue pages (H1) -------------------------------------------------------------------------

# The texts of a procedure the catalogue's search box looks in (modeltranslation columns).
CATALOGUE_SEARCH_FIELDS = ("name", "summary", "topic")


def catalogue(*, text: str = "", language: str | None = None) -> list[Procedure]:
    """The published procedures (the generic request among them), ordered by subject and name
    as read in ``language`` (art. 21). ``text`` keeps those whose name, summary or subject
    contains every word typed, in that language or, where that language's column is empty, in
    Catalan (what the page shows then). Case and accents do not count ("padro" finds "Padró",
    "llicencia" "Llicència"): the words and texts are compared folded (``_folded``), in Python,
    since the published catalogue is a few dozen rows and no database collation does it the same
    way on SQLite and PostgreSQL."""
    language = (language or translation.get_language() or "ca")[:2]
    words = [_folded(word) for word in text.split()[:8]]
    found = []
    for procedure in Procedure.objects.published().select_related("organ"):
        texts = []
        for name in CATALOGUE_SEARCH_FIELDS:
            own = getattr(procedure, f"{name}_{language}", None) or ""
            texts.append(own or (getattr(procedure, f"{name}_ca", "") or ""))
        searched = _folded(" ".join(texts))
        if all(word in searched for word in words):
            found.append(procedure)
    return sorted(found, key=lambda p: (p.topic.casefold(), p.name.casefold(), p.code))


def _folded(text: str) -> str:
    """``text`` without case and accents (NFKD without its combining marks; "l·l" stays), for
    the catalogue's search."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def offer_procedures(*, found: list[tuple[str, str]], **_ignored: Any) -> None:
    """``representation.PROCEDURE_CATALOGUE``: the catalogue's procedures a power may be granted
    for (the generic request is none: only a general power reaches it)."""
    found.extend(
        (procedure.code, f"{procedure.name} ({procedure.code})")
        for procedure in catalogue()
        if not procedure.is_generic
    )


def offer_case_files(*, person: Person, found: list[tuple[str, str]], **_ignored: Any) -> None:
    """``representation.CASE_FILES``: the person's own case files a power may be granted for."""
    cases = (
        Expedient.objects.filter(interested=person)
        .select_related("procedure")
        .order_by("-opened_at", "-pk")[:CASE_CHOICES]
    )
    found.extend((case.number, f"{case.number} — {case.procedure.name}") for case in cases)


CASE_CHOICES = 200


def published_procedure(code: str) -> Procedure:
    """A procedure of the catalogue by its code, the generic request included; ``NotFound``
    otherwise (inactive, no published form)."""
    procedure = (
        Procedure.objects.published()
        .select_related("organ", "current_version")
        .filter(code=code)
        .first()
    )
    if procedure is None:
        raise NotFound(_("Aquest tràmit no existeix o no es pot presentar ara."))
    return procedure


# --- Documents added by other systems (H4) --------------------------------------------------------


def _choice_errors(document_type: str, elaboration: str, origin: int) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if document_type not in ExpedientDocument.Type.values:
        errors["document_type"] = [_("Indicau un tipus documental ENI vàlid (TD01 a TD99).")]
    if elaboration not in ExpedientDocument.Elaboration.values:
        errors["elaboration"] = [_("Indicau un estat d'elaboració ENI vàlid (EE01 a EE99).")]
    if origin not in ExpedientDocument.Origin.values:
        errors["origin"] = [_("L'origen ha de ser 0 (ciutadà) o 1 (administració).")]
    return errors


def _document_by_csv(case: Expedient, text: str) -> Document:
    """The document the seu issued for the case's organ with the CSV ``text`` (as printed or
    typed); another organ's is answered as one that does not exist."""
    from documents import selectors as document_selectors
    from documents import verification_code

    try:
        code = verification_code.parse(text)
    except (verification_code.MalformedCode, verification_code.MistypedCode) as exc:
        raise InvalidCase({"csv": [str(exc.message)]}) from None
    document = document_selectors.issued_for_organ(case.organ, [code]).first()
    if document is None:
        raise InvalidCase({"csv": [_("No hi ha cap document amb aquest CSV.")]})
    if ExpedientDocument.objects.filter(expedient=case, document=document).exists():
        raise InvalidCase({"csv": [_("Aquest document ja és a l'expedient.")]})
    return document


@transaction.atomic
def add_document(
    *,
    case: Expedient,
    document_type: str,
    title: str = "",
    upload: Any = None,
    csv: str = "",
    elaboration: str = ExpedientDocument.Elaboration.ORIGINAL,
    origin: int = ExpedientDocument.Origin.ADMINISTRATION,
    public: bool = False,
    acting_user: AbstractBaseUser | None,
    now: dt.datetime | None = None,
) -> ExpedientDocument:
    """Add a document to a case file (art. 22.1) with its ENI metadata: a PDF uploaded by
    another system of the organ, checked and sealed as an act of the organ with its own CSV
    (``documents.intake``, ``notificacions.sending.seal_upload``), or a document the seu already
    issued for the organ, named by its CSV. The document and its log step in one transaction: a
    refused file or a closed case leaves nothing behind (``InvalidCase`` names the field)."""
    from documents import intake

    if acting_user is not None:
        staff.check_works_for(acting_user, case.organ)
    case = _locked(case)
    if case.state == State.CLOSED:
        raise InvalidInput(
            _("Aquest expedient està tancat: no s'hi poden afegir documents."), code="case_closed"
        )
    errors = _choice_errors(document_type, elaboration, origin)
    if (upload is None) == (not csv):
        errors["file"] = [_("Indicau o bé el CSV d'un document de l'òrgan o bé el fitxer PDF.")]
    if errors:
        raise InvalidCase(errors)
    now = now or calendar.now()
    title = " ".join((title or "").split())
    if csv:
        document = _document_by_csv(case, csv)
    else:
        try:
            document = sending.seal_upload(
                upload,
                title=title,
                organ=case.organ,
                language=case.language,
                acting_user=acting_user,
                now=now,
            )
        except intake.RefusedFile as refused:
            raise InvalidCase({"file": [str(refused.message)]}) from None
    item = _add_document(
        case,
        title=title or document.title,
        document=document,
        content_type="application/pdf",
        origin=origin,
        document_type=document_type,
        elaboration=elaboration,
        public=public,
        now=now,
        actor=acting_user,
    )
    _note(
        case, step=STEP_DOCUMENT_ADDED, now=now, actor=acting_user, reason=item.title, public=public
    )
    return item


def document_bytes(item: ExpedientDocument) -> bytes:
    """The bytes of a case file's document, checked before anyone gets them: a sealed document's
    against what was sealed (``documents.services.checked_bytes``), a file a person brought
    against the SHA-256 it is stored under (the one its entry's sealed receipt lists).
    ``documents.services.IntegrityFailure`` (409) otherwise."""
    from documents import sealing

    if item.document is not None:
        return documents.checked_bytes(document=item.document)
    blob = item.blob
    assert blob is not None  # the row's check constraint: a document or a blob
    try:
        data = blob.read()
    except (OSError, ValueError):
        reason = "missing"
    else:
        if sealing.sha256_hex(data) == blob.sha256:
            return data
        reason = "content_mismatch"
    logging.getLogger("seu.security").error(
        "case file document integrity failure case=%s position=%s sha256=%s reason=%s",
        item.expedient_id,
        item.position,
        blob.sha256,
        reason,
    )
    raise documents.IntegrityFailure(reason=reason)


# --- A declared representation (art. 26.2.c) ------------------------------------------------------


def check_representation(
    *,
    case: Expedient,
    decision: str,
    reason: str = "",
    acting_user: AbstractBaseUser,
    now: dt.datetime | None = None,
) -> Expedient:
    """The organ's clerk checks a representation declared at filing (art. 26.2.c): checked (the
    representative is notified from then on with the person), proof requested (26.2, last
    paragraph) or refused (the declarant no longer sees the case file; the person still does),
    the last two with their reason. The case file and the declarant's entries in it record it,
    and the case's public log says it, with who and when."""
    staff.check_works_for(acting_user, case.organ)
    with transaction.atomic():
        case = _locked(case)
        representation.decide_declared(case, decision=decision, reason=reason)
        now = now or calendar.now()
        case.save(update_fields=["representation_check", "representation_reason"])
        # Every entry the declarant filed in the case (the request, a remedy's answer) with it.
        RegistryEntry.objects.filter(
            pk__in=ExpedientEntry.objects.filter(expedient=case).values("entry_id"),
            representative_id=case.representative_id,
            representation=case.representation,
        ).update(
            representation_check=case.representation_check,
            representation_reason=case.representation_reason,
        )
        _note(
            case,
            step=REPRESENTATION_STEPS[RepresentationCheck(decision)],
            now=now,
            actor=acting_user,
            reason=case.representation_reason,
            public=True,
            notice=True,
        )
    return case
