"""Sending a notification or a communication (art. 32, 33.b, 33.g, 25.4): one service that every
channel calls (the registry entry's back-office page, the API, the case files above, the
non-admission listener).

``notify`` validates everything first, then in one transaction: the exit entry (``registre``;
on a non-working day it waits, and so does the notification), the notification with its
documents, and, once the exit is registered, ``make_available``: the expiry instant computed by
``seu.calendar`` and stored, the sealed evidence of availability (or of issue, on paper), the
first reminder's instant, and one notice e-mail row per recipient with an address (``seu.core.
outbox``; it leaves after the commit and says only that something awaits, from whom, until when
and where). The notice never conditions the notification's validity (Law 39/2015, art. 41.6).

Notices to both (art. 32; #16 item 5): the holder, and the representative the organ named, each
at the address of their own consent. A representative named with a power (``Notification.
power``) is told only while that power is in force at the instant of the notice (a revoked or
ended power: no e-mail, and they no longer see it). A representative who is not named but holds a
power in force that reaches the notification sees it in their inbox and may open it, but gets no
e-mail: the organ decides whom it notifies, a general power would otherwise bring every act of
the grantor to an address the grantor never chose for it, and the holder, always told, is the one
the notification is addressed to. Reminders (``reminders``) follow the same rule.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from documents import intake
from documents import services as documents_service
from documents.models import Document
from notificacions import clock, evidence
from notificacions import services as consents
from notificacions.models import (
    Notification,
    NotificationDocument,
    NotificationEvent,
)
from notificacions.selectors import current_consent
from registre import services as registre
from registre.models import RegistryEntry
from seu import caching, calendar
from seu.core import outbox
from seu.core.workflow import Workflow
from seu.errors import InvalidInput
from seu.identity import PersonData, upsert_person
from seu.models import LoA, Organ, Person, Power

State = Notification.State
Event = NotificationEvent.Event
Kind = Notification.Kind
Channel = Notification.Channel

SUBJECT_MAX_LENGTH = 300
MAX_DOCUMENTS = 20

# The allowed changes of state, in one place (STYLE: explicit lifecycle). "" is creation.
WORKFLOW = Workflow(
    transitions={
        "": {State.PENDING, State.AVAILABLE, State.TO_POST},
        State.PENDING: {State.AVAILABLE, State.TO_POST, State.ANNULLED},
        State.AVAILABLE: {State.ACCESSED, State.REJECTED, State.EXPIRED, State.ANNULLED},
        State.TO_POST: {State.POSTED, State.ANNULLED},
        State.POSTED: {State.DELIVERED, State.REJECTED, State.UNDELIVERED},
        State.ACCESSED: set(),
        State.REJECTED: set(),
        State.EXPIRED: set(),
        State.DELIVERED: set(),
        State.UNDELIVERED: set(),
        State.ANNULLED: set(),
    },
    log_model=NotificationEvent,
    subject_field="notification",
    message=_("Aquesta notificació no pot passar de «%(from)s» a «%(to)s»."),
    label=lambda state: str(State(state).label) if state in State.values else state,
)


class InvalidNotification(InvalidInput):
    """A notification that cannot be sent; ``errors`` names each field at fault."""

    code = "invalid_notification"

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        super().__init__(" ".join(message for messages in errors.values() for message in messages))
        self.errors = dict(errors)


@dataclass(frozen=True)
class Recipient:
    """Someone a notice goes to: the holder or the representative, at the address they gave."""

    person: Person
    role: str
    email: str


def _holder_row(holder: Person | PersonData | None, errors: dict[str, list[str]]) -> Person | None:
    if holder is None:
        errors.setdefault("holder", []).append(
            str(_("Indicau la persona a qui s'adreça la notificació."))
        )
        return None
    if isinstance(holder, Person):
        return holder
    if not (holder.nif or "").strip():
        errors.setdefault("holder", []).append(
            str(_("La persona destinatària ha de tenir NIF, NIE o CIF."))
        )
        return None
    try:
        return upsert_person(holder)
    except ValidationError:  # the NIF's own validator refused it
        errors.setdefault("holder", []).append(
            str(_("El NIF, NIE o CIF de la persona destinatària no és vàlid."))
        )
        return None


def _check_documents(documents: Sequence[Document], errors: dict[str, list[str]]) -> None:
    if not documents:
        errors.setdefault("documents", []).append(
            str(_("Triau com a mínim un document segellat per notificar."))
        )
    elif len(documents) > MAX_DOCUMENTS:
        errors.setdefault("documents", []).append(
            str(_("Una notificació pot dur com a màxim %(n)s documents.") % {"n": MAX_DOCUMENTS})
        )
    elif len({document.pk for document in documents}) != len(documents):
        errors.setdefault("documents", []).append(str(_("Un document hi és repetit.")))


def is_electronic_for(person: Person, procedure_code: str = "", case_reference: str = "") -> bool:
    """Whether ``person`` is notified electronically: a legal person always (Law 39/2015,
    art. 14.2: obliged to deal with the administration electronically), a natural person when
    their consent covers the procedure (art. 32.1-32.2) and they have not asked for paper in this
    case file (art. 32.7)."""
    if person.kind == Person.Kind.LEGAL:
        return True
    if case_reference and consents.asked_paper_for_case(person, case_reference):
        return False
    consent = current_consent(person)
    return consent is not None and consent.covers(procedure_code or None)


def _represents_at(notification: Notification, at: dt.datetime) -> bool:
    """Whether the named representative still receives it: named without a power, as named;
    with one, only while it is in force (revoked or ended, they no longer see it either)."""
    if notification.power_id is None:
        return True
    # Asked of the database: the row in hand may predate a revocation.
    return Power.objects.in_force(at=at).filter(pk=notification.power_id).exists()


def recipients(notification: Notification, *, at: dt.datetime | None = None) -> list[Recipient]:
    """Who the notices go to at ``at`` (see the module): the holder and the representative the
    organ named (while the power it named them with is in force), each at the address of their
    own consent (or a legal person's e-mail on record), when they have one."""
    at = at or calendar.now()
    found = []
    for person, role in (
        (notification.holder, Notification.Role.HOLDER),
        (notification.representative, Notification.Role.REPRESENTATIVE),
    ):
        if person is None:
            continue
        if role == Notification.Role.REPRESENTATIVE and not _represents_at(notification, at):
            continue
        consent = current_consent(person)
        email = consent.email if consent is not None and consent.is_given else ""
        if not email and person.kind == Person.Kind.LEGAL:
            email = person.email
        if email:
            found.append(Recipient(person=person, role=role, email=email))
    return found


def notification_url(notification: Notification) -> str:
    return settings.SEU_BASE_URL + reverse(
        "notificacions:detail", kwargs={"public_id": notification.public_id}
    )


def queue_notice(
    notification: Notification, *, event: str, now: dt.datetime, recipient: Recipient
) -> NotificationEvent:
    """One notice (``event`` NOTICE at availability, REMINDER before expiry) as an e-mail row, and
    its fact on the notification's log. It names no content: only that a notification awaits,
    from which organ, until when and where (#14; Law 39/2015, art. 41.6)."""
    town_hall = caching.town_hall()
    context = {
        "notification": notification,
        "town_hall": town_hall,
        "organ": notification.organ,
        "expires_at": notification.expires_at,
        "url": settings.SEU_BASE_URL + reverse("notificacions:list"),
        "is_reminder": event == Event.REMINDER,
        # A representative is told it is theirs as representative, not whose (no content).
        "as_representative": recipient.role == Notification.Role.REPRESENTATIVE,
    }
    with translation.override(notification.language):
        if notification.kind == Kind.COMMUNICATION:
            subject = gettext("Teniu una comunicació a la seu electrònica")
        elif event == Event.REMINDER:
            subject = gettext("Recordatori: teniu una notificació pendent d'obrir")
        else:
            subject = gettext("Teniu una notificació a la seu electrònica")
        text_body = render_to_string("notificacions/email/notice.txt", context)
    email = outbox.queue_email(
        kind=f"notification_{event}",
        to=recipient.email,
        subject=f"{subject} — {town_hall.name}",
        text_body=text_body,
        about=notification,
        now=now,
    )
    logged = WORKFLOW.note(
        notification,
        at=now,
        log_fields={
            "event": event,
            "person": recipient.person,
            "role": recipient.role,
            "details": {"email": recipient.email, "outgoing_email": email.pk},
        },
    )
    assert isinstance(logged, NotificationEvent)
    return logged


def make_available(notification: Notification, *, now: dt.datetime) -> Notification:
    """Put a notification whose exit entry is registered at the person's disposal (electronic)
    or in the office's list to post (paper), with its sealed evidence and its notices."""
    electronic = notification.channel == Channel.ELECTRONIC
    to_state = State.AVAILABLE if electronic else State.TO_POST
    notification.available_at = now
    periods: list[dict[str, str]] = []
    if electronic and notification.kind == Kind.NOTIFICATION:
        notification.base_expires_at = calendar.notification_expiry(now)
        notification.expires_at, periods = clock.expiry_and_periods(
            notification.base_expires_at, available_at=now, now=now
        )
        notification.next_reminder_at = clock.first_reminder_at(notification)
    notification.evidence = evidence.issue_availability_evidence(notification, now=now)
    WORKFLOW.move(
        notification,
        to_state,
        at=now,
        fields=["available_at", "base_expires_at", "expires_at", "next_reminder_at", "evidence"],
        log_fields={
            "event": Event.AVAILABLE if electronic else Event.CREATED,
            "details": {
                "exit_entry": notification.exit_entry.number,
                "expires_at": notification.expires_at.isoformat()
                if notification.expires_at
                else None,
                "evidence_csv": notification.evidence.csv,
                # Periods known at availability that already extend the ten days (art. 17).
                "periods": periods,
            },
        },
    )
    if electronic:
        for recipient in recipients(notification, at=now):
            queue_notice(notification, event=Event.NOTICE, now=now, recipient=recipient)
    return notification


def seal_upload(
    upload: UploadedFile,
    *,
    title: str,
    organ: Organ,
    language: str = "ca",
    acting_user: AbstractBaseUser | None = None,
    now: dt.datetime | None = None,
) -> Document:
    """An act a clerk or another system uploads to notify, checked and sealed as a document of
    the town hall with its own CSV (``documents.services.seal_uploaded_pdf``), in the caller's
    transaction; ``documents.intake.RefusedFile`` names the file at fault. Its size is checked
    before it is read: a file over the limit is never read into memory."""
    name = os.path.basename(upload.name or "document.pdf")
    limit = settings.REGISTRY_MAX_FILE_BYTES
    if upload.size is not None and upload.size > limit:
        raise intake.too_large(name, size=upload.size, limit=limit)
    upload.seek(0)
    return documents_service.seal_uploaded_pdf(
        data=upload.read(),
        name=name,
        title=title or os.path.splitext(name)[0] or name,
        organ=organ,
        language=language,
        max_bytes=limit,
        acting_user=acting_user,
        now=now,
    )


@transaction.atomic
def notify(
    *,
    organ: Organ,
    holder: Person | PersonData | None,
    documents: Sequence[Document],
    subject: str,
    acting_user: AbstractBaseUser | None,
    representative: Person | PersonData | None = None,
    power: Power | None = None,
    kind: str = Kind.NOTIFICATION,
    required_loa: str = LoA.SUBSTANTIAL,
    related_entry: RegistryEntry | None = None,
    case_reference: str = "",
    procedure_code: str = "",
    language: str = "ca",
    now: dt.datetime | None = None,
) -> Notification:
    """Send ``documents`` to ``holder`` (and ``representative``): see the module. Raises
    ``InvalidNotification`` (nothing written) when an input is wrong."""
    now = now or calendar.now()
    errors: dict[str, list[str]] = {}
    subject = " ".join((subject or "").split())
    if not subject:
        errors["subject"] = [str(_("Indicau l'assumpte de la notificació."))]
    elif len(subject) > SUBJECT_MAX_LENGTH:
        errors["subject"] = [
            str(_("L'assumpte pot tenir com a màxim %(n)s caràcters.") % {"n": SUBJECT_MAX_LENGTH})
        ]
    if required_loa not in LoA.values:
        errors["required_loa"] = [str(_("Triau un nivell d'identificació vàlid."))]
    if kind not in Kind.values:
        errors["kind"] = [str(_("Triau si és una notificació o una comunicació."))]
    _check_documents(documents, errors)
    if errors:
        raise InvalidNotification(errors)
    # Persons after the plain checks: an invalid request writes no person row.
    with transaction.atomic():
        holder_row = _holder_row(holder, errors)
        representative_row = _holder_row(representative, {}) if representative is not None else None
        if representative is not None and representative_row is None:
            errors["representative"] = [str(_("El NIF, NIE o CIF del representant no és vàlid."))]
        if errors:
            transaction.set_rollback(True)
            raise InvalidNotification(errors)
    assert holder_row is not None
    electronic = is_electronic_for(holder_row, procedure_code, case_reference) or (
        representative_row is not None
        and is_electronic_for(representative_row, procedure_code, case_reference)
    )
    exit_entry = registre.register_exit(
        organ=organ,
        addressee=holder_row.display_name,
        subject=subject,
        addressee_person=holder_row,
        related_entry=related_entry,
        acting_user=acting_user,
        now=now,
    )
    notification = Notification(
        kind=kind,
        channel=Channel.ELECTRONIC if electronic else Channel.PAPER,
        state=State.PENDING,
        organ=organ,
        holder=holder_row,
        representative=representative_row,
        power=power if representative_row is not None else None,
        subject=subject,
        procedure_code=procedure_code,
        case_reference=case_reference,
        related_entry=related_entry,
        exit_entry=exit_entry,
        required_loa=required_loa,
        language=language if language in dict(settings.LANGUAGES) else "ca",
        created_at=now,
        created_by_id=acting_user.pk if acting_user else None,
    )
    WORKFLOW.start(notification, at=now, actor=acting_user, log_fields={"event": Event.CREATED})
    NotificationDocument.objects.bulk_create(
        NotificationDocument(notification=notification, document=document, position=index)
        for index, document in enumerate(documents)
    )
    if exit_entry.state == RegistryEntry.State.REGISTERED:
        make_available(notification, now=now)
    return notification


def on_exit_registered(*, entry: RegistryEntry, now: dt.datetime) -> None:
    """``registre.hooks.EXIT_REGISTERED``: the exit a notification waited for got its number on
    a working day; the notification is made available now (its ten days start now, so time spent
    waiting never shortens them)."""
    notification = (
        Notification.objects.select_for_update(of=("self",))
        .select_related("exit_entry", "organ", "holder", "representative", "power")
        .filter(exit_entry=entry, state=State.PENDING)
        .first()
    )
    if notification is not None:
        make_available(notification, now=now)


# --- Paper and annulment -------------------------------------------------------------------------

PAPER_OUTCOMES: dict[str, str] = {
    State.POSTED: Event.POSTED,
    State.DELIVERED: Event.DELIVERED,
    State.REJECTED: Event.REJECTED,
    State.UNDELIVERED: Event.UNDELIVERED,
}
PAPER_DETAILS_MAX_LENGTH = 2000


@transaction.atomic
def record_paper_outcome(
    *,
    notification: Notification,
    outcome: str,
    at: dt.datetime,
    acting_user: AbstractBaseUser,
    details: str = "",
    now: dt.datetime | None = None,
) -> Notification:
    """A clerk records what happened to a paper notification: posted, then delivered, rejected
    by the person or not delivered (with the postal service's details: who received it, the
    attempts). ``at`` is when it happened (the delivery receipt's date), not when it is typed."""
    now = now or calendar.now()
    details = (details or "").strip()
    if outcome not in PAPER_OUTCOMES:
        raise InvalidNotification({"outcome": [str(_("Triau un resultat vàlid."))]})
    if len(details) > PAPER_DETAILS_MAX_LENGTH:
        raise InvalidNotification(
            {
                "details": [
                    str(
                        _("Els detalls poden tenir com a màxim %(n)s caràcters.")
                        % {"n": PAPER_DETAILS_MAX_LENGTH}
                    )
                ]
            }
        )
    if at > now:
        raise InvalidNotification({"at": [str(_("La data no pot ser posterior a ara."))]})
    locked = Notification.objects.select_for_update(of=("self",)).get(pk=notification.pk)
    if locked.channel != Channel.PAPER:
        raise InvalidNotification({"outcome": [str(_("Aquesta notificació no és en paper."))]})
    if locked.available_at is not None and at < locked.available_at:
        raise InvalidNotification(
            {"at": [str(_("La data no pot ser anterior a l'emissió de la notificació."))]}
        )
    fields = []
    if outcome != State.POSTED:
        locked.outcome_at = at
        locked.certificate_due_at = now
        fields = ["outcome_at", "certificate_due_at"]
    WORKFLOW.move(
        locked,
        outcome,
        at=now,
        actor=acting_user,
        reason=details,
        fields=fields,
        log_fields={"event": PAPER_OUTCOMES[outcome], "details": {"happened_at": at.isoformat()}},
    )
    if outcome != State.POSTED:
        from notificacions import hooks

        hooks.report_outcomes([hooks.Outcome(locked.pk, locked.case_reference, outcome, at)])
        outbox.after_commit("notificacions.tasks.issue_certificate", locked.pk)
    return locked


@transaction.atomic
def annul(
    *,
    notification: Notification,
    reason: str,
    acting_user: AbstractBaseUser | None,
    now: dt.datetime | None = None,
) -> Notification:
    """Withdraw a notification sent by mistake before it is practised (e-NOTUM's annulment): it
    stays in the person's list as annulled, with the reason; no more reminders. ``acting_user``
    None: the case file's own rule (an automated withdrawal answered in time, art. 73.3)."""
    now = now or calendar.now()
    reason = " ".join((reason or "").split())
    if not reason:
        raise InvalidNotification({"reason": [str(_("Indicau el motiu de l'anul·lació."))]})
    locked = Notification.objects.select_for_update(of=("self",)).get(pk=notification.pk)
    if not WORKFLOW.allows(locked.state, State.ANNULLED):
        raise InvalidNotification(
            {"reason": [str(_("Una notificació ja practicada o vençuda no es pot anul·lar."))]}
        )
    locked.next_reminder_at = None
    locked.outcome_at = now
    locked.certificate_due_at = now
    WORKFLOW.move(
        locked,
        State.ANNULLED,
        at=now,
        actor=acting_user,
        reason=reason[:2000],
        fields=["next_reminder_at", "outcome_at", "certificate_due_at"],
        log_fields={"event": Event.ANNULLED},
    )
    outbox.after_commit("notificacions.tasks.issue_certificate", locked.pk)
    return locked
