"""Fixtures of the information sections: a transparency document of ``organ``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from informacio.models import InformationDocument


@pytest.fixture
def make_document(organ: Any) -> Callable[..., InformationDocument]:
    def make(
        *,
        title: str = "Pressupost general 2026",
        kind: str = InformationDocument.Kind.BUDGET,
        is_public: bool = True,
    ) -> InformationDocument:
        return InformationDocument.objects.create(
            kind=kind,
            title=title,
            organ=organ,
            updated_on=dt.date(2026, 1, 15),
            is_public=is_public,
        )

    return make
