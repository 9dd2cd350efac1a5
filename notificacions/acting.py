"""Who opened or rejected a notification, and for whom (art. 26, 32.5; #16 item 5).

The holder and anyone who represents them may open a notification (``Notification.objects.
of_person``, which follows ``seu.identity.representation.visible``), and the first to do it
practises it for the holder. The record of the act (``access._record``, canonical JSON under an
RFC 3161 timestamp) then says, for someone who is not the holder, for whom they acted and what
let them: ``basis`` gives those keys, read at the instant of the act:

- ``"acting_for"``: the holder's NIF;
- ``"representation"``: ``"power"``, with ``"power"`` the public id of the power in force from
  the holder that reaches the notification (the one the organ named it with, or one that covers
  its procedure or case file); ``"certificate"``, a representative's certificate of the holder
  entity; or ``"named"``, the representative the organ named without a power;
- ``"through_entity"``: the entity's NIF when the person reached it through the entity of their
  representative's certificate (that entity holds the power, or the organ named it).

``acted_for`` reads them back from a record, and ``sentence`` tells them in words ("Oberta per B
(NIF) en representació d'A (NIF), amb l'apoderament general en vigor fins al ...") for the
certificate of the notification, the person's history and the back-office.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass

from django.utils.translation import gettext as _

from notificacions.models import Notification, NotificationEvent
from seu import calendar, catalan
from seu.identity import representation
from seu.models import Identification, Person, Power

POWER = "power"
CERTIFICATE = "certificate"
NAMED = "named"


def _reaching(notification: Notification, who: Person, *, at: dt.datetime) -> Power | None:
    """The power in force at ``at`` by which ``who`` reaches ``notification``: the one the organ
    named them with, else one from the holder covering its procedure or case file (as
    ``representation.visible`` reads them: with neither, only a general power)."""
    named = notification.power
    if notification.representative_id == who.pk and named is not None and named.in_force_at(at):
        return named
    return representation.may_act_for(
        who,
        notification.holder,
        at=at,
        procedure_code=notification.procedure_code,
        case_reference=notification.case_reference,
    )


def basis(
    notification: Notification, identification: Identification, *, at: dt.datetime
) -> dict[str, str]:
    """What the record of an act in ``notification`` adds for someone who is not its holder
    (see the module); nothing for the holder."""
    person, entity = representation.session_parties(identification)
    if notification.holder_id == person.pk:
        return {}
    found = {"acting_for": notification.holder.nif}
    if entity is not None and notification.holder_id == entity.pk:
        return found | {"representation": CERTIFICATE}
    for who in (person, entity):
        if who is None:
            continue
        power = _reaching(notification, who, at=at)
        named = notification.representative_id == who.pk and notification.power_id is None
        if power is None and not named:
            continue
        if who is entity:
            found["through_entity"] = who.nif
        if power is not None:
            return found | {"representation": POWER, "power": str(power.public_id)}
        return found | {"representation": NAMED}
    return found


@dataclass(frozen=True)
class ActedFor:
    """For whom, and by what, a person who is not the holder opened or rejected it."""

    holder_nif: str
    representation: str
    power: Power | None = None
    through_entity: str = ""


def acted_for(record: str) -> ActedFor | None:
    """The representation an act's record states, or None (the holder's own act, or a record
    from before representation was recorded)."""
    try:
        data = json.loads(record)
    except (TypeError, ValueError):
        return None
    if not isinstance(data, dict) or not data.get("acting_for"):
        return None
    power = None
    if data.get("power"):
        try:
            key = uuid.UUID(str(data["power"]))
        except ValueError:
            key = None
        if key is not None:
            power = Power.objects.filter(public_id=key).first()
    return ActedFor(
        holder_nif=str(data["acting_for"]),
        representation=str(data.get("representation") or ""),
        power=power,
        through_entity=str(data.get("through_entity") or ""),
    )


def named(person: Person) -> str:
    return f"{person.display_name} ({person.nif})"


def power_scope(power: Power) -> str:
    """The power's reach in words: "general", "per als procediments GUAL, OBRA", "per a
    l'expedient 2026/EXP/7"."""
    if power.scope == Power.Scope.PROCEDURES:
        return _("per als procediments %(codes)s") % {"codes": ", ".join(power.procedure_codes)}
    if power.scope == Power.Scope.CASE:
        return _("per a l'expedient %(reference)s") % {"reference": power.case_reference}
    return _("general")


def power_in_words(power: Power) -> str:
    """ "l'apoderament general en vigor fins al 30 de juny de 2027"."""
    return _("l'apoderament %(scope)s en vigor %(until_date)s") % {
        "scope": power_scope(power),
        # Its last day: a power that ends at 24:00 of a day is in force until that day.
        "until_date": catalan.date_phrase("until", calendar.last_day(power.ends_at)),
    }


def _basis_in_words(acted: ActedFor) -> str:
    if acted.representation == CERTIFICATE:
        return _("amb un certificat electrònic de representant de l'entitat")
    if acted.power is not None:
        return _("amb %(power)s") % {"power": power_in_words(acted.power)}
    if acted.representation == NAMED:
        return _("com a representant que l'òrgan va indicar en enviar-la")
    return ""


def sentence(
    *,
    event: str,
    notification: Notification,
    person: Person | None,
    acted: ActedFor,
) -> str:
    """The act in words: "Oberta (practicada) per Aina Roig Sureda (11111111H) en representació
    de Maria Garcia Ferrer (12345678Z), amb l'apoderament general en vigor fins al ..."."""
    values = {
        "by_person": catalan.phrase("by", named(person)) if person is not None else "",
        "of_holder": catalan.phrase("of", named(notification.holder)),
    }
    if event == NotificationEvent.Event.REJECTED:
        act = _("Rebutjada %(by_person)s en representació %(of_holder)s") % values
    elif notification.kind == Notification.Kind.COMMUNICATION:
        act = _("Oberta %(by_person)s en representació %(of_holder)s") % values
    else:
        act = _("Oberta (practicada) %(by_person)s en representació %(of_holder)s") % values
    if acted.through_entity:
        act = _("%(act)s, com a representant de l'entitat amb NIF %(nif)s") % {
            "act": act,
            "nif": acted.through_entity,
        }
    how = _basis_in_words(acted)
    return _("%(act)s, %(how)s") % {"act": act, "how": how} if how else act
