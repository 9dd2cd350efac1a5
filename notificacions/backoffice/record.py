"""What the back-office shows of a notification's life: its log (``NotificationEvent``) told in
words, fact by fact (a representative's access: for whom and by which power), and the notice
e-mails with their delivery state (art. 32.5, 25.4). Reads only; staff see everything, addresses
included."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext

from documents import verification_code
from notificacions import acting
from notificacions.models import Notification, NotificationEvent
from seu import calendar
from seu.core import outbox
from seu.models import OutgoingEmail

Event = NotificationEvent.Event


@dataclass(frozen=True)
class Fact:
    """One row of the timeline."""

    at: dt.datetime
    label: str
    state: str
    who: str
    identification: str
    details: list[str]
    timestamped_at: dt.datetime | None


def _instant(value: Any) -> str:
    if not isinstance(value, str) or not value:
        return ""
    try:
        return calendar.format_instant(dt.datetime.fromisoformat(value))
    except ValueError:
        return value


def _who(event: NotificationEvent) -> str:
    if event.person is not None:
        name = f"{event.person.display_name} ({event.person.nif})"
        if event.role in Notification.Role.values:
            return f"{name}, {Notification.Role(event.role).label}"
        return name
    if event.actor is not None:
        full_name = event.actor.get_full_name()
        return (
            f"{full_name} ({event.actor.get_username()})"
            if full_name
            else event.actor.get_username()
        )
    return gettext("la seu (automàticament)")


def _identification(event: NotificationEvent) -> str:
    identification = event.identification
    parts = []
    if identification is not None:
        parts.append(
            gettext("%(method)s, nivell %(level)s")
            % {
                "method": identification.get_method_display(),
                "level": identification.get_loa_display(),
            }
        )
        if identification.certificate_serial:
            parts.append(
                gettext("certificat núm. %(serial)s")
                % {"serial": identification.certificate_serial}
            )
        if identification.saml_assertion_id:
            parts.append(gettext("asserció %(id)s") % {"id": identification.saml_assertion_id})
    if event.ip_address:
        parts.append(gettext("IP %(ip)s") % {"ip": event.ip_address})
    return " · ".join(parts)


def _details(event: NotificationEvent, emails: dict[int, OutgoingEmail]) -> list[str]:
    details = event.details or {}
    lines: list[str] = []
    if details.get("exit_entry"):
        lines.append(
            gettext("Registre de sortida: %(number)s.") % {"number": details["exit_entry"]}
        )
    if event.event == Event.AVAILABLE and details.get("expires_at"):
        lines.append(
            gettext("Es considerarà rebutjada després de: %(instant)s.")
            % {"instant": _instant(details["expires_at"])}
        )
    if details.get("evidence_csv"):
        lines.append(
            gettext("Evidència: CSV %(csv)s.")
            % {"csv": verification_code.display(str(details["evidence_csv"]))}
        )
    if event.event in (Event.NOTICE, Event.REMINDER) and details.get("email"):
        email = emails.get(details.get("outgoing_email") or 0)
        state = email.get_state_display() if email is not None else "—"
        lines.append(
            gettext("A l'adreça %(email)s; correu: %(state)s.")
            % {"email": details["email"], "state": state}
        )
    if event.event == Event.EXPIRED and details.get("expires_at"):
        lines.append(
            gettext("Venciment: %(instant)s.") % {"instant": _instant(details["expires_at"])}
        )
    if event.event in (Event.EXTENDED, Event.IMPOSSIBILITY) and details.get("to"):
        lines.append(
            gettext("Venciment anterior: %(before)s. Nou venciment: %(after)s.")
            % {"before": _instant(details.get("from")) or "—", "after": _instant(details["to"])}
        )
    if event.event == Event.IMPOSSIBILITY:
        lines.append(
            gettext("Declarada a petició de la persona.")
            if details.get("at_request_of_person")
            else gettext("Declarada d'ofici.")
        )
    for period in details.get("periods") or []:
        if isinstance(period, dict):
            lines.append(
                gettext("Període aturat: %(start)s fins a %(end)s (%(reason)s).")
                % {
                    "start": _instant(period.get("start")),
                    "end": _instant(period.get("end")),
                    "reason": period.get("reason") or "—",
                }
            )
    if details.get("happened_at"):
        lines.append(
            gettext("Va passar: %(instant)s.") % {"instant": _instant(details["happened_at"])}
        )
    if event.event in (Event.ACCESSED, Event.REJECTED):
        acted = acting.acted_for(str(details.get("record") or ""))
        if acted is not None:
            lines.append(
                acting.sentence(
                    event=event.event,
                    notification=event.notification,
                    person=event.person,
                    acted=acted,
                )
                + "."
            )
            if acted.power is not None:
                lines.append(gettext("Apoderament: %(id)s.") % {"id": str(acted.power.public_id)})
    if event.reason:
        lines.append(gettext("Motiu o detalls: %(reason)s") % {"reason": event.reason})
    return lines


def _label(event: NotificationEvent) -> str:
    # A paper notification is "created" twice: waiting for its exit entry, then issued with it.
    if event.event == Event.CREATED and event.from_state:
        return gettext("emesa per enviar en paper")
    return str(event.get_event_display())


def notices(notification: Notification) -> QuerySet[OutgoingEmail]:
    """The notice and reminder e-mails of ``notification``, oldest first."""
    return OutgoingEmail.objects.about([outbox.reference(notification)]).order_by(
        "created_at", "pk"
    )


def timeline(notification: Notification) -> list[Fact]:
    """The notification's log, oldest first, each fact told in words."""
    events = list(
        notification.events.select_related("person", "identification", "actor").order_by("at", "pk")
    )
    emails = {email.pk: email for email in notices(notification)}
    return [
        Fact(
            at=event.at,
            label=_label(event),
            state=str(Notification.State(event.to_state).label)
            if event.to_state in Notification.State.values and event.to_state != event.from_state
            else "",
            who=_who(event),
            identification=_identification(event),
            details=_details(event, emails),
            timestamped_at=event.timestamped_at,
        )
        for event in events
    ]
