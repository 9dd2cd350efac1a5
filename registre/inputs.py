"""What a registry entry is made of, validated once for every channel (art. 33.f-g).

The web form, the API, the back-office and any other caller of ``registre.services`` reach the
same rules: the services build these inputs first, so a caller that skips its form still cannot
store a 25,000-character "Exposa" or a person with no name. The channels' forms and serializers
take their ``max_length`` from the constants here, for the person's convenience, and map
``InvalidEntry`` (one list of messages per field) to their own error display.

The limits, one per field for every channel:

- Subject, 300 characters: the column's size; the SICRES 3 export cuts it to its 240.
- "Exposa" and "Sol·licita", 10,000 characters each: what the citizens' form has always allowed,
  about four printed pages on the receipt. Longer writings are attached as documents (a PDF the
  receipt lists by its hash), which is also what the paper office does with a long scan.
- Names as the person columns hold them: given name 100, surnames 200, company name 300; a
  NIF/NIE/CIF as typed (spaces, dashes) up to 20 characters, stored compact (9); an e-mail
  address up to 254 (RFC 5321).
- An exit's addressee, 300. The reason an entry is not admitted and where it can be filed
  instead, 4,000 each: what the person reads in their folder (art. 33.b).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from seu import people
from seu.errors import InvalidInput
from seu.identity import PersonData
from seu.people import normalise_person_id, person_kind

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

    from seu.models import Person

SUBJECT_MAX_LENGTH = 300
TEXT_MAX_LENGTH = 10_000
PERSON_ID_MAX_LENGTH = 20
GIVEN_NAME_MAX_LENGTH = 100
SURNAMES_MAX_LENGTH = 200
LEGAL_NAME_MAX_LENGTH = 300
EMAIL_MAX_LENGTH = people.EMAIL_MAX_LENGTH  # one limit for an address, wherever it is typed
ADDRESSEE_MAX_LENGTH = 300
NOT_ADMITTED_TEXT_MAX_LENGTH = 4_000

# Over the limit: the message names the field (``%(limit_value)d``, as Django's and DRF's
# ``max_length`` messages are formatted, so the forms and serializers use these same texts).
TOO_LONG: dict[str, StrPromise] = {
    "subject": _("L'assumpte pot tenir com a màxim %(limit_value)d caràcters."),
    "exposition": _("El text «Exposa» pot tenir com a màxim %(limit_value)d caràcters."),
    "request": _("El text «Sol·licita» pot tenir com a màxim %(limit_value)d caràcters."),
    "nif": _("El NIF, NIE o CIF pot tenir com a màxim %(limit_value)d caràcters."),
    "given_name": _("El nom pot tenir com a màxim %(limit_value)d caràcters."),
    "surnames": _("Els llinatges poden tenir com a màxim %(limit_value)d caràcters."),
    "legal_name": _("La raó social pot tenir com a màxim %(limit_value)d caràcters."),
    "email": _("L'adreça electrònica pot tenir com a màxim %(limit_value)d caràcters."),
    "addressee": _(
        "El nom de la persona destinatària pot tenir com a màxim %(limit_value)d caràcters."
    ),
    "reason": _("El motiu pot tenir com a màxim %(limit_value)d caràcters."),
    "alternatives": _(
        "El text «On es pot presentar» pot tenir com a màxim %(limit_value)d caràcters."
    ),
}

PARTY_LIMITS = {
    "nif": PERSON_ID_MAX_LENGTH,
    "given_name": GIVEN_NAME_MAX_LENGTH,
    "surnames": SURNAMES_MAX_LENGTH,
    "legal_name": LEGAL_NAME_MAX_LENGTH,
    "email": EMAIL_MAX_LENGTH,
}


class InvalidEntry(InvalidInput):
    """What a service refused in an entry's input: ``errors`` maps each field (``subject``,
    ``interested_given_name``, ``representative_nif``, ``attachments``...) to its messages, in
    the language of the request; ``message`` says it all in one line."""

    code = "invalid_entry"

    def __init__(self, errors: Mapping[str, Sequence[str | Promise]]) -> None:
        self.errors: dict[str, list[str]] = {
            field: [str(message) for message in messages]
            for field, messages in errors.items()
            if messages
        }
        super().__init__(" ".join(m for messages in self.errors.values() for m in messages))


class _Errors:
    """Collects every problem before raising, so the person fixes them all at once."""

    def __init__(self) -> None:
        self.found: dict[str, list[str | Promise]] = {}

    def add(self, field: str, message: str | Promise) -> None:
        self.found.setdefault(field, []).append(message)

    def text(
        self,
        field: str,
        value: str,
        *,
        limit: int,
        kind: str = "",
        required: StrPromise | None = None,
    ) -> str:
        """``value`` trimmed, checked against its limit (and required, with that message)."""
        value = (value or "").strip()
        if "\x00" in value:
            self.add(field, _("Aquest camp conté caràcters que no s'admeten."))
        elif len(value) > limit:
            self.add(field, TOO_LONG[kind or field] % {"limit_value": limit})
        elif required is not None and not value:
            self.add(field, required)
        return value

    def raise_if_any(self) -> None:
        if self.found:
            raise InvalidEntry(self.found)


def _party(
    errors: _Errors, value: Person | PersonData | None, *, role: str, names: bool = True
) -> Person | PersonData | None:
    """A person as a channel typed it, checked: a valid NIF/NIE/CIF and, when ``names``, the
    name the receipt shows (given name and surnames of a natural person, the company name of an
    entity). A ``Person`` row is already a checked person."""
    if value is None or not isinstance(value, PersonData):
        return value
    fields = {}
    for name, limit in PARTY_LIMITS.items():
        fields[name] = errors.text(f"{role}_{name}", getattr(value, name), limit=limit, kind=name)
    nif = fields["nif"]
    if not nif:
        errors.add(f"{role}_nif", _("Cal el NIF/NIE de la persona."))
        return value
    try:
        nif = normalise_person_id(nif)
    except ValidationError as invalid:
        for message in invalid.messages:
            errors.add(f"{role}_nif", message)
        return value
    if fields["email"]:
        try:
            validate_email(fields["email"])
        except ValidationError:
            errors.add(f"{role}_email", _("L'adreça electrònica no és vàlida."))
    legal = person_kind(nif) == "legal"
    if names and legal and not fields["legal_name"]:
        errors.add(f"{role}_legal_name", _("Cal la raó social d'una entitat (NIF d'entitat)."))
    if names and not legal:
        for name in ("given_name", "surnames"):
            if not fields[name]:
                errors.add(f"{role}_{name}", _("Cal el nom i els llinatges de la persona."))
    return PersonData(
        nif=nif,
        given_name="" if legal else fields["given_name"],
        surnames="" if legal else fields["surnames"],
        legal_name=fields["legal_name"] if legal else "",
        email=fields["email"],
    )


def _nif_of(value: Person | PersonData | None) -> str:
    return value.nif if value is not None else ""


@dataclass(frozen=True)
class EntryText:
    """The words of an incoming entry: subject, "Exposa" and "Sol·licita" (art. 33.f)."""

    subject: str
    exposition: str = ""
    request: str = ""


@dataclass(frozen=True)
class EntryInput:
    """An incoming entry's text and parties, checked (``entry_input``)."""

    text: EntryText
    interested: Person | PersonData
    representative: Person | PersonData | None = None


def entry_input(
    *,
    subject: str,
    exposition: str = "",
    request: str = "",
    interested: Person | PersonData,
    representative: Person | PersonData | None = None,
) -> EntryInput:
    """The entry's input trimmed and checked, or ``InvalidEntry`` naming every field at fault."""
    errors = _Errors()
    text = EntryText(
        subject=errors.text(
            "subject", subject, limit=SUBJECT_MAX_LENGTH, required=_("Escriviu l'assumpte.")
        ),
        exposition=errors.text("exposition", exposition, limit=TEXT_MAX_LENGTH),
        request=errors.text("request", request, limit=TEXT_MAX_LENGTH),
    )
    checked_interested = _party(errors, interested, role="interested")
    checked_representative = _party(errors, representative, role="representative")
    if (
        checked_representative is not None
        and "representative_nif" not in errors.found
        and "interested_nif" not in errors.found
        and _nif_of(checked_representative) == _nif_of(checked_interested)
    ):
        errors.add(
            "representative_nif",
            _("El representant ha de ser una persona diferent de la interessada."),
        )
    errors.raise_if_any()
    assert checked_interested is not None
    return EntryInput(
        text=text, interested=checked_interested, representative=checked_representative
    )


@dataclass(frozen=True)
class ExitInput:
    """An exit's addressee and summary (art. 33.g)."""

    addressee: str
    subject: str
    addressee_person: Person | PersonData | None = None


def exit_input(
    *, addressee: str, subject: str, addressee_person: Person | PersonData | None = None
) -> ExitInput:
    errors = _Errors()
    checked = ExitInput(
        addressee=errors.text(
            "addressee",
            addressee,
            limit=ADDRESSEE_MAX_LENGTH,
            required=_("Cal indicar la persona destinatària."),
        ),
        subject=errors.text(
            "subject", subject, limit=SUBJECT_MAX_LENGTH, required=_("Escriviu l'assumpte.")
        ),
        # The addressee's name is the text above: of the person, only the NIF is recorded.
        addressee_person=_party(errors, addressee_person, role="addressee", names=False),
    )
    errors.raise_if_any()
    return checked


@dataclass(frozen=True)
class NotAdmittedInput:
    """Why an entry has no effect and where it can be filed instead (art. 33.b)."""

    reason: str
    alternatives: str


def not_admitted_input(*, reason: str, alternatives: str) -> NotAdmittedInput:
    errors = _Errors()
    checked = NotAdmittedInput(
        reason=errors.text(
            "reason",
            reason,
            limit=NOT_ADMITTED_TEXT_MAX_LENGTH,
            required=_("Cal indicar el motiu pel qual no s'admet."),
        ),
        alternatives=errors.text(
            "alternatives",
            alternatives,
            limit=NOT_ADMITTED_TEXT_MAX_LENGTH,
            required=_("Cal indicar on es pot presentar."),
        ),
    )
    errors.raise_if_any()
    return checked
