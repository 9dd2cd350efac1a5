"""Fixtures of the notice board: real PDF files, an approver, and edicts at each stage."""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Permission

from seu import calendar
from tauler import services
from tauler.models import Category, Edict, PeriodKind


@pytest.fixture(scope="session")
def pdf_bytes() -> Callable[[str], bytes]:
    """A real one-page PDF whose text is ``text`` (distinct text, distinct SHA-256)."""
    import weasyprint

    cache: dict[str, bytes] = {}

    def make(text: str = "Annex") -> bytes:
        if text not in cache:
            cache[text] = weasyprint.HTML(string=f"<p>{text}</p>").write_pdf()
        return cache[text]

    return make


@pytest.fixture
def clerk(organ: object):
    """On the board, the clerk drafts for ``organ``: a clerk of Secretaria (``seu.staff``), with
    no special permission."""
    from tests.factories import UserFactory

    return UserFactory(username="clerk", staff=True, clerk_of=organ)


@pytest.fixture
def approver(organ: object):
    """Staff holding the custom permission to approve, publish and withdraw edicts, head of the
    organ the edicts of ``make_edict`` are for (``seu.staff``: an approver approves their
    organs' edicts)."""
    from django.contrib.auth import get_user_model

    from tests.factories import UserFactory

    user: Any = UserFactory(username="aprovadora", staff=True, head_of=organ)
    user.user_permissions.add(Permission.objects.get(codename="publish_edict"))
    return get_user_model().objects.get(pk=user.pk)  # a fresh instance: no cached permissions


@pytest.fixture
def make_edict(
    town_hall: object, organ: object, clerk: object, pdf_bytes: Callable[[str], bytes]
) -> Callable[..., Edict]:
    """A draft sent for approval, ready for an approver."""

    def make(
        *,
        title: str = "Aprovació inicial del pla parcial",
        category: str = Category.URBAN_PLANNING,
        text: str = "S'exposa al públic l'aprovació inicial.",
        period_kind: str = PeriodKind.WORKING_DAYS,
        period_days: int | None = 15,
        period_until: dt.date | None = None,
        annex: str = "Annex",
        now: dt.datetime | None = None,
        submit: bool = True,
    ) -> Edict:
        edict = services.create_draft(
            title=title,
            category=category,
            organ=organ,  # type: ignore[arg-type]
            text=text,
            period_kind=period_kind,
            period_days=period_days,
            period_until=period_until,
            files=[services.IncomingFile(name=f"{annex}.pdf", data=pdf_bytes(annex))],
            acting_user=clerk,  # type: ignore[arg-type]
            now=now,
        )
        if submit:
            services.submit_for_approval(edict_id=edict.pk, acting_user=clerk, now=now)  # type: ignore[arg-type]
        edict.refresh_from_db()
        return edict

    return make


def madrid(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=calendar.SEU_TZ)


def pdftotext(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "text.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    )
    return result.stdout
