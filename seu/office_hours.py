"""When the town hall's offices see people by appointment, for the portal pages that say so.

The appointments app (``cites``) owns the offices' timetables: the services that staff set up in
the back-office, with their weekdays and hours, are what the booking pages offer. A portal page of
``seu`` that tells citizens when to come (``/certificats/``: the FNMT accreditation office) must
say the same, but ``seu`` is the lowest layer and imports no other app (DESIGN.md). So ``cites``
registers here, when its app is ready, a function that reads its services; the page asks this
module. With nothing registered, or nothing offered, there are no appointments to announce.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

# The office where citizens prove their identity for an FNMT software certificate (seed 000).
CERTIFICATE_ACCREDITATION = "certificate-accreditation"


@dataclass(frozen=True)
class OfficeHours:
    """One weekly timetable: days of the week (0 = Monday) and the local opening hours."""

    name: str
    weekdays: tuple[int, ...]
    opens_at: dt.time
    closes_at: dt.time


Provider = Callable[[], list[OfficeHours]]

_providers: dict[str, Provider] = {}


def register(office: str, provider: Provider) -> None:
    """Called by the app that owns ``office``'s timetable, from its ``AppConfig.ready``."""
    _providers[office] = provider


def hours(office: str) -> list[OfficeHours]:
    """The timetables on which ``office`` now takes appointments (none: it takes none)."""
    provider = _providers.get(office)
    return provider() if provider is not None else []
