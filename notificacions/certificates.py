"""The certificate of a notification's life (art. 32.5, 25.4; issue 14 item 7).

Once a notification ends (accessed, rejected, expired, delivered or not on paper, annulled), the
town hall seals a certificate of its whole life, drawn from its ``NotificationEvent`` log (the
evidence) and from the outbox rows of its notices: who sent what to whom (organ, holder,
representative, subject, each document's CSV and the SHA-256 of each of its stored versions),
the exit entry, the instants of creation and availability, the expiry in force with every
extension and impossibility of access, each notice and reminder with its address and what became
of the e-mail, and the outcome: who practised or rejected it, in which role, how they were
identified and from where (a representative: for whom, and by which power or certificate), with
the RFC 3161 timestamp of the act's record and that record's SHA-256. It goes through the
documents pipeline (sealed, then timestamped asynchronously) and is verifiable by its CSV at
``/verificar/``.

A final state sets ``certificate_due_at`` in the transaction of the change; the service that
made it queues ``issue_certificate`` after the commit, and the beat's ``issue_due_certificates``
catches what the broker lost (the expiry sweep relies on it alone). Both claim the row with
``SELECT ... FOR UPDATE SKIP LOCKED`` where ``certificate_due_at`` is set and clear it with the
certificate, so two runs issue one document.

The act's timestamp token is fetched right after the act; if the TSA did not answer then, the
certificate waits for it (``TIMESTAMP_WAIT``), asking the TSA itself on each attempt, rather than
be sealed for good without it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext

from documents import services as documents
from documents.models import Document
from notificacions import access, acting, evidence
from notificacions.models import Notification, NotificationEvent
from seu import calendar
from seu.core import outbox
from seu.core.sweeps import claim_one, sweep_each
from seu.models import Identification, OutgoingEmail

logger = logging.getLogger(__name__)

State = Notification.State
Event = NotificationEvent.Event

# How long a certificate waits for the RFC 3161 token of an access or rejection that the TSA did
# not give at once, and how often it asks again meanwhile.
TIMESTAMP_WAIT = dt.timedelta(hours=24)
TIMESTAMP_RETRY = dt.timedelta(minutes=5)

TEMPLATE = "notificacions/pdf/certificate.html"


@dataclass(frozen=True)
class NoticeFact:
    """A notice or reminder and what became of its e-mail (``OutgoingEmail``)."""

    kind: str
    at: dt.datetime
    person: str
    role: str
    address: str
    # "sent", "failed", "pending"; "" when the e-mail row is gone.
    delivery: str
    sent_at: dt.datetime | None = None
    attempts: int = 0
    error: str = ""
    # A pending e-mail's next attempt after a transient failure.
    retry_at: dt.datetime | None = None


@dataclass(frozen=True)
class PeriodFact:
    start: dt.datetime | None
    end: dt.datetime | None
    reason: str


@dataclass(frozen=True)
class ExtensionFact:
    """An extension of the expiry (a stopping period) or a declared impossibility of access."""

    kind: str
    at: dt.datetime
    previous: dt.datetime | None
    new: dt.datetime | None
    reason: str
    periods: tuple[PeriodFact, ...] = ()
    # Impossibility only: declared at the person's request (True) or ex officio (False).
    at_request_of_person: bool | None = None


@dataclass(frozen=True)
class ActFact:
    """An access or rejection by a person: who, in which role, how identified, from where, and
    the timestamp of the act's record."""

    person: str
    nif: str
    role: str
    identification: Identification | None
    official: str
    ip_address: str
    record: str
    record_sha256: str
    timestamped_at: dt.datetime | None
    # A representative's act: for whom and by what, in words, and the power's public id
    # (``notificacions.acting``); "" for the holder's own.
    acting: str = ""
    power_id: str = ""


@dataclass(frozen=True)
class OutcomeFact:
    state: str
    label: str
    at: dt.datetime | None
    recorded_at: dt.datetime | None
    act: ActFact | None = None
    # A paper outcome's details or an annulment's reason, and the staff member who recorded it.
    details: str = ""
    recorded_by: str = ""


@dataclass(frozen=True)
class LogFact:
    at: dt.datetime
    event: str
    from_state: str
    to_state: str


@dataclass
class Life:
    """Everything the certificate states, read from the log and the outbox."""

    initial_expiry: dt.datetime | None = None
    extensions: list[ExtensionFact] = field(default_factory=list)
    notices: list[NoticeFact] = field(default_factory=list)
    outcome: OutcomeFact | None = None
    log: list[LogFact] = field(default_factory=list)
    posted_at: dt.datetime | None = None


def _instant(value: object) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


def _person(person: object) -> str:
    if person is None:
        return ""
    return f"{person.display_name} ({person.nif})"  # type: ignore[attr-defined]


def _staff(user: AbstractBaseUser | None) -> str:
    if user is None:
        return ""
    full_name = getattr(user, "get_full_name", lambda: "")()
    return str(full_name or user.get_username())


def _state_label(state: str) -> str:
    return str(State(state).label) if state in State.values else state


def _role_label(role: str) -> str:
    return str(Notification.Role(role).label) if role in Notification.Role.values else ""


def _notice(event: NotificationEvent, emails: dict[int, OutgoingEmail]) -> NoticeFact:
    details = event.details or {}
    email = emails.get(details.get("outgoing_email") or 0)
    return NoticeFact(
        kind=event.event,
        at=event.at,
        person=_person(event.person),
        role=_role_label(event.role),
        # The address is the log's: an e-mail row's is erased after its retention period.
        address=str(details.get("email") or (email.to if email else "")),
        delivery=email.state if email else "",
        sent_at=email.sent_at if email else None,
        attempts=email.attempts if email else 0,
        error=email.last_error if email else "",
        retry_at=getattr(email, "retry_at", None),
    )


def _extension(event: NotificationEvent) -> ExtensionFact:
    details = event.details or {}
    periods = tuple(
        PeriodFact(
            start=_instant(period.get("start")),
            end=_instant(period.get("end")),
            reason=str(period.get("reason") or ""),
        )
        for period in details.get("periods") or []
        if isinstance(period, dict)
    )
    request = details.get("at_request_of_person")
    return ExtensionFact(
        kind=event.event,
        at=event.at,
        previous=_instant(details.get("from")),
        new=_instant(details.get("to")),
        reason=event.reason,
        periods=periods,
        at_request_of_person=bool(request) if event.event == Event.IMPOSSIBILITY else None,
    )


def _act(notification: Notification, event: NotificationEvent) -> ActFact:
    record = str((event.details or {}).get("record") or "")
    identification = event.identification
    official = identification.official if identification is not None else None
    acted = acting.acted_for(record)
    return ActFact(
        acting=acting.sentence(
            event=event.event, notification=notification, person=event.person, acted=acted
        )
        if acted is not None
        else "",
        power_id=str(acted.power.public_id) if acted is not None and acted.power else "",
        person=event.person.display_name if event.person else "",
        nif=event.person.nif if event.person else "",
        role=_role_label(event.role),
        identification=identification,
        official=f"{official.full_name} ({official.nif})" if official else "",
        ip_address=event.ip_address or "",
        record=record,
        record_sha256=hashlib.sha256(record.encode()).hexdigest() if record else "",
        timestamped_at=event.timestamped_at,
    )


# The facts that end a notification, by state.
_OUTCOME_EVENTS: dict[str, str] = {
    State.ACCESSED.value: Event.ACCESSED.value,
    State.REJECTED.value: Event.REJECTED.value,
    State.EXPIRED.value: Event.EXPIRED.value,
    State.DELIVERED.value: Event.DELIVERED.value,
    State.UNDELIVERED.value: Event.UNDELIVERED.value,
    State.ANNULLED.value: Event.ANNULLED.value,
}


def _outcome(notification: Notification, event: NotificationEvent | None) -> OutcomeFact:
    label = _state_label(notification.state)
    if event is None:
        return OutcomeFact(
            state=notification.state, label=label, at=notification.outcome_at, recorded_at=None
        )
    if event.identification_id is not None:  # by the person, at the seu
        return OutcomeFact(
            state=notification.state,
            label=label,
            at=notification.outcome_at or event.at,
            recorded_at=event.at,
            act=_act(notification, event),
        )
    happened = _instant((event.details or {}).get("happened_at"))
    return OutcomeFact(
        state=notification.state,
        label=label,
        at=happened or notification.outcome_at or event.at,
        recorded_at=event.at,
        details=event.reason,
        recorded_by=_staff(event.actor),
    )


def life_of(notification: Notification) -> Life:
    """The notification's life as the certificate tells it: its log in order, each notice with
    its e-mail, the extensions and the outcome."""
    events = list(
        notification.events.select_related(
            "person", "identification", "identification__official", "actor"
        ).order_by("at", "pk")
    )
    emails = OutgoingEmail.objects.about([outbox.reference(notification)]).in_bulk()
    life = Life()
    outcome_event = None
    wanted = _OUTCOME_EVENTS.get(str(notification.state)) if notification.is_final else None
    for event in events:
        life.log.append(
            LogFact(
                at=event.at,
                event=str(Event(event.event).label) if event.event in Event.values else event.event,
                from_state=_state_label(event.from_state) if event.from_state else "",
                to_state=_state_label(event.to_state),
            )
        )
        if event.event == Event.AVAILABLE and life.initial_expiry is None:
            life.initial_expiry = _instant((event.details or {}).get("expires_at"))
        elif event.event in (Event.NOTICE, Event.REMINDER):
            life.notices.append(_notice(event, emails))
        elif event.event in (Event.EXTENDED, Event.IMPOSSIBILITY):
            life.extensions.append(_extension(event))
        elif event.event == Event.POSTED:
            life.posted_at = _instant((event.details or {}).get("happened_at")) or event.at
        if wanted is not None and event.event == wanted and event.to_state == notification.state:
            outcome_event = event
    if notification.is_final:
        life.outcome = _outcome(notification, outcome_event)
    return life


def certificate_title(notification: Notification) -> str:
    """The certificate's title in the active language."""
    number = evidence.exit_number(notification)
    if notification.kind == Notification.Kind.COMMUNICATION:
        title = gettext("Certificat de la comunicació %(number)s") % {"number": number}
    else:
        title = gettext("Certificat de la notificació %(number)s") % {"number": number}
    return title.strip()


def _waits_for_timestamp(notification: Notification, *, now: dt.datetime) -> bool:
    """Whether the act that ended the notification still lacks its RFC 3161 token and may get
    it: the TSA is asked once more here; past ``TIMESTAMP_WAIT`` the certificate goes without
    it (and says so)."""
    act = (
        notification.events.filter(
            event__in=[Event.ACCESSED, Event.REJECTED],
            identification__isnull=False,
            timestamp_token__isnull=True,
        )
        .order_by("-at", "-pk")
        .first()
    )
    if act is None or access.timestamp_event(act):
        return False
    return now - act.at < TIMESTAMP_WAIT


def _issue(notification: Notification, *, now: dt.datetime) -> bool:
    """Seal and record the certificate of a claimed notification, or put it off while the act's
    timestamp is missing. True when a certificate was issued."""
    if notification.certificate_id is not None:  # issued already; only the due mark was left
        Notification.objects.filter(pk=notification.pk).update(certificate_due_at=None)
        return False
    if not notification.is_final:
        logger.error(
            "notification %s is due a certificate in state %s", notification.pk, notification.state
        )
        Notification.objects.filter(pk=notification.pk).update(certificate_due_at=None)
        return False
    if _waits_for_timestamp(notification, now=now):
        Notification.objects.filter(pk=notification.pk).update(
            certificate_due_at=now + TIMESTAMP_RETRY
        )
        return False
    with translation.override(notification.language):
        title = certificate_title(notification)
        inbox_url = evidence.inbox_url()
    document = documents.issue_document(
        kind=Document.Kind.NOTIFICATION_EVIDENCE,
        title=title,
        template_name=TEMPLATE,
        context={
            "notification": notification,
            "documents": evidence.document_facts(notification),
            "life": life_of(notification),
            "inbox_url": inbox_url,
        },
        organ=notification.organ,
        language=notification.language,
        now=now,
    )
    notification.certificate = document
    notification.certificate_due_at = None
    Notification.objects.filter(pk=notification.pk).update(
        certificate=document, certificate_due_at=None
    )
    return True


# What the certificate reads of the notification itself, with the row (locked alone: ``of``).
_RELATED = ("organ", "holder", "representative", "power", "exit_entry", "evidence")


def issue_certificate(*, notification_id: int, now: dt.datetime | None = None) -> bool:
    """Issue the certificate of one ended notification (the task queued after its outcome).
    Idempotent: False when there is nothing to do (issued already, not due, another worker holds
    it, or it waits for the act's timestamp)."""
    now = now or calendar.now()
    with transaction.atomic():
        notification = claim_one(
            Notification.objects.filter(
                pk=notification_id, certificate_due_at__isnull=False
            ).select_related(*_RELATED)
        )
        if notification is None:
            return False
        return _issue(notification, now=now)


def issue_due_certificates(*, now: dt.datetime | None = None, limit: int = 50) -> int:
    """The beat's sweep: the certificate of every notification due one (after an expiry, or a
    task the broker lost), each in a transaction of its own. Returns how many were issued."""
    now = now or calendar.now()
    due = Notification.objects.due_for_certificate(at=now).select_related(*_RELATED)
    return sweep_each(
        due,
        lambda notification: _issue(notification, now=now),
        order_by=["certificate_due_at", "pk"],
        limit=limit,
    )
