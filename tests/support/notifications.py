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
from seu import identity
from seu.models import Identification, LoA, Organ


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
