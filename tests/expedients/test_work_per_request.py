"""What a page of the back-office or a filing does per request (issue 15's benchmark): the queue's
rows formatted once in the view, the filter's organs read once, the case page not reading its
opening entry twice, a filing reading the municipal days once for its case and opening the case
with the files it registered (no count, no reading back)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from expedients.models import Expedient, ExpedientDocument, Procedure, State
from seu import identity
from seu.calendar import PeriodUnit
from seu.models import Organ
from tests import actors
from tests.factories import NonWorkingDayFactory
from tests.support.expedients import ANSWERS, file_case, make_procedure
from tests.support.files import make_pdf
from tests.support.notifications import consent_of

pytestmark = pytest.mark.django_db

another_organ = actors.another_organ
clerk = actors.clerk

MADRID = zoneinfo.ZoneInfo("Europe/Madrid")
# A working Tuesday in winter (UTC+01:00); three months, date to date: 3 February 2027.
TUESDAY = dt.datetime(2026, 11, 3, 10, 0, tzinfo=MADRID)


@pytest.fixture
def procedure(organ: Organ) -> Procedure:
    return make_procedure(organ)


def filed(procedure: Procedure, at: dt.datetime, nif: str = "12345678Z") -> Expedient:
    with time_machine.travel(at, tick=False):
        identification = consent_of(identity.PersonData(nif=nif, given_name="Maria"))
        return file_case(identification, procedure)


def queue(client: Any, **params: Any) -> str:
    response = client.get(reverse("admin:expedients_expedient_changelist"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_each_queue_row_links_to_its_case_and_shows_its_dates_state_and_suspension(
    procedure: Procedure, clerk: actors.Actor
) -> None:
    waiting = filed(procedure, TUESDAY)
    suspended = filed(procedure, TUESDAY + dt.timedelta(days=1), nif="X1234567L")
    Expedient.objects.filter(pk=suspended.pk).update(
        state=State.REMEDY_REQUESTED, suspended_since=dt.date(2026, 11, 20)
    )

    with time_machine.travel(TUESDAY + dt.timedelta(days=30), tick=False):
        page = queue(clerk.client)

    row = page.split(f'<tr id="case-{waiting.pk}">', 1)[1].split("</tr>", 1)[0]
    link = reverse("admin:expedients_expedient_change", args=[waiting.pk])
    assert f'<a href="{link}">{waiting.number}</a>' in row
    assert "Comunicació prèvia d&#x27;obres menors" in row
    assert "Maria<br>12345678Z" in row
    assert "3 de novembre de 2026, 10:00:00 (UTC+01:00)" in row
    assert "3 de febrer de 2027" in row and "vençut" not in row
    assert "iniciat" in row
    assert "<td>No</td>" in row
    other = page.split(f'<tr id="case-{suspended.pk}">', 1)[1].split("</tr>", 1)[0]
    assert "pendent d&#x27;esmena" in other
    assert "Sí, des del 20 de novembre de 2026" in other


def test_an_overdue_row_says_so_next_to_its_deadline(organ: Organ, clerk: actors.Actor) -> None:
    ten_days = make_procedure(organ, code="QUEIXES", period=10, unit=PeriodUnit.CALENDAR_DAYS)
    case = filed(ten_days, TUESDAY)  # due Friday 13 November

    with time_machine.travel(dt.datetime(2026, 11, 23, 10, 0, tzinfo=MADRID), tick=False):
        page = queue(clerk.client)

    row = page.split(f'<tr id="case-{case.pk}">', 1)[1].split("</tr>", 1)[0]
    assert '<strong class="errornote">13 de novembre de 2026 (vençut)</strong>' in row


def test_the_organ_filter_offers_only_the_users_organs_and_refuses_another_with_a_message(
    procedure: Procedure, organ: Organ, another_organ: Organ, clerk: actors.Actor
) -> None:
    case = filed(procedure, TUESDAY)

    mine = queue(clerk.client, organ=str(organ.pk))
    theirs = queue(clerk.client, organ=str(another_organ.pk))

    assert f'<option value="{organ.pk}" selected>{organ.name}</option>' in mine
    assert another_organ.name not in mine
    assert case.number in mine
    assert 'id="error-summary"' in theirs and 'id="id_organ_error"' in theirs
    assert case.number in theirs  # the wrong filter is dropped, the queue still shows


def test_the_queue_reads_the_filters_organs_once(
    procedure: Procedure, organ: Organ, clerk: actors.Actor
) -> None:
    filed(procedure, TUESDAY)
    queue(clerk.client)  # the session and the caches settle

    with CaptureQueriesContext(connection) as done:
        queue(clerk.client, organ=str(organ.pk))

    reading_organs = [
        q["sql"] for q in done.captured_queries if q["sql"].startswith('SELECT "seu_organ"')
    ]
    assert len(reading_organs) == 1, reading_organs


def test_the_case_page_reads_the_opening_entry_only_with_the_cases_entries(
    procedure: Procedure, clerk: actors.Actor
) -> None:
    case = filed(procedure, TUESDAY)
    url = reverse("admin:expedients_expedient_change", args=[case.pk])
    clerk.client.get(url)

    with CaptureQueriesContext(connection) as done:
        page = clerk.client.get(url).content.decode()

    reading_entries = [
        q["sql"] for q in done.captured_queries if '"registre_registryentry"' in q["sql"]
    ]
    assert len(reading_entries) == 1, reading_entries
    # In the list of entries, and in the text the proposed resolution starts from.
    assert f"amb el número de registre {case.opening_entry.number}" in page


def test_a_filing_reads_the_municipal_days_once_for_the_case_and_counts_no_documents(
    procedure: Procedure,
) -> None:
    # Friday 4 December, local holiday: the 3 months end on it and move to Monday the 7th.
    NonWorkingDayFactory(date=dt.date(2026, 12, 4), name="Festa local")
    identification = consent_of(identity.PersonData(nif="12345678Z", given_name="Maria"))
    answers = {key: value for key, value in ANSWERS.items() if key != "pressupost_doc"}
    at = dt.datetime(2026, 9, 4, 10, 0, tzinfo=MADRID)

    with CaptureQueriesContext(connection) as done:
        case = file_case(
            identification,
            procedure,
            answers=answers,
            files={"pressupost_doc": ("pressupost.pdf", make_pdf("Pressupost"))},
            now=at,
        )

    statements = [q["sql"] for q in done.captured_queries]
    calendar_reads = [sql for sql in statements if 'FROM "seu_nonworkingday"' in sql]
    # One for the whole filing: the case's effective instant and deadline and the registry's
    # entry share one calendar (all in 2026).
    assert len(calendar_reads) == 1, calendar_reads
    assert not [sql for sql in statements if 'FROM "expedients_expedientdocument"' in sql]
    assert case.base_deadline == case.deadline == dt.date(2026, 12, 7)
    (document,) = case.documents.all()
    assert document.position == 1
    assert document.title == "pressupost.pdf"
    assert document.origin == ExpedientDocument.Origin.CITIZEN
    (attachment,) = case.opening_entry.attachments.all()
    assert document.blob_id == attachment.blob_id
    assert document.entry_id == case.opening_entry_id
