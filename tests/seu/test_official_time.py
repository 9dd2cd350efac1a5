"""The seu's official date and time (art. 33.h) says its offset from UTC: the hour the clocks
repeat in October reads differently before and after the change (issue #11, item 10)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("utc", "expected"),
    [
        (
            dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC),
            "02:30:00</time>\n    (hora peninsular, UTC+02:00)",
        ),
        (
            dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC),
            "02:30:00</time>\n    (hora peninsular, UTC+01:00)",
        ),
    ],
)
def test_the_official_time_carries_its_utc_offset(
    client: Client, town_hall, utc: dt.datetime, expected: str
) -> None:
    with time_machine.travel(utc, tick=False):
        response = client.get("/")
    assert expected in response.content.decode()
