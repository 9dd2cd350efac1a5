"""The consent to electronic notification asked while filing a request (art. 32.2: "la persona
interessada haurà de manifestar de forma expressa la seva acceptació per rebre les notificacions
per mitjans electrònics").

The registry sits below notifications and cannot import them, so it offers two hooks
(``registre.hooks``) and this module listens to them:

- ``ask_consent`` (``FILING_QUESTIONS``): on the confirmation step, a person with no consent
  decision is asked how they want to be notified: electronically (with the address for the
  notices, offered from the contact given with the request, and the declaration they accept) or
  on paper. Whoever has a decision already (given or revoked), acts for someone else or is a legal
  person is not asked: one line says how they will be notified, with a link to Preferències.
- ``record_consent`` (``FILING_ANSWERED``): in the filing's transaction, before the entry, the
  electronic choice is recorded by ``services.give_consent`` (its rules, not new ones), with the
  declaration that says it was given while filing; a refusal (no choice, a bad address) stops the
  filing and the page shows the message with everything kept. Both or neither: a consent "given
  while filing" exists only if the request was filed.

Paper records nothing: it is what the law does without consent (art. 32.1), and the person is
asked again next time. A form without the question's marker (a confirmation page older than the
question) is filed as before, on paper, recording nothing.

Giving consent asks the level personal data need (``identity.PERSONAL_DATA_LOA``), as in
Preferències: the address for the notices is where the person will be told of every notification.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from notificacions import selectors, services
from registre.hooks import AnswerRefused, FilingQuestion
from seu import identity
from seu.identity import representation
from seu.models import Identification, Person

TEMPLATE = "notificacions/filing/consent_question.html"

# The fields the question adds to the confirmation form.
MARKER = "notification_question"
MARKER_VALUE = "consent"
CHOICE = "notification_channel"
EMAIL = "notification_email"
ELECTRONIC = "electronic"
PAPER = "paper"


def _interested(identification: Identification, on_behalf_of: Person | None = None) -> Person:
    """Who the request's notifications are addressed to: whom the person files for (a power, a
    declaration), the entity they act for, or the person (``registre.services.file_draft``)."""
    return on_behalf_of or representation.acting_person(identification)


def _may_choose(identification: Identification) -> bool:
    """Whether this identification may give its person's consent now: its own request (a
    representative's consent is their own, not the represented person's), a natural person (a
    legal person is always notified electronically: Law 39/2015, art. 14.2), at the level
    personal data need."""
    return (
        identification.represented_entity_id is None
        and identification.person.kind == Person.Kind.NATURAL
        and identity.has_level(identification, identity.PERSONAL_DATA_LOA)
    )


def _told(identification: Identification, on_behalf_of: Person | None = None) -> str:
    """The line for a person who is not asked: how the request's notifications will be made."""
    interested = _interested(identification, on_behalf_of)
    if interested.kind == Person.Kind.LEGAL:
        return _(
            "Les notificacions d'aquesta sol·licitud es faran per mitjans electrònics: una "
            "persona jurídica està obligada a relacionar-se electrònicament amb l'Administració "
            "(article 14.2 de la Llei 39/2015)."
        )
    if interested != identification.person:
        return _(
            "Les notificacions d'aquesta sol·licitud es faran com hagi triat la persona que "
            "representau."
        )
    if not identity.has_level(identification, identity.PERSONAL_DATA_LOA):
        return _(
            "Per triar com voleu rebre les notificacions cal identificar-vos amb un nivell "
            "substancial o alt. Mentre no ho feu, les notificacions us arribaran en paper, si no "
            "heu acceptat abans la notificació electrònica."
        )
    consent = selectors.current_consent(identification.person)
    assert consent is not None
    if consent.covers(None):
        return _(
            "Rebreu les notificacions d'aquesta sol·licitud per mitjans electrònics, a la seu "
            "electrònica, amb un avís a %(email)s."
        ) % {"email": consent.email}
    if consent.is_given:
        return _(
            "Les notificacions d'aquesta sol·licitud us arribaran en paper: la notificació "
            "electrònica que heu acceptat només inclou uns tràmits concrets."
        )
    return _(
        "Les notificacions d'aquesta sol·licitud us arribaran en paper, perquè heu revocat la "
        "notificació electrònica."
    )


def _asks(identification: Identification, on_behalf_of: Person | None = None) -> bool:
    """Whether to ask: never who files for someone else (the consent is the interested
    person's own, art. 32.2; a representative gives theirs in Preferències)."""
    return (
        on_behalf_of is None
        and _may_choose(identification)
        and selectors.current_consent(identification.person) is None
    )


def ask_consent(
    *,
    identification: Identification,
    answers: Mapping[str, Any],
    errors: Mapping[str, list[str]],
    contact_email: str,
    questions: list[FilingQuestion],
    on_behalf_of: Person | None = None,
    **_ignored: Any,
) -> None:
    """``registre.hooks.FILING_QUESTIONS``: the question, or the line that replaces it."""
    context: dict[str, Any] = {
        "preferences_url": reverse("notificacions:preferences"),
        "marker": MARKER,
        "marker_value": MARKER_VALUE,
        "choice_name": CHOICE,
        "email_name": EMAIL,
    }
    if not _asks(identification, on_behalf_of):
        context["told"] = _told(identification, on_behalf_of)
        questions.append(FilingQuestion(template_name=TEMPLATE, context=context))
        return
    if answers:
        email = str(answers.get(EMAIL, ""))
        choice = str(answers.get(CHOICE, ""))
    else:
        email = contact_email or identification.person.email
        choice = ""
    context.update(
        {
            "email": email,
            "choice": choice,
            "declaration": services.declaration(services.Change.GIVEN, while_filing=True),
            "choice_errors": list(errors.get(CHOICE, [])),
            "email_errors": list(errors.get(EMAIL, [])),
        }
    )
    summary = [(f"{CHOICE}-{ELECTRONIC}", message) for message in errors.get(CHOICE, [])]
    summary += [(EMAIL, message) for message in errors.get(EMAIL, [])]
    questions.append(FilingQuestion(template_name=TEMPLATE, context=context, errors=summary))


def record_consent(
    *,
    identification: Identification,
    answers: Mapping[str, Any],
    language: str,
    now: dt.datetime,
    on_behalf_of: Person | None = None,
    **_ignored: Any,
) -> None:
    """``registre.hooks.FILING_ANSWERED``: record the electronic choice with ``give_consent``,
    or refuse an answer missing or wrong (``AnswerRefused``: nothing is filed). Filing for
    someone else records nothing: their consent is their own."""
    if answers.get(MARKER) != MARKER_VALUE or not _asks(identification, on_behalf_of):
        return
    choice = answers.get(CHOICE, "")
    if choice == PAPER:
        return
    if choice != ELECTRONIC:
        raise AnswerRefused({CHOICE: [_("Triau com voleu rebre les notificacions.")]})
    try:
        services.give_consent(
            identification=identification,
            email=str(answers.get(EMAIL, "")),
            accepted=True,  # the electronic choice, next to the declaration it accepts
            language=language,
            while_filing=True,
            now=now,
        )
    except services.InvalidConsent as invalid:
        raise AnswerRefused(
            {EMAIL: invalid.errors.get("email") or [str(invalid.message)]}
        ) from None
