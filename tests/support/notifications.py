"""Notifications for tests: a sealed document to notify, a person's consent, a sent
notification; through the services every channel calls."""

from __future__ import annotations

import datetime as dt
from typing import Any

from documents import services as documents
from documents.models import Document
from notificacions import sending
from notificacions import services as consents
from notificacions.models import Notification
from seu import calendar, identity
from seu.models import Identification, LoA, Organ


def last_working_instant() -> dt.datetime:
    """10:00 (Madrid) of the last working day that has reached 10:00: a notification sent "at"
    that instant is made available at once, whatever day the suite runs on (a test with a real
    worker process, whose clock no fixture moves)."""
    working = calendar.WorkingCalendar()
    local = calendar.to_local(calendar.now())
    day = local.date()
    if not working.is_working_day(day) or local.hour < 10:
        day -= dt.timedelta(days=1)
        while not working.is_working_day(day):
            day -= dt.timedelta(days=1)
    return calendar.start_of_day(day) + dt.timedelta(hours=10)


def sealed_document(organ: Organ | None = None, *, title: str = "Resolució de prova") -> Document:
    return documents.issue_document(
        kind=Document.Kind.TEST,
        title=title,
        template_name="documents/pdf/test_document.html",
        context={"text": f"{title}: text de la resolució."},
        organ=organ,
    )


def consent_of(
    person: identity.PersonData,
    *,
    email: str = "avisos@exemple.cat",
    procedure_codes: tuple[str, ...] = (),
    now: dt.datetime | None = None,
) -> Identification:
    """``person`` identified (Cl@ve, substantial) and consenting to electronic notification."""
    identification = identity.record_identification(
        person=person,
        method=Identification.Method.CLAVE,
        loa=LoA.SUBSTANTIAL,
        evidence=identity.Evidence(provider="Cl@ve", saml_assertion_id="_consent"),
    )
    consents.give_consent(
        identification=identification,
        email=email,
        accepted=True,
        procedure_codes=list(procedure_codes),
        now=now,
    )
    return identification


def send(
    organ: Organ,
    holder: identity.PersonData,
    *,
    documents_: list[Document] | None = None,
    now: dt.datetime | None = None,
    **overrides: Any,
) -> Notification:
    """A notification of one sealed document from ``organ`` to ``holder``."""
    arguments: dict[str, Any] = {
        "organ": organ,
        "holder": holder,
        "documents": documents_ if documents_ is not None else [sealed_document(organ)],
        "subject": "Resolució de la vostra sol·licitud",
        "acting_user": None,
        "now": now,
    }
    arguments.update(overrides)
    return sending.notify(**arguments)
