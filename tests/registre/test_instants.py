"""Instants with legal effect carry their UTC offset (issue 11, item 10): two filings at 02:30 on
the last Sunday of October 2026, one before and one after the clocks go back (00:30 and 01:30
UTC), must never read the same, on the receipt, the entry's page, the carpeta, the book, the
SICRES 3 export or the API."""

from __future__ import annotations

import datetime as dt
import html
import re
import subprocess
from pathlib import Path
from typing import cast

import pytest
from django.contrib.auth.models import User
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from lxml import etree

from registre import services, sicres
from registre.models import RegistryEntry
from seu import calendar
from seu.models import LoA, Organ, TownHall
from tests.actors import CITIZEN
from tests.conftest import log_in_to_back_office
from tests.factories import UserFactory
from tests.support.api import citizen_client, grant
from tests.support.filing import DIR3, log_in, page_text

pytestmark = pytest.mark.django_db

BOOK = "/gestio/registre/registryentry/"
BEFORE = dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)  # 02:30 summer time (+02:00)
AFTER = dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC)  # 02:30 again, winter time (+01:00)
BEFORE_TEXT = "25 d'octubre de 2026, 02:30:00 (UTC+02:00)"
AFTER_TEXT = "25 d'octubre de 2026, 02:30:00 (UTC+01:00)"
# A Sunday: both count from Monday's first second (art. 33.h).
EFFECTIVE_TEXT = "26 d'octubre de 2026, 00:00:01 (UTC+01:00)"


@pytest.fixture
def town_hall(db: None) -> TownHall:
    from tests.factories import TownHallFactory

    return cast(TownHall, TownHallFactory.create(dir3_code=DIR3))


@pytest.fixture
def repeated_hour(town_hall: TownHall, organ: Organ) -> tuple[RegistryEntry, RegistryEntry]:
    citizen = log_in(Client(), CITIZEN, LoA.SUBSTANTIAL)
    return cast(
        tuple[RegistryEntry, RegistryEntry],
        tuple(
            services.register_entry(
                organ=organ,
                subject="Al·legació",
                interested=citizen.person,
                presented_at=instant,
                identification=citizen,
                now=instant,
            )
            for instant in (BEFORE, AFTER)
        ),
    )


def receipt_text(entry: RegistryEntry, tmp_path: Path) -> str:
    assert entry.receipt is not None
    path = tmp_path / f"{entry.pk}.pdf"
    path.write_bytes(entry.receipt.current_version().blob.read())
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def printed_instants(text: str) -> list[str]:
    flat = " ".join(text.split())  # a long date may wrap in the PDF's table
    return re.findall(r"\d{1,2} d(?:e |')\w+ de \d{4}, \d\d:\d\d:\d\d \(UTC[+-]\d\d:\d\d\)", flat)


def test_the_helper_prints_the_local_time_with_its_offset() -> None:
    assert calendar.format_instant(BEFORE) == BEFORE_TEXT
    assert calendar.format_instant(AFTER) == AFTER_TEXT
    assert calendar.format_instant(dt.datetime(2026, 7, 1, 10, 0, 5, tzinfo=dt.UTC)) == (
        "1 de juliol de 2026, 12:00:05 (UTC+02:00)"
    )
    assert calendar.format_instant(None) == ""
    template = Template("{% load seu_time %}{{ value|instant }}|{{ missing|instant }}")
    rendered = template.render(Context({"value": AFTER}))
    assert html.unescape(rendered) == f"{AFTER_TEXT}|"  # the apostrophe is escaped in HTML


def test_the_two_receipts_of_the_repeated_hour_differ_in_the_printed_instant(
    repeated_hour: tuple[RegistryEntry, RegistryEntry], tmp_path: Path
) -> None:
    before, after = (receipt_text(entry, tmp_path) for entry in repeated_hour)
    assert printed_instants(before) == [BEFORE_TEXT, EFFECTIVE_TEXT]
    assert printed_instants(after) == [AFTER_TEXT, EFFECTIVE_TEXT]


def test_the_entry_page_and_the_carpeta_show_the_offsets(
    client: Client, repeated_hour: tuple[RegistryEntry, RegistryEntry]
) -> None:
    log_in(client, CITIZEN, LoA.SUBSTANTIAL)
    before, after = repeated_hour
    first = page_text(client.get(reverse("registre:entry", args=[before.pk])))
    second = page_text(client.get(reverse("registre:entry", args=[after.pk])))
    assert BEFORE_TEXT in first and AFTER_TEXT in second
    assert EFFECTIVE_TEXT in first and EFFECTIVE_TEXT in second
    folder = page_text(client.get(reverse("registre:folder")))
    assert BEFORE_TEXT in folder and AFTER_TEXT in folder


def test_the_book_shows_the_offsets(
    client: Client, repeated_hour: tuple[RegistryEntry, RegistryEntry]
) -> None:
    registrar = cast(User, UserFactory.create(username="registradora", staff=True, supervisor=True))
    grant(registrar, "view_registryentry")
    log_in_to_back_office(client, cast(User, User.objects.get(pk=registrar.pk)))
    before, after = repeated_hour
    book = page_text(client.get(BOOK))
    assert BEFORE_TEXT in book and AFTER_TEXT in book and EFFECTIVE_TEXT in book
    assert BEFORE_TEXT in page_text(client.get(f"{BOOK}{before.pk}/change/"))
    assert AFTER_TEXT in page_text(client.get(f"{BOOK}{after.pk}/change/"))


def test_the_sicres_export_says_which_offset_its_local_times_are_in(
    repeated_hour: tuple[RegistryEntry, RegistryEntry],
) -> None:
    notes = []
    for entry in repeated_hour:
        document = etree.fromstring(sicres.export_entry(entry))  # valid against the schema
        # The schema's yyyyMMddHHmmss leaves no room for an offset: the note beside it says it.
        assert document.findtext("De_Origen_o_Remitente/Fecha_Hora_Entrada") == "20261026000001"
        notes.append(document.findtext("De_Internos_Control/Observaciones_Apunte"))
    assert notes == [
        "Entrada +01:00; presentacion 20261025023000 +02:00",
        "Entrada +01:00; presentacion 20261025023000 +01:00",
    ]


def test_the_api_gives_instants_in_iso_8601_with_their_offset(
    repeated_hour: tuple[RegistryEntry, RegistryEntry],
) -> None:
    client = citizen_client(CITIZEN)
    presented = [
        client.get(f"/api/v1/registre/entrades/{str(entry.number).replace('/', '-')}/").json()[
            "presented_at"
        ]
        for entry in repeated_hour
    ]
    assert presented == ["2026-10-25T02:30:00+02:00", "2026-10-25T02:30:00+01:00"]
