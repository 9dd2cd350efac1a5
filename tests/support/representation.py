"""Powers and acting for someone, for tests: a power granted, accepted, declined or revoked
through ``seu.identity.representation``, and a filing made on someone's behalf through the
draft and filing services every channel calls (not through a form)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from expedients import services as case_services
from expedients.models import Expedient, Procedure
from notificacions.models import Notification
from registre import services as registry_services
from registre.models import RegistryEntry
from seu import calendar, people
from seu.identity import representation
from seu.identity.representation import Behalf, PowerInput
from seu.models import Identification, Organ, Power
from tests.actors import Actor
from tests.support.expedients import ANSWERS, _as_typed


def grant(
    grantor: Identification,
    representative_nif: str,
    *,
    scope: str = Power.Scope.GENERAL,
    procedure_codes: tuple[str, ...] = (),
    case_reference: str = "",
    days: int = 365,
    now: dt.datetime | None = None,
) -> Power:
    """A power ``grantor`` grants at the seu, pending, ending ``days`` days after ``now``."""
    now = now or calendar.now()
    return representation.grant_power(
        identification=grantor,
        wanted=PowerInput(
            representative_nif=representative_nif,
            scope=scope,
            procedure_codes=procedure_codes,
            case_reference=case_reference,
            ends_on=calendar.to_local(now).date() + dt.timedelta(days=days),
        ),
        now=now,
    )


def decide(
    representative: Identification,
    power: Power,
    *,
    accept: bool = True,
    now: dt.datetime | None = None,
) -> Power:
    return representation.decide_power(
        identification=representative, public_id=power.public_id, accept=accept, now=now
    )


def revoke(grantor: Identification, power: Power, *, now: dt.datetime | None = None) -> Power:
    return representation.revoke_power(identification=grantor, public_id=power.public_id, now=now)


def in_force(
    grantor: Identification,
    representative: Identification,
    *,
    now: dt.datetime | None = None,
    **wanted: Any,
) -> Power:
    """A power granted and accepted a minute before ``now``: in force at ``now``."""
    now = now or calendar.now()
    power = grant(
        grantor,
        representative.person.nif,
        now=now - dt.timedelta(minutes=2),
        **wanted,
    )
    return decide(representative, power, now=now - dt.timedelta(minutes=1))


def on_behalf_of(power: Power | None) -> Behalf:
    return Behalf(power=str(power.public_id)) if power is not None else Behalf()


def file_case_on_behalf(
    identification: Identification,
    procedure: Procedure,
    *,
    behalf: Behalf | None = None,
    answers: dict[str, Any] | None = None,
    files: dict[str, tuple[str, bytes]] | None = None,
    now: dt.datetime | None = None,
) -> Expedient:
    """File ``procedure`` as ``identification`` on the ``behalf`` chosen, through
    ``save_procedure_draft`` and ``file_procedure`` (what the form and the API call)."""
    uploads = {
        key: SimpleUploadedFile(name, content) for key, (name, content) in (files or {}).items()
    }
    result = case_services.save_procedure_draft(
        identification=identification,
        procedure=procedure,
        draft=None,
        data=_as_typed(answers if answers is not None else ANSWERS),
        files=uploads,
        contact=people.ContactDetails(email="tramits@exemple.cat"),
        language="ca",
        behalf=behalf,
        now=now,
    )
    assert result.is_valid, result.form.errors
    return case_services.file_procedure(
        identification=identification,
        public_id=result.draft.public_id,
        presented_at=now or calendar.now(),
        language="ca",
        now=now,
    )


def file_request_on_behalf(
    identification: Identification,
    organ: Organ,
    *,
    behalf: Behalf | None = None,
    subject: str = "Sol·licitud de certificat d'empadronament",
    now: dt.datetime | None = None,
) -> RegistryEntry:
    """File a generic request as ``identification`` on the ``behalf`` chosen, through
    ``save_draft`` and ``file_draft`` (what the registry's form calls)."""
    draft, refused = registry_services.save_draft(
        identification=identification,
        draft=None,
        organ=organ,
        subject=subject,
        exposition="Que necessit el certificat per a un tràmit.",
        request="Que se m'expedeixi el certificat.",
        uploads=[],
        contact=people.ContactDetails(email="tramits@exemple.cat"),
        behalf=behalf,
        now=now,
    )
    assert not refused
    return registry_services.file_draft(
        identification=identification,
        public_id=draft.public_id,
        presented_at=now or calendar.now(),
        language="ca",
        now=now,
    )


# --- A world of three people: Maria grants, Aina represents, Joan is a third person -------------


@dataclass
class People:
    """Maria (A), who grants powers; Aina (B), who acts for her; Joan (C), a third person; each
    with a seu session (``tests.actors``); a clerk of the organ; two procedures of it."""

    maria: Actor
    aina: Actor
    joan: Actor
    clerk: User
    organ: Organ
    obra: Procedure
    gual: Procedure

    @staticmethod
    def identification_of(actor: Actor) -> Identification:
        assert actor.identification is not None
        return actor.identification


def make_people(organ: Organ) -> People:
    from notificacions import services as consents
    from tests.actors import ANOTHER_CITIZEN, CITIZEN, REPRESENTATIVE, person_actor
    from tests.factories import UserFactory
    from tests.support.expedients import make_procedure

    maria = person_actor("maria", CITIZEN)
    aina = person_actor("aina", REPRESENTATIVE)
    joan = person_actor("joan", ANOTHER_CITIZEN)
    for actor in (maria, aina, joan):
        assert actor.identification is not None
        consents.give_consent(
            identification=actor.identification,
            email=f"{actor.name}@exemple.cat",
            accepted=True,
        )
    return People(
        maria=maria,
        aina=aina,
        joan=joan,
        clerk=UserFactory.create(username="tramitadora", staff=True, clerk_of=organ),
        organ=organ,
        obra=make_procedure(organ, code="OBRA", name="Comunicació prèvia d'obres menors"),
        gual=make_procedure(organ, code="GUAL", name="Llicència de gual"),
    )


def notify_in(case: Expedient, clerk: User, now: dt.datetime | None = None) -> Notification:
    """A remedy request in ``case``, notified to its interested person (and to its
    representative when the representation is proved): the notification."""
    remedy = case_services.request_remedy(
        case=case,
        text="Aportau el pressupost detallat de l'obra.",
        acting_user=clerk,
        reason="Prova de la representació.",
        now=now,
    )
    return Notification.objects.get(pk=remedy.notification_id)


# --- Where a person reads an act: pages and API ---------------------------------------------------


def case_urls(case: Expedient) -> list[str]:
    return [f"/carpeta/expedients/{case.pk}/"]


def entry_urls(entry: RegistryEntry) -> list[str]:
    from registre.api import entry_reference

    reference = entry_reference(str(entry.number))
    return [
        f"/carpeta/registre/{entry.pk}/",
        f"/carpeta/registre/{entry.pk}/rebut.pdf",
        f"/api/v1/registre/entrades/{reference}/",
        f"/api/v1/registre/entrades/{reference}/rebut.pdf",
    ]


def notification_urls(notification: Notification) -> list[str]:
    return [f"/notificacions/{notification.public_id}/"]


def statuses(client: Client, urls: list[str]) -> dict[str, int]:
    return {url: client.get(url).status_code for url in urls}


def listed(client: Client) -> str:
    """Everything the person's lists show: case files, entries (page and API), notifications."""
    return "\n".join(
        client.get(url).content.decode()
        for url in (
            "/carpeta/expedients/",
            "/carpeta/",
            "/notificacions/",
            "/api/v1/registre/entrades/",
        )
    )


def parties(act: Any) -> tuple[str, str | None]:
    """The NIFs of an act's interested person and representative (None: on their own behalf)."""
    representative = act.representative
    return act.interested.nif, representative.nif if representative is not None else None
