"""Reads of the consent to electronic notification (for the pages and the sending code) and of
the notifications a person receives (for "Les meves notificacions")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import F, QuerySet

from notificacions import acting
from notificacions.models import (
    Notification,
    NotificationConsent,
    NotificationDocument,
    NotificationEvent,
)

if TYPE_CHECKING:
    from seu.models import Person


def current_consent(person: Person | int) -> NotificationConsent | None:
    """The person's consent as it stands (the latest change), or None if they never gave one.

    A revoked consent is returned as such: ask ``consent.covers(procedure_code)`` whether a
    notification goes electronically (art. 32.1) and read ``consent.email`` for its notice."""
    return NotificationConsent.objects.of(person).select_related("identification").first()


def consent_history(person: Person | int) -> QuerySet[NotificationConsent]:
    """Every change of the person's consent, newest first, with the identification used."""
    return NotificationConsent.objects.of(person).select_related("identification")


# --- "Les meves notificacions": what a person receives ----------------------------------------

#: Where a notification's content may be read: practised, or rejected (by the person or by the
#: passing of the period). The content stays available afterwards, as in the national DEHú.
CONTENT_STATES = frozenset(
    {
        Notification.State.ACCESSED,
        Notification.State.REJECTED,
        Notification.State.EXPIRED,
    }
)


@dataclass(frozen=True)
class Received:
    """A notification as one person receives it: as its holder, or as the representative of the
    holder (``principal``)."""

    notification: Notification
    role: str

    @property
    def as_representative(self) -> bool:
        return self.role == Notification.Role.REPRESENTATIVE

    @property
    def principal(self) -> Person:
        """Whom the notification is addressed to: the person themself, or whom they represent."""
        return self.notification.holder


@dataclass(frozen=True)
class Inbox:
    """A person's notifications as "Les meves notificacions" lists them: the ones waiting to be
    opened (the nearest expiry first; communications, which do not expire, after), then the
    rest, newest first (a queryset, for the page to paginate)."""

    pending: list[Received]
    rest: QuerySet[Notification]


def received(person: Person | int, *, entity: Person | None = None) -> QuerySet[Notification]:
    """Every notification ``person`` receives as holder or representative (and, with a
    representative's certificate, ``entity``'s), once made available or issued (one still
    waiting for its exit entry is nothing yet: art. 33.g)."""
    return (
        Notification.objects.of_person(person, entity=entity)
        .exclude(state=Notification.State.PENDING)
        .select_related("organ", "holder", "representative", "exit_entry")
    )


def inbox(person: Person | int, *, entity: Person | None = None) -> Inbox:
    mine = received(person, entity=entity)
    pending = mine.filter(state=Notification.State.AVAILABLE).order_by(
        F("expires_at").asc(nulls_last=True), "-available_at", "-pk"
    )
    rest = mine.exclude(state=Notification.State.AVAILABLE).order_by(
        F("available_at").desc(nulls_last=True), "-created_at", "-pk"
    )
    return Inbox(pending=[as_received(item, person) for item in pending], rest=rest)


def as_received(notification: Notification, person: Person | int) -> Received:
    return Received(notification=notification, role=role_for(notification, person))


def role_for(notification: Notification, person: Person | int) -> str:
    """How ``person`` receives ``notification``: as the holder or as their representative."""
    person_id = person if isinstance(person, int) else person.pk
    if notification.holder_id == person_id:
        return Notification.Role.HOLDER
    return Notification.Role.REPRESENTATIVE


def content_is_open(notification: Notification) -> bool:
    """Whether the notified documents may be downloaded: only an electronic notification after
    its outcome (practised, rejected or expired). Before it, opening them would practise it."""
    return (
        notification.channel == Notification.Channel.ELECTRONIC
        and notification.state in CONTENT_STATES
    )


def notified_documents(notification: Notification) -> list[NotificationDocument]:
    return list(notification.notification_documents.select_related("document").order_by("position"))


def notified_document(notification: Notification, position: int) -> NotificationDocument | None:
    return (
        notification.notification_documents.select_related("document")
        .filter(position=position)
        .first()
    )


@dataclass(frozen=True)
class Step:
    """One fact of a notification's life, as its history page tells it."""

    at: dt.datetime
    event: str
    to_state: str = ""
    # Who did it (an access or a rejection) or who was told (a notice, a reminder).
    person_name: str = ""
    role: str = ""
    role_label: str = ""
    is_viewer: bool = False
    email: str = ""
    method: str = ""
    level: str = ""
    # An extension's or an impossibility's new expiry; an access's RFC 3161 timestamp.
    new_expiry: dt.datetime | None = None
    reason: str = ""
    timestamped_at: dt.datetime | None = None
    exit_entry: str = ""
    # When a paper outcome happened (the postal receipt's date), as the clerk recorded it.
    happened_at: dt.datetime | None = None
    # A representative's access or rejection in words: by whom, for whom, by which power
    # (``notificacions.acting.sentence``); "" for the holder's own.
    acting: str = ""


def _instant(value: object) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


def _acting(notification: Notification, event: NotificationEvent) -> str:
    if event.event not in (NotificationEvent.Event.ACCESSED, NotificationEvent.Event.REJECTED):
        return ""
    acted = acting.acted_for(str((event.details or {}).get("record") or ""))
    if acted is None:
        return ""
    return acting.sentence(
        event=event.event, notification=notification, person=event.person, acted=acted
    )


def history(notification: Notification, *, viewer: Person | int) -> list[Step]:
    """The notification's log, oldest first, as the person may read it. A notice's address is
    shown only to the person it was sent to (the holder's e-mail is not the representative's);
    an access or a rejection by a representative says for whom and by what they acted."""
    viewer_id = viewer if isinstance(viewer, int) else viewer.pk
    events = notification.events.select_related("person", "identification").order_by("at", "pk")
    steps = []
    for event in events:
        details = event.details or {}
        is_viewer = event.person_id is not None and event.person_id == viewer_id
        identification = event.identification
        steps.append(
            Step(
                at=event.at,
                event=event.event,
                to_state=event.to_state,
                person_name=event.person.display_name if event.person else "",
                role=event.role,
                role_label=str(Notification.Role(event.role).label)
                if event.role in Notification.Role.values
                else "",
                is_viewer=is_viewer,
                email=str(details.get("email", "")) if is_viewer else "",
                method=str(identification.get_method_display()) if identification else "",
                level=str(identification.level.label) if identification else "",
                new_expiry=_instant(details.get("to")),
                reason=event.reason,
                timestamped_at=event.timestamped_at,
                exit_entry=str(details.get("exit_entry") or ""),
                happened_at=_instant(details.get("happened_at")),
                acting=_acting(notification, event),
            )
        )
    return steps


def expiries(ids: list[int]) -> dict[int, dt.datetime]:
    """The instant each of these notifications was (or will be) deemed rejected (art. 32.6): what
    the layers above count a period from when the sweep reports an expiry later than that."""
    rows = Notification.objects.filter(pk__in=ids, expires_at__isnull=False)
    return {pk: expires_at for pk, expires_at in rows.values_list("pk", "expires_at") if expires_at}
