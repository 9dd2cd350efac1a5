"""Communications the town hall sends like a notification, without its ten-day rule (art. 33.b,
25.4): first of all, the non-admission of a registry entry ("es comunicarà").

``registre.services.mark_not_admitted`` fires ``registre.hooks.ENTRY_NOT_ADMITTED`` in its
transaction; ``communicate_not_admitted`` listens to it: it seals a "Comunicació d'inadmissió"
(the entry's number and dates, the reason, where else the person can file) and sends it through
``sending.notify``, the one service every channel calls. So the communication gets its exit entry
(art. 33.g) and its notice when the person consents to electronic notification, or waits in the
office's list to post. Both or neither: a failure here undoes the non-admission, and the clerk
sees why on the form.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.contrib.auth.models import AbstractBaseUser
from django.utils import translation
from django.utils.translation import gettext

from documents import services as documents
from documents.models import Document
from notificacions import sending
from notificacions.models import Notification
from registre.models import RegistryEntry

logger = logging.getLogger(__name__)

TEMPLATE = "notificacions/pdf/not_admitted.html"


def not_admitted_title(entry: RegistryEntry, language: str) -> str:
    """The document's title, which is also the communication's subject."""
    with translation.override(language):
        return gettext("Comunicació d'inadmissió de l'assentament %(number)s") % {
            "number": entry.number
        }


def communicate_not_admitted(
    *, entry: RegistryEntry, acting_user: AbstractBaseUser | None, now: dt.datetime
) -> Notification | None:
    """Seal the communication of ``entry``'s non-admission and send it to the interested person
    (and their representative), in the caller's transaction (``ENTRY_NOT_ADMITTED``).

    An incoming entry always has its interested person (``registre.inputs.entry_input`` requires
    one for every channel); the column is nullable only because an exit's addressee may be a
    name alone. An entry without one (a row older than the rule) has nobody to address a
    communication to: the non-admission stands, recorded with its reason in the book, and the
    missing communication is logged instead of refusing the clerk's decision."""
    holder = entry.interested
    if holder is None:
        logger.warning(
            "entry %s not admitted without an interested person: no communication sent",
            entry.number,
        )
        return None
    language = entry.language or "ca"
    title = not_admitted_title(entry, language)
    document = documents.issue_document(
        kind=Document.Kind.ACT,
        title=title,
        template_name=TEMPLATE,
        context={
            "entry": entry,
            "interested": entry.interested_party,
            "representative": entry.representative_party,
            "decided_at": now,
        },
        organ=entry.organ,
        language=language,
        acting_user=acting_user,
        now=now,
    )
    return sending.notify(
        kind=Notification.Kind.COMMUNICATION,
        organ=entry.organ,
        holder=holder,
        representative=entry.representative,
        related_entry=entry,
        subject=title,
        documents=[document],
        acting_user=acting_user,
        language=language,
        now=now,
    )


def on_entry_not_admitted(
    *, entry: RegistryEntry, acting_user: AbstractBaseUser | None, now: dt.datetime
) -> None:
    """``registre.hooks.ENTRY_NOT_ADMITTED``."""
    communicate_not_admitted(entry=entry, acting_user=acting_user, now=now)
