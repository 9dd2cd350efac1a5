"""The secure verification code (CSV, art. 10.1.b, 29.4, 30.4) printed on every issued document.

27 symbols drawn from a CSPRNG over Crockford's base-32 alphabet (135 bits: not guessable), plus one
ISO 7064 (hybrid Mod 33,32) check symbol, so that a mistyped code is caught before any lookup. It is
shown in groups of four for reading aloud; input ignores case, spaces and dashes, and reads the
letters O, I and L as the digits they are confused with. Crockford's alphabet also leaves out the U,
which a reader takes for a V (and a V for a U): a typed U is refused with a message that says so
and suggests the V, rather than read silently as a V, because both readings are equally likely.
"""

from __future__ import annotations

import secrets

from django.utils.translation import gettext_lazy as _
from stdnum.iso7064 import mod_37_36

from seu.errors import InvalidInput

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RANDOM_LENGTH = 27
LENGTH = RANDOM_LENGTH + 1
GROUP = 4
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = str.maketrans("", "", " -._\t")
# Letters the alphabet leaves out and are not read as a digit, with the symbol they are taken for.
_LEFT_OUT = {"U": "V"}


class MalformedCode(InvalidInput):
    code = "csv_malformed"


class MistypedCode(InvalidInput):
    code = "csv_mistyped"


def new_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return body + mod_37_36.calc_check_digit(body, alphabet=ALPHABET)


def display(code: str) -> str:
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def parse(text: str) -> str:
    """The canonical code typed in ``text``; raises ``MalformedCode`` or ``MistypedCode``."""
    cleaned = text.upper().translate(_SEPARATORS).translate(_CONFUSABLE)
    if len(cleaned) != LENGTH:
        raise MalformedCode(
            _("Un CSV té %(length)d caràcters (n'heu escrit %(typed)d).")
            % {"length": LENGTH, "typed": len(cleaned)}
        )
    left_out = sorted({c for c in cleaned if c in _LEFT_OUT})
    if left_out:
        letter = left_out[0]
        raise MalformedCode(
            _(
                "Els CSV no fan servir la lletra %(letter)s, perquè es confon fàcilment amb "
                "la %(like)s: probablement és una %(like)s."
            )
            % {"letter": letter, "like": _LEFT_OUT[letter]}
        )
    wrong = sorted({c for c in cleaned if c not in ALPHABET})
    if wrong:
        raise MalformedCode(
            _(
                "Un CSV només té xifres i lletres de la A a la Z sense accents; no hi pot haver: "
                "%(chars)s"
            )
            % {"chars": " ".join(wrong)}
        )
    if mod_37_36.checksum(cleaned, alphabet=ALPHABET) != 1:
        raise MistypedCode(
            _("Aquest CSV no és correcte: comprovau que l'heu copiat bé, caràcter per caràcter.")
        )
    return cleaned


def _example() -> str:
    body = (ALPHABET[10:] + ALPHABET)[:RANDOM_LENGTH]
    return display(body + mod_37_36.calc_check_digit(body, alphabet=ALPHABET))


EXAMPLE = _example()
"""A valid code to show as an example ("ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-234" and its check symbol)."""
