"""Template helpers of the staff pages."""

from __future__ import annotations

import datetime as dt
import math

from django import template

register = template.Library()


@register.filter
def whole_minutes(value: dt.timedelta | None) -> int:
    """A duration in minutes, rounded up (a lockout of 90 s is "2 minutes", never "1")."""
    if value is None:
        return 0
    return max(1, math.ceil(value.total_seconds() / 60))
