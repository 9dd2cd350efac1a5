"""A person opens, accepts or rejects a notification (art. 32.5, 32.6; Law 39/2015, art. 41-43).

Who may: the holder and whoever represents them in it (the representative the organ named, a
representative by a power in force that reaches it, the holder of a representative's certificate
of the holder entity: ``seu.identity.representation.visible``), each identified at the
notification's level (art. 8.2). Everyone else is told it does not exist (``NotFound``: a 404,
never a 403 that would confirm it). The first of them to accept practises the notification (art.
32.5; #16 item 5) and the record keeps the instant, how the person was identified (method, level,
certificate serial or SAML assertion), from where and in which role, and, for a representative,
for whom and by which power or certificate (``notificacions.acting``); rejecting is recorded the
same way and has the effect of a notification practised. Each record
is kept as canonical JSON with an RFC 3161 timestamp token over its SHA-256 from the TSA; when
the TSA does not answer, the act still stands (its instant is the server's) and the token is
fetched afterwards (``timestamp_pending_events``).

Access and expiry race at the cutoff: both lock the row and change it conditionally, and an
access after the expiry instant (``now > expires_at``) expires it instead, so exactly one wins
and it is the one on the right side of the cutoff.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import uuid

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from documents import trust
from notificacions import acting, clock, hooks
from notificacions.models import Notification, NotificationEvent
from notificacions.sending import WORKFLOW
from seu import calendar, identity
from seu.core import outbox
from seu.errors import InvalidInput, NotFound
from seu.identity import representation
from seu.models import Identification

logger = logging.getLogger(__name__)

State = Notification.State
Event = NotificationEvent.Event
Role = Notification.Role


class NotificationExpired(InvalidInput):
    code = "notification_expired"


EXPIRED_MESSAGE = _(
    "El termini per obrir aquesta notificació ha vençut: s'ha considerat rebutjada."
)


def _not_found() -> NotFound:
    return NotFound(_("No hi ha cap notificació amb aquesta adreça."))


def _parse(public_id: object) -> uuid.UUID:
    try:
        return uuid.UUID(str(public_id))
    except ValueError:
        raise _not_found() from None


def role_of(notification: Notification, identification: Identification) -> str:
    """The identified person's role in a notification ``find`` gave them: its holder, or a
    representative of the holder (named by the organ, by a power in force that reaches it, or
    holding a representative's certificate of the holder entity)."""
    if notification.holder_id == identification.person_id:
        return Role.HOLDER
    return Role.REPRESENTATIVE


def find(*, identification: Identification, public_id: object) -> Notification:
    """The notification at ``public_id`` if the identified person receives it (``NotFound``
    otherwise, also while it waits for its exit entry: nothing has been made available yet)."""
    notification = (
        Notification.objects.of_person(
            identification.person, entity=representation.session_parties(identification)[1]
        )
        .select_related("organ", "holder", "representative", "power", "exit_entry", "evidence")
        .exclude(state=State.PENDING)
        .filter(public_id=_parse(public_id))
        .first()
    )
    if notification is None:
        raise _not_found()
    return notification


def _record(
    notification: Notification,
    *,
    event: str,
    identification: Identification,
    role: str,
    ip_address: str | None,
    now: dt.datetime,
) -> str:
    """The act as canonical JSON: what the timestamp token covers, kept on the log row. For
    someone who is not the holder, for whom they acted and what let them (``acting.basis``)."""
    documents = [
        item.document.current_version().blob.sha256
        for item in notification.notification_documents.select_related("document")
    ]
    return json.dumps(
        {
            **acting.basis(notification, identification, at=now),
            "notification": str(notification.public_id),
            "exit_entry": notification.exit_entry.number,
            "event": event,
            "at": now.isoformat(),
            "person": identification.person.nif,
            "role": role,
            "holder": notification.holder.nif,
            "identification": {
                "id": identification.pk,
                "method": identification.method,
                "level": identification.loa,
                "certificate_serial": identification.certificate_serial,
                "certificate_issuer": identification.certificate_issuer,
                "saml_assertion_id": identification.saml_assertion_id,
                "official": identification.official_id,
            },
            "ip_address": ip_address,
            "documents_sha256": documents,
        },
        sort_keys=True,
        separators=(",", ":"),
    )


def timestamp_event(event: NotificationEvent) -> bool:
    """Fetch the RFC 3161 token over the event's record; False (and nothing written) when the
    TSA does not answer."""
    record = event.details.get("record", "")
    try:
        stamp = trust.timestamp_digest(hashlib.sha256(record.encode()).digest())
    except trust.TsaUnavailable:
        logger.warning("TSA unavailable for notification event %s", event.pk)
        return False
    NotificationEvent.objects.filter(pk=event.pk, timestamp_token__isnull=True).update(
        timestamp_token=stamp.token, timestamped_at=stamp.at
    )
    event.timestamp_token, event.timestamped_at = stamp.token, stamp.at
    return True


def _conclude(
    *,
    identification: Identification,
    public_id: object,
    to_state: str,
    ip_address: str | None,
    now: dt.datetime | None,
) -> Notification:
    now = now or calendar.now()
    with transaction.atomic():
        found = find(identification=identification, public_id=public_id)
        role = role_of(found, identification)
        identity.check_level(identification, found.required_loa)
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("organ", "holder", "representative", "power", "exit_entry")
            .get(pk=found.pk)
        )
        if to_state == State.REJECTED and notification.kind == Notification.Kind.COMMUNICATION:
            raise InvalidInput(
                _("Una comunicació no es pot rebutjar: només informa."), code="not_rejectable"
            )
        if notification.state != State.AVAILABLE:
            if notification.state == State.EXPIRED:
                raise NotificationExpired(EXPIRED_MESSAGE)
            raise InvalidInput(_("Aquesta notificació ja no està pendent."), code="not_pending")
        # A suspension still open counts up to now: bring the expiry up to date under the lock
        # before deciding which side of the cutoff this access falls on.
        if notification.is_expired_at(now):
            clock.refresh_expiry(notification, now=now)
        if notification.is_expired_at(now):
            # Past the cutoff and the sweep not there yet: the period wins, as the sweep does it.
            clock.expire_locked(notification, now=now)
            outbox.after_commit("notificacions.tasks.issue_certificate", notification.pk)
            expired_error = NotificationExpired(EXPIRED_MESSAGE)
        else:
            expired_error = None
            event = Event.ACCESSED if to_state == State.ACCESSED else Event.REJECTED
            record = _record(
                notification,
                event=event,
                identification=identification,
                role=role,
                ip_address=ip_address,
                now=now,
            )
            notification.outcome_at = now
            notification.outcome_person_id = identification.person_id
            notification.outcome_role = role
            notification.outcome_identification = identification
            notification.next_reminder_at = None
            notification.certificate_due_at = now
            log = WORKFLOW.move(
                notification,
                to_state,
                at=now,
                fields=[
                    "outcome_at",
                    "outcome_person_id",
                    "outcome_role",
                    "outcome_identification",
                    "next_reminder_at",
                    "certificate_due_at",
                ],
                log_fields={
                    "event": event,
                    "person_id": identification.person_id,
                    "role": role,
                    "identification": identification,
                    "ip_address": ip_address,
                    "details": {"record": record},
                },
            )
            hooks.report_outcomes(
                [hooks.Outcome(notification.pk, notification.case_reference, to_state, now)]
            )
    if expired_error is not None:
        raise expired_error
    # Out of the row's lock: the TSA's answer is not worth holding it.
    assert isinstance(log, NotificationEvent)
    timestamp_event(log)
    # After the token, so that the certificate states it (``certificates`` waits for it).
    outbox.after_commit("notificacions.tasks.issue_certificate", notification.pk)
    return notification


def accept(
    *,
    identification: Identification,
    public_id: object,
    ip_address: str | None = None,
    now: dt.datetime | None = None,
) -> Notification:
    """Accept and open: the notification is practised now (art. 32.5)."""
    return _conclude(
        identification=identification,
        public_id=public_id,
        to_state=State.ACCESSED,
        ip_address=ip_address,
        now=now,
    )


def reject(
    *,
    identification: Identification,
    public_id: object,
    ip_address: str | None = None,
    now: dt.datetime | None = None,
) -> Notification:
    """Reject: recorded as the access is; the procedure goes on as if practised (art. 41.5)."""
    return _conclude(
        identification=identification,
        public_id=public_id,
        to_state=State.REJECTED,
        ip_address=ip_address,
        now=now,
    )


def timestamp_pending_events(*, now: dt.datetime | None = None, limit: int = 100) -> int:
    """The beat's sweep for accesses and rejections whose token the TSA did not give at once."""
    now = now or calendar.now()
    pending = NotificationEvent.objects.filter(
        event__in=[Event.ACCESSED, Event.REJECTED],
        timestamp_token__isnull=True,
        at__lt=now - dt.timedelta(minutes=1),
    ).order_by("at", "pk")[:limit]
    return sum(timestamp_event(event) for event in pending)
