"""What the registry tells the apps above it (``seu.core.hooks``), inside the fact's transaction.

- ``EXIT_REGISTERED(entry=, now=)``: an exit that waited for a working day got its number
  (``register_due_exits``); a notification waiting for it is made available then.
- ``ENTRY_NOT_ADMITTED(entry=, acting_user=, now=)``: an entry was marked not admitted
  (art. 33.b); the person is to be sent a communication.
- ``FILING_QUESTIONS(identification=, answers=, errors=, contact_email=, questions=)``: a person
  is about to confirm a request; a listener may append a ``FilingQuestion`` to ``questions``,
  which the confirmation step shows inside its form (notifications ask for the consent to
  electronic notification, art. 32.2). ``answers`` is what the form sent (empty before it was
  sent), ``errors`` what ``FILING_ANSWERED`` refused of it, so the question shows both again.
  ``contact_email`` is the address the person gave with this request. ``on_behalf_of``: the
  person it is filed for when the filer acts for someone else (a power, a declaration), or None.
- ``FILING_ANSWERED(identification=, answers=, language=, now=, on_behalf_of=)``: the request
  is being filed,
  in its transaction, before the entry is made: a listener records its answer, or raises
  ``AnswerRefused`` naming the fields at fault, and then nothing is filed nor recorded.
- ``ENTRY_ACTIONS(request=, entry=, actions=)``: the back-office shows an entry's page; a listener
  may append an ``EntryAction`` (a label and the address of its page) that the user may take on
  that entry, which the page lists beside the registry's own (notifications offer "Notificar").
  It only reads: it runs outside any transaction of a fact.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from seu.core.hooks import Hook
from seu.errors import InvalidInput
from seu.models import Identification, Person

if TYPE_CHECKING:
    from django.http import HttpRequest

    from registre.models import RegistryEntry

EXIT_REGISTERED = Hook("registre.exit_registered")
ENTRY_NOT_ADMITTED = Hook("registre.entry_not_admitted")
FILING_QUESTIONS = Hook("registre.filing_questions")
FILING_ANSWERED = Hook("registre.filing_answered")
ENTRY_ACTIONS = Hook("registre.entry_actions")


@dataclass(frozen=True)
class FilingQuestion:
    """What a higher app adds to the confirmation step: a template included inside the
    confirmation form, with its context, and the messages for the page's error summary as
    ``(id of the field, message)``."""

    template_name: str
    context: Mapping[str, Any] = field(default_factory=dict)
    errors: Sequence[tuple[str, str]] = ()


class AnswerRefused(InvalidInput):
    """An answer to a filing question that cannot be recorded; ``errors`` names each field."""

    code = "filing_answer_refused"

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        super().__init__(" ".join(message for messages in errors.values() for message in messages))
        self.errors = dict(errors)


def filing_questions(
    *,
    identification: Identification,
    answers: Mapping[str, Any],
    errors: Mapping[str, list[str]],
    contact_email: str,
    on_behalf_of: Person | None = None,
) -> list[FilingQuestion]:
    """The questions the apps above ask on the confirmation step (``FILING_QUESTIONS``)."""
    questions: list[FilingQuestion] = []
    FILING_QUESTIONS.fire(
        identification=identification,
        answers=answers,
        errors=errors,
        contact_email=contact_email,
        questions=questions,
        on_behalf_of=on_behalf_of,
    )
    return questions


@dataclass(frozen=True)
class EntryAction:
    """A link the back-office shows on an entry's page, to a page of an app above."""

    label: str
    url: str


def entry_actions(*, request: HttpRequest, entry: RegistryEntry) -> list[EntryAction]:
    """The actions the apps above offer ``request.user`` on ``entry`` (``ENTRY_ACTIONS``)."""
    actions: list[EntryAction] = []
    ENTRY_ACTIONS.fire(request=request, entry=entry, actions=actions)
    return actions
