"""Use cases of the telematic registry (art. 24, 25, 33).

``register_entry`` writes an entry, its number and its sealed receipt in one transaction: a person
gets both or neither (art. 33.f). Exits are never registered on a non-working day (art. 33.h): one
made then waits, and ``register_due_exits`` (Celery beat) registers it at the next working day.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from documents import sealing, sheets
from documents import services as documents
from documents.models import Blob, Document, SealCertificate
from registre import attachments, hooks, inputs
from registre.attachments import IncomingAttachment
from registre.inputs import InvalidEntry
from registre.models import (
    BOOK_PREFIX,
    Direction,
    EntryAttachment,
    EntryTransition,
    FilingDraft,
    RegistryCounter,
    RegistryEntry,
)
from registre.receipt import receipt_sheet
from seu import calendar, catalan, people
from seu.core.numbering import take_number
from seu.core.sweeps import claim_due
from seu.core.workflow import InvalidTransition, Workflow
from seu.errors import InvalidInput, NotFound, Unavailable
from seu.identity import PersonData, representation, upsert_person
from seu.models import (
    Identification,
    Interruption,
    Organ,
    Person,
    Power,
    Representation,
    RepresentationCheck,
)
from seu.people import ContactDetails

logger = logging.getLogger(__name__)

RECEIPT_LANGUAGES = ("ca", "es")


class RegistryInterrupted(Unavailable):
    code = "registry_interrupted"


# The allowed changes of state, in one place (STYLE: explicit lifecycle).
WORKFLOW = Workflow(
    transitions={
        "": {RegistryEntry.State.PENDING, RegistryEntry.State.REGISTERED},
        RegistryEntry.State.PENDING: {RegistryEntry.State.REGISTERED},
        RegistryEntry.State.REGISTERED: {RegistryEntry.State.NOT_ADMITTED},
        RegistryEntry.State.NOT_ADMITTED: set(),
    },
    log_model=EntryTransition,
    subject_field="entry",
    message=_("Aquest assentament no pot passar de «%(from)s» a «%(to)s»."),
)


def receipt_language(language: str | None) -> str:
    """Receipts are issued in Catalan or Spanish, the official languages of the islands."""
    code = (language or "ca")[:2]
    return code if code in RECEIPT_LANGUAGES else "ca"


def check_registry_open(*, at: dt.datetime) -> None:
    """While a planned interruption lasts, say so instead of failing (art. 33.d, 17.1)."""
    interruption = Interruption.objects.ongoing(at=at, scope=Interruption.Scope.REGISTRY).first()
    if interruption is not None:
        raise RegistryInterrupted(
            _(
                "El registre electrònic està interromput %(until)s (%(reason)s). No s'ha "
                "registrat res. Mentrestant: %(alternatives)s"
            )
            % {
                "until": catalan.date_phrase("until", interruption.ends_at, "DATETIME_FORMAT"),
                "reason": interruption.reason,
                "alternatives": interruption.alternatives,
            }
        )


def _take_number(direction: str, year: int) -> int:
    """The next number of a book (``seu.core.numbering``): gapless, and given back on rollback."""
    return take_number(RegistryCounter, direction=direction, year=year)


def _assign_number(entry: RegistryEntry, *, effective_at: dt.datetime) -> None:
    year = calendar.to_local(effective_at).year
    sequence = _take_number(entry.direction, year)
    entry.year = year
    entry.sequence = sequence
    entry.number = f"{BOOK_PREFIX[Direction(entry.direction)]}/{year}/{sequence:06d}"
    entry.effective_at = effective_at


def _person(value: Person | PersonData | None) -> Person | None:
    if value is None or isinstance(value, Person):
        return value
    return upsert_person(value)


def _render_receipt(
    entry: RegistryEntry, attachments: Sequence[EntryAttachment]
) -> documents.RenderedDocument:
    """The receipt laid out with everything but the number (art. 33.f), before the number is
    taken: the layout, most of a receipt's work, stays outside the book's lock."""
    language = receipt_language(entry.language)
    return documents.render_sheet(
        sheet=receipt_sheet(entry, attachments, language=language),
        organ=entry.organ,
        language=language,
        now=entry.registered_at or calendar.now(),
    )


def _issue_receipt(
    entry: RegistryEntry,
    *,
    acting_user: AbstractBaseUser | None,
    rendered: documents.RenderedDocument,
    seal_certificate: SealCertificate | None = None,
) -> Document:
    """Print the entry's number on its receipt (``_render_receipt``, before the lock), seal and
    record it, in the entry's transaction."""
    language = receipt_language(entry.language)
    with translation.override(language):
        title = str(_("Rebut de presentació %(number)s") % {"number": entry.number})
    stamp = sealing.PageStamp(text=str(entry.number), x=sheets.STAMP_TEXT_X, y=sheets.STAMP_TEXT_Y)
    return documents.record_document(
        prepared=documents.seal_rendered(rendered, reason=title, stamp=stamp),
        kind=Document.Kind.RECEIPT,
        title=title,
        organ=entry.organ,
        language=language,
        acting_user=acting_user,
        seal_certificate=seal_certificate,
    )


@transaction.atomic
def register_entry(
    *,
    organ: Organ,
    subject: str,
    exposition: str = "",
    request: str = "",
    interested: Person | PersonData,
    representative: Person | PersonData | None = None,
    contact: ContactDetails | None = None,
    attachments: Sequence[IncomingAttachment] = (),
    form_answers: Sequence[Mapping[str, str]] = (),
    channel: str = RegistryEntry.Channel.ELECTRONIC,
    presented_at: dt.datetime,
    identification: Identification | None = None,
    language: str = "ca",
    acting_user: AbstractBaseUser | None = None,
    now: dt.datetime | None = None,
    working_calendar: calendar.WorkingCalendar | None = None,
    representation_kind: str = "",
    power: Power | None = None,
    procedure_code: str = "",
    case_reference: str = "",
) -> RegistryEntry:
    """Register an incoming entry and issue its sealed receipt (art. 33.f, 33.h, 33.i).

    ``presented_at`` is when the transmission began (art. 33.i); on a non-working day the entry
    counts from 00:00:01 of the next working day, and both instants are kept. The text and the
    persons are checked first (``registre.inputs``): ``InvalidEntry`` names every field at
    fault, and nothing is written, no number taken. ``contact`` is how to reach whoever files it
    about this entry (``seu.people.check_contact``; ``InvalidContact`` before anything is written).
    ``form_answers`` (``[{"label", "value"}]``, already checked by the procedure's form) are
    registered with the entry and listed on its receipt. ``working_calendar``: the caller's, when
    it computes other periods of the same filing (one reading of the municipal days).
    ``representation_kind`` and ``power``: how the representative proves it
    (``seu.identity.representation.Acting``); a representative named without them is a declared
    representation, to be checked by the organ (art. 26.2.c). ``procedure_code`` and
    ``case_reference``: the procedure and case file it is filed in, when one.
    """
    if contact is not None:
        contact = people.check_contact(**asdict(contact))
    checked = inputs.entry_input(
        subject=subject,
        exposition=exposition,
        request=request,
        interested=interested,
        representative=representative,
    )
    now = now or calendar.now()
    if channel != RegistryEntry.Channel.IN_PERSON:
        check_registry_open(at=presented_at)
    effective_at = (working_calendar or calendar.WorkingCalendar()).effective_instant(presented_at)
    interested_person = _person(checked.interested)
    representative_person = _person(checked.representative)
    entry = RegistryEntry(
        direction=Direction.IN,
        channel=channel,
        state=RegistryEntry.State.REGISTERED,
        presented_at=presented_at,
        registered_at=now,
        organ=organ,
        interested=interested_person,
        representative=representative_person,
        subject=checked.text.subject,
        exposition=checked.text.exposition,
        request=checked.text.request,
        form_answers=[
            {"label": str(item["label"]), "value": str(item["value"])} for item in form_answers
        ],
        language=receipt_language(language),
        identification=identification,
        created_by_id=acting_user.pk if acting_user else None,
        procedure_code=procedure_code,
        case_reference=case_reference,
    )
    if representative_person is not None:
        entry.representation = representation_kind or Representation.DECLARED
        entry.representation_check = (
            RepresentationCheck.TO_CHECK if entry.representation == Representation.DECLARED else ""
        )
        entry.power = power
    # The receipt, the book and every later reading show the persons as they are now (art.
    # 33.f-g), whatever later logins change in their current data.
    entry.record_parties(interested=interested_person, representative=representative_person)
    entry.record_contact(contact)
    entry.effective_at = effective_at
    rows = [
        EntryAttachment(
            entry=entry,
            position=position,
            name=item.name,
            content_type=item.content_type,
            format_label=item.format_label,
            size=item.blob.size,
            blob=item.blob,
            signatures=item.signatures,
        )
        for position, item in enumerate(attachments, start=1)
    ]
    rendered = _render_receipt(entry, rows)
    seal_certificate = documents.seal_certificate_row()
    entry.save(force_insert=True)
    EntryAttachment.objects.bulk_create(rows)
    WORKFLOW.start(entry, at=now, actor=acting_user)
    # From here to the commit the book's counter row is locked, so every submission waits for
    # the one before it to finish this part: only the number, the seal of the receipt with the
    # number printed on it, and the rows that record them.
    _assign_number(entry, effective_at=effective_at)
    entry.receipt = _issue_receipt(
        entry, acting_user=acting_user, rendered=rendered, seal_certificate=seal_certificate
    )
    entry.save(update_fields=["number", "year", "sequence", "receipt"])
    return entry


@transaction.atomic
def register_in_person_entry(
    *,
    organ: Organ,
    subject: str,
    exposition: str,
    request: str,
    interested: PersonData,
    representative: PersonData | None = None,
    scans: Sequence[UploadedFile] = (),
    language: str = "ca",
    acting_user: AbstractBaseUser,
    now: dt.datetime | None = None,
) -> RegistryEntry:
    """A request presented on paper at the office (channel: in person), with its scans: the
    entry, its number and its sealed receipt, or nothing (art. 33.f).

    The text and the persons are checked first, then every scan by the electronic registry's
    rules (``registre.attachments.check_uploads``: content, not name, decides the format; a
    damaged, encrypted or active file, or one over the limits, is refused). Only when all of them
    pass are the scans stored and the entry registered, in this one transaction; otherwise
    ``InvalidEntry`` names each field at fault (``attachments`` for the scans) and nothing is
    kept. A paper presented at the office counts from when the office registers it, and the
    registry's interruptions do not stop the office (``register_entry``)."""
    inputs.entry_input(
        subject=subject,
        exposition=exposition,
        request=request,
        interested=interested,
        representative=representative,
    )
    checked, refused = attachments.check_uploads(scans)
    if refused:
        raise InvalidEntry({"attachments": [refusal.message for refusal in refused]})
    now = now or calendar.now()
    return register_entry(
        organ=organ,
        subject=subject,
        exposition=exposition,
        request=request,
        interested=interested,
        representative=representative,
        attachments=[attachments.store(item) for item in checked],
        channel=RegistryEntry.Channel.IN_PERSON,
        presented_at=now,
        language=language,
        acting_user=acting_user,
        now=now,
    )


@transaction.atomic
def mark_not_admitted(
    *,
    entry: RegistryEntry,
    reason: str,
    alternatives: str,
    acting_user: AbstractBaseUser,
    now: dt.datetime | None = None,
) -> RegistryEntry:
    """An entry unrelated to the registry's procedures has no effect (art. 33.b): the person is
    told why and where they can file instead (``InvalidEntry`` if either is missing or too
    long). The person is sent a communication of it (``hooks.ENTRY_NOT_ADMITTED``), in this
    transaction: both or neither."""
    checked = inputs.not_admitted_input(reason=reason, alternatives=alternatives)
    now = now or calendar.now()
    entry = RegistryEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.direction != Direction.IN:
        raise InvalidTransition(_("Només es poden inadmetre assentaments d'entrada."))
    entry.not_admitted_reason = checked.reason
    entry.alternative_registries = checked.alternatives
    entry.save(update_fields=["not_admitted_reason", "alternative_registries"])
    WORKFLOW.move(
        entry,
        RegistryEntry.State.NOT_ADMITTED,
        at=now,
        actor=acting_user,
        reason=checked.reason,
    )
    hooks.ENTRY_NOT_ADMITTED.fire(entry=entry, acting_user=acting_user, now=now)
    return entry


@transaction.atomic
def register_exit(
    *,
    organ: Organ,
    addressee: str,
    subject: str,
    addressee_person: Person | PersonData | None = None,
    related_entry: RegistryEntry | None = None,
    acting_user: AbstractBaseUser | None,
    now: dt.datetime | None = None,
) -> RegistryEntry:
    """An exit (art. 33.g). On a non-working day it waits, unnumbered, for the next working day.
    The addressee and the summary are checked first (``registre.inputs``)."""
    checked = inputs.exit_input(
        addressee=addressee, subject=subject, addressee_person=addressee_person
    )
    now = now or calendar.now()
    working_calendar = calendar.WorkingCalendar()
    addressee_row = _person(checked.addressee_person)
    entry = RegistryEntry(
        direction=Direction.OUT,
        channel=RegistryEntry.Channel.ELECTRONIC,
        state=RegistryEntry.State.PENDING,
        presented_at=now,
        organ=organ,
        interested=addressee_row,
        addressee=checked.addressee,
        subject=checked.subject,
        related_entry=related_entry,
        created_by_id=acting_user.pk if acting_user else None,
    )
    entry.record_parties(interested=addressee_row, representative=None)
    if working_calendar.is_working_day(calendar.to_local(now).date()):
        _assign_number(entry, effective_at=now)
        entry.state = RegistryEntry.State.REGISTERED
        entry.registered_at = now
    else:
        entry.due_at = working_calendar.next_working_day_start(now)
    entry.save(force_insert=True)
    WORKFLOW.start(entry, at=now, actor=acting_user)
    return entry


def register_due_exits(*, now: dt.datetime | None = None, limit: int = 200) -> int:
    """Register the exits that waited for a working day, in the order they were made.

    Each is claimed with ``SELECT ... FOR UPDATE SKIP LOCKED`` and a state check, so two sweepers
    never register one twice and a missed run is caught up by the next.
    """
    now = now or calendar.now()
    if not calendar.WorkingCalendar().is_working_day(calendar.to_local(now).date()):
        return 0
    done = 0
    with transaction.atomic():
        due = claim_due(
            RegistryEntry.objects.filter(
                direction=Direction.OUT, state=RegistryEntry.State.PENDING, due_at__lte=now
            ),
            order_by=["presented_at", "pk"],
            limit=limit,
        )
        for entry in due:
            _assign_number(entry, effective_at=now)
            entry.registered_at = now
            entry.save(
                update_fields=["number", "year", "sequence", "effective_at", "registered_at"]
            )
            WORKFLOW.move(entry, RegistryEntry.State.REGISTERED, at=now)
            hooks.EXIT_REGISTERED.fire(entry=entry, now=now)
            done += 1
    return done


# --- Requests never filed ------------------------------------------------------------------------


def draft_blob_hashes() -> list[str]:
    """The files of every draft still kept: they must outlive the purge of unreferenced files."""
    hashes: list[str] = []
    for kept in FilingDraft.objects.filter(entry__isnull=True).values_list(
        "attachments", flat=True
    ):
        hashes.extend(item["sha256"] for item in kept or [])
    return hashes


def purge_abandoned_drafts(*, now: dt.datetime | None = None) -> int:
    """Delete requests that were never confirmed, ``REGISTRY_DRAFT_RETENTION_HOURS`` after their
    last change: what a person typed and attached without filing it is not kept (nothing was
    presented, art. 33.f). Their files go with the next purge of unreferenced contents."""
    now = now or calendar.now()
    deadline = now - dt.timedelta(hours=settings.REGISTRY_DRAFT_RETENTION_HOURS)
    deleted, _by_model = FilingDraft.objects.filter(
        entry__isnull=True, updated_at__lt=deadline
    ).delete()
    return deleted


# --- A citizen's request, from the form to the entry (art. 33.f) --------------------------------


def stored_attachment(item: IncomingAttachment) -> dict[str, Any]:
    """How a checked, stored file is kept in a draft until the entry is registered."""
    return {
        "sha256": item.blob.sha256,
        "name": item.name,
        "content_type": item.content_type,
        "format_label": item.format_label,
        "size": item.blob.size,
        "signatures": item.signatures,
    }


def draft_is_complete(draft: FilingDraft) -> bool:
    return bool(
        draft.organ is not None
        and draft.organ.is_active
        and draft.subject.strip()
        and draft.exposition.strip()
        and draft.request.strip()
    )


def open_draft(*, identification: Identification, public_id: object) -> FilingDraft | None:
    """The identification's unfiled draft of that id, or None (someone else's, or filed)."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        return None
    return (
        FilingDraft.objects.select_related("organ")
        .filter(public_id=key, identification=identification, entry__isnull=True)
        .first()
    )


@transaction.atomic
def save_draft(
    *,
    identification: Identification,
    draft: FilingDraft | None,
    organ: Organ | None,
    subject: str,
    exposition: str,
    request: str,
    uploads: Sequence[Any],
    remove: Sequence[str] = (),
    contact: ContactDetails | None = None,
    behalf: representation.Behalf | None = None,
    now: dt.datetime | None = None,
) -> tuple[FilingDraft, list[attachments.AttachmentRefused]]:
    """Keep what the person typed and the files that pass the checks, even when something else is
    refused, so that they only fix what the message names; files named in ``remove`` leave.
    ``behalf``: on whose behalf it is filed (``representation.keep_behalf``)."""
    kept = [item for item in (draft.attachments if draft else []) if item["sha256"] not in remove]
    accepted, refused = attachments.accept_uploads(
        uploads,
        already_hashes=[item["sha256"] for item in kept],
        already_bytes=sum(int(item["size"]) for item in kept),
    )
    draft = draft or FilingDraft(identification=identification)
    draft.organ = organ
    draft.subject = subject
    draft.exposition = exposition
    draft.request = request
    if contact is not None:  # as typed: checked again when the draft is filed
        draft.contact_email = contact.email[:254]
        draft.contact_phone = contact.phone[:40]
        draft.contact_postal_address = contact.postal_address
    draft.attachments = kept + [stored_attachment(item) for item in accepted]
    representation.keep_behalf(draft, identification, behalf)
    draft.updated_at = now or calendar.now()
    draft.save()
    return draft, refused


def _incoming(draft: FilingDraft) -> list[IncomingAttachment]:
    blobs = Blob.objects.in_bulk([item["sha256"] for item in draft.attachments])
    return [
        IncomingAttachment(
            name=item["name"],
            content_type=item["content_type"],
            format_label=item["format_label"],
            blob=blobs[item["sha256"]],
            signatures=item.get("signatures", []),
        )
        for item in draft.attachments
    ]


class IncompleteDraft(InvalidInput):
    code = "incomplete_draft"


def file_draft(
    *,
    identification: Identification,
    public_id: object,
    presented_at: dt.datetime,
    language: str,
    answers: Mapping[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> RegistryEntry:
    """Register a citizen's draft: the entry and its receipt at once, or nothing (art. 33.f).

    The draft's row is locked while it is registered, so a second confirmation of the same draft
    waits for the first and then returns its entry instead of registering it again. In an
    assisted session (art. 14) the official who acts is recorded on the entry. ``answers`` (the
    confirmation form as sent) go to the apps that asked a question on it
    (``hooks.FILING_ANSWERED``) in this transaction, before the entry: ``hooks.AnswerRefused``
    if one refuses them, and then nothing is filed nor recorded."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise NotFound(_("Aquesta sol·licitud no existeix o ja no és vostra.")) from None
    drafts = FilingDraft.objects.select_related("organ").filter(
        public_id=key, identification=identification
    )
    with transaction.atomic():
        draft = drafts.select_for_update(of=("self",)).first()
        if draft is None:
            raise NotFound(_("Aquesta sol·licitud no existeix o ja no és vostra."))
        if draft.entry_id is not None:
            return draft.entry  # type: ignore[return-value]
        if not draft_is_complete(draft):
            raise IncompleteDraft(_("Revisau la sol·licitud: hi falten dades."))
        assert draft.organ is not None
        try:
            contact = people.check_contact(
                email=draft.contact_email,
                phone=draft.contact_phone,
                postal_address=draft.contact_postal_address,
            )
        except people.InvalidContact as invalid:
            raise IncompleteDraft(invalid.message) from None
        now = now or calendar.now()  # one instant for the answers and the entry
        acting = representation.acting_for(
            identification, behalf=representation.Behalf.from_draft(draft), at=now
        )
        hooks.FILING_ANSWERED.fire(
            identification=identification,
            answers=answers or {},
            language=language,
            now=now,
            on_behalf_of=acting.on_behalf_of(identification),
        )
        try:
            entry = register_entry(
                organ=draft.organ,
                subject=draft.subject.strip(),
                exposition=draft.exposition.strip(),
                request=draft.request.strip(),
                interested=acting.interested,
                representative=acting.representative,
                representation_kind=acting.representation,
                power=acting.power,
                contact=contact,
                attachments=_incoming(draft),
                channel=RegistryEntry.Channel.ELECTRONIC,
                presented_at=presented_at,
                identification=identification,
                language=language,
                acting_user=identification.official.user if identification.official else None,
                now=now,
            )
        except InvalidEntry as invalid:
            # The form keeps its text within the limits; a draft kept from before a limit
            # changed goes back to the form with what to fix.
            raise IncompleteDraft(invalid.message) from None
        draft.entry = entry
        draft.updated_at = now or calendar.now()
        draft.save(update_fields=["entry", "updated_at"])
        return draft.entry


@dataclass(frozen=True)
class ReceiptFile:
    data: bytes
    filename: str


def receipt_file(*, entry: RegistryEntry) -> ReceiptFile:
    """An entry's sealed receipt as every channel hands it out (the carpeta, the API, the
    back-office): its bytes checked against what was sealed (``documents.IntegrityFailure``
    otherwise, with the incident recorded) and named after the entry's number."""
    if entry.receipt is None or entry.number is None:
        raise NotFound(_("Aquest assentament no té rebut."))
    data = documents.checked_bytes(document=entry.receipt)
    return ReceiptFile(data=data, filename=f"rebut-{entry.number.replace('/', '-')}.pdf")
