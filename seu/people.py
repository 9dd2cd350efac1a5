"""Spanish personal and entity identifiers, validated with python-stdnum (art. 2, 4)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.es import cif, dni, nie


def person_kind(number: str) -> str:
    """'natural' for a DNI/NIF or NIE, 'legal' for a CIF; the number must be valid."""
    return "legal" if cif.is_valid(number) and not dni.is_valid(number) else "natural"


def normalise_person_id(value: str) -> str:
    """The compact, upper-case NIF/NIE/CIF in ``value``; ``ValidationError`` if it is not valid."""
    compact = dni.compact(value or "")
    if dni.is_valid(compact) or nie.is_valid(compact) or cif.is_valid(compact):
        return compact
    raise ValidationError(
        _("El NIF, NIE o CIF «%(value)s» no és vàlid: reviseu les xifres i la lletra."),
        code="invalid_person_id",
        params={"value": value},
    )
