"""How a signature found in an attached file reads on the registry's pages (as on the receipt)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

from documents import signatures

register = template.Library()


@register.filter
def signature_note(row: Mapping[str, Any]) -> str:
    """``Signat per …: signatura vàlida`` / ``NO vàlida (why)`` / ``no comprovada (why)``."""
    return signatures.describe(row)
