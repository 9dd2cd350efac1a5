"""What the registry's tests share: a citizen, local instants, filing an entry."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from registre import services
from registre.models import RegistryEntry
from tests.actors import CITIZEN

MADRID = ZoneInfo("Europe/Madrid")


def local(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=MADRID)


@pytest.fixture
def file_entry(town_hall, organ):
    def _file(presented_at: dt.datetime | None = None, **overrides: object) -> RegistryEntry:
        presented_at = presented_at or local(2026, 11, 20, 10, 0)  # a Friday, a working day
        arguments: dict[str, object] = {
            "organ": organ,
            "subject": "Sol·licitud de llicència de gual",
            "exposition": "Que visc al carrer Major, 1.",
            "request": "Que se'm concedeixi la llicència.",
            "interested": CITIZEN,
            "presented_at": presented_at,
            "now": presented_at,
        }
        arguments.update(overrides)
        return services.register_entry(**arguments)  # type: ignore[arg-type]

    return _file


@pytest.fixture
def clerk(organ):
    """In the registry's tests the clerk works for ``organ`` (a clerk of Secretaria,
    ``seu.staff``), so that what they may do is decided by their permissions alone."""
    from tests.factories import UserFactory

    return UserFactory(username="clerk", staff=True, clerk_of=organ)
