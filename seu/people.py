"""Persons: Spanish identifiers, validated with python-stdnum (art. 2, 4), and the contact details a
person keeps in "Les meves dades" (e-mail, phone, postal address), which the filing form offers
and the notices of notifications will use (art. 32.3)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from stdnum.es import cif, dni, nie

from seu import calendar
from seu.errors import InvalidInput
from seu.models import Identification, Person, PersonContactChange


def person_kind(number: str) -> str:
    """'natural' for a DNI/NIF or NIE, 'legal' for a CIF; the number must be valid."""
    return "legal" if cif.is_valid(number) and not dni.is_valid(number) else "natural"


def normalise_person_id(value: str) -> str:
    """The compact, upper-case NIF/NIE/CIF in ``value``; ``ValidationError`` if it is not valid."""
    compact = dni.compact(value or "")
    if dni.is_valid(compact) or nie.is_valid(compact) or cif.is_valid(compact):
        return compact
    raise ValidationError(
        _("El NIF, NIE o CIF «%(value)s» no és vàlid: revisau les xifres i la lletra."),
        code="invalid_person_id",
        params={"value": value},
    )


# --- Contact details -----------------------------------------------------------------------------

EMAIL_MAX_LENGTH = 254  # RFC 5321
PHONE_MAX_LENGTH = 20
POSTAL_ADDRESS_MAX_LENGTH = 300

# A phone number as people write it: an optional "+" (or "00") and the country code, then digits
# with spaces, dots, dashes or brackets between them. ``phonenumbers`` (Google's metadata) is not a
# dependency of the project; the town hall calls or texts the number, it does not route it, so
# the check only has to catch typing mistakes: 9 to 15 digits (E.164's maximum), nothing else.
_PHONE_CHARACTERS = re.compile(r"^\+?[0-9][0-9 .()\-]*$")
_PHONE_SEPARATORS = re.compile(r"[ .()\-]")

CONTACT_FIELDS = ("email", "phone", "postal_address")


def normalise_phone(value: str) -> str:
    """The number with only its digits and a leading "+" for an international prefix
    ("+34 971 12 34 56" -> "+34971123456"); ``ValidationError`` if it is not a phone number."""
    typed = (value or "").strip()
    if not typed:
        return ""
    if typed.startswith("00"):
        typed = "+" + typed[2:]
    digits = _PHONE_SEPARATORS.sub("", typed)
    if not _PHONE_CHARACTERS.match(typed) or not 9 <= len(digits.lstrip("+")) <= 15:
        raise ValidationError(
            _(
                "El telèfon «%(value)s» no és vàlid: escriviu-ne entre 9 i 15 xifres, amb el "
                "prefix internacional (+34) si és d'un altre país."
            ),
            code="invalid_phone",
            params={"value": value},
        )
    return digits


@dataclass(frozen=True)
class ContactDetails:
    """How to reach a person: kept on the person, and recorded with each entry they file."""

    email: str = ""
    phone: str = ""
    postal_address: str = ""

    @classmethod
    def of(cls, person: Person) -> ContactDetails:
        return cls(email=person.email, phone=person.phone, postal_address=person.postal_address)

    def __bool__(self) -> bool:
        return any(asdict(self).values())


class InvalidContact(InvalidInput):
    """Contact details that cannot be kept; ``errors`` names each field at fault."""

    code = "invalid_contact"

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        super().__init__(" ".join(message for messages in errors.values() for message in messages))
        self.errors = dict(errors)


def check_contact(*, email: str, phone: str, postal_address: str) -> ContactDetails:
    """The contact details cleaned (trimmed, the phone in digits, the e-mail's domain in lower
    case), for every channel; ``InvalidContact`` names every field at fault."""
    errors: dict[str, list[str]] = {}
    email = (email or "").strip()
    if email:
        local, _at, domain = email.rpartition("@")
        email = f"{local}@{domain.lower()}" if local else email
        if len(email) > EMAIL_MAX_LENGTH:
            errors["email"] = [
                str(
                    _("L'adreça electrònica pot tenir com a màxim %(limit)d caràcters.")
                    % {"limit": EMAIL_MAX_LENGTH}
                )
            ]
        else:
            try:
                validate_email(email)
            except ValidationError:
                errors["email"] = [
                    str(
                        _("L'adreça electrònica «%(value)s» no és vàlida: revisau-la.")
                        % {"value": email}
                    )
                ]
    try:
        phone = normalise_phone(phone)
    except ValidationError as invalid:
        errors["phone"] = [str(message) for message in invalid.messages]
    postal_address = "\n".join(
        line.strip()
        for line in (postal_address or "").replace("\r", "").splitlines()
        if line.strip()
    )
    if len(postal_address) > POSTAL_ADDRESS_MAX_LENGTH:
        errors["postal_address"] = [
            str(
                _("L'adreça postal pot tenir com a màxim %(limit)d caràcters.")
                % {"limit": POSTAL_ADDRESS_MAX_LENGTH}
            )
        ]
    if errors:
        raise InvalidContact(errors)
    return ContactDetails(email=email, phone=phone, postal_address=postal_address)


@transaction.atomic
def update_contact(
    *,
    identification: Identification,
    email: str,
    phone: str,
    postal_address: str,
    now: dt.datetime | None = None,
) -> Person:
    """The identified person changes their own contact details (an empty value removes one). The
    change is logged with its instant and the identification used, in the same transaction; an
    identification does not overwrite the e-mail chosen here afterwards."""
    details = check_contact(email=email, phone=phone, postal_address=postal_address)
    person = Person.objects.select_for_update().get(pk=identification.person_id)
    changed = {
        name: [getattr(person, name), value]
        for name, value in asdict(details).items()
        if getattr(person, name) != value
    }
    if not changed:
        return person
    now = now or calendar.now()
    for name, (_old, value) in changed.items():
        setattr(person, name, value)
    person.contact_updated_at = now
    person.save(update_fields=[*changed, "contact_updated_at", "updated_at"])
    PersonContactChange.objects.create(
        person=person, identification=identification, at=now, values=changed
    )
    return person
