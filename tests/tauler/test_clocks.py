"""The board's clocks with time as an input: scheduled publication, the end of exposure computed
by the working-day calendar, and the exposure certificate issued exactly once."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from documents.models import Document
from seu import calendar
from tauler import periods, services
from tauler.models import Edict, PeriodKind
from tests.tauler.conftest import madrid

pytestmark = pytest.mark.django_db


def test_an_edict_scheduled_for_monday_9_appears_then_and_not_before(
    make_edict, approver, client
) -> None:
    monday_9 = madrid(2026, 11, 30, 9, 0)  # a Monday after the development PKI was made
    with time_machine.travel(madrid(2026, 11, 27, 12, 0), tick=False):  # the Friday before
        edict = make_edict(title="Convocatòria de la mesa electoral")
        services.publish_edict(edict_id=edict.pk, acting_user=approver, publish_at=monday_9)
        edict.refresh_from_db()
        assert edict.state == Edict.State.SCHEDULED
        assert edict.scheduled_for == monday_9

    with time_machine.travel(monday_9 - dt.timedelta(seconds=1), tick=False):
        assert services.publish_due_edicts() == 0
        assert "Convocatòria de la mesa electoral" not in client.get("/tauler/").content.decode()
        assert client.get("/tauler/2026/1/").status_code == 404

    with time_machine.travel(monday_9, tick=False):
        assert services.publish_due_edicts() == 1
        assert services.publish_due_edicts() == 0  # a duplicated beat does nothing
        board = client.get("/tauler/").content.decode()
        assert "Convocatòria de la mesa electoral" in board
        edict.refresh_from_db()
        assert edict.state == Edict.State.PUBLISHED
        assert edict.published_at == monday_9
        assert client.get("/tauler/2026/1/").status_code == 200


def test_a_missed_beat_publishes_the_scheduled_edict_at_the_next_run(make_edict, approver) -> None:
    monday_9 = madrid(2026, 11, 30, 9, 0)
    with time_machine.travel(madrid(2026, 11, 27, 12, 0), tick=False):
        edict = make_edict()
        services.publish_edict(edict_id=edict.pk, acting_user=approver, publish_at=monday_9)
    with time_machine.travel(monday_9 + dt.timedelta(minutes=42), tick=False):
        assert services.publish_due_edicts() == 1
    edict.refresh_from_db()
    # It became visible when the sweep ran, and that is what was sealed and is certified.
    assert edict.published_at == monday_9 + dt.timedelta(minutes=42)


def test_fifteen_working_days_over_easter_2026_end_on_thursday_16_april(
    make_edict, approver
) -> None:
    # Published on Monday 23 March 2026. Counting from the next day (Law 39/2015, art. 30.2):
    #  1 Tue 24, 2 Wed 25, 3 Thu 26, 4 Fri 27, (Sat 28, Sun 29), 5 Mon 30, 6 Tue 31, 7 Wed 1 Apr,
    #  (Thu 2 Holy Thursday - Balearic holiday, Fri 3 Good Friday, Sat 4, Sun 5,
    #   Mon 6 Easter Monday - Balearic holiday), 8 Tue 7, 9 Wed 8, 10 Thu 9, 11 Fri 10,
    #  (Sat 11, Sun 12), 12 Mon 13, 13 Tue 14, 14 Wed 15, 15 Thu 16 April.
    published = madrid(2026, 3, 23, 9, 0)
    edict = make_edict(period_kind=PeriodKind.WORKING_DAYS, period_days=15, now=published)
    services.publish_edict(edict_id=edict.pk, acting_user=approver, now=published)
    edict.refresh_from_db()
    assert edict.exposure_last_day == dt.date(2026, 4, 16)
    assert edict.exposure_ends_at == madrid(2026, 4, 17, 0, 0)
    assert edict.is_on_display(madrid(2026, 4, 16, 23, 59, 59))
    assert not edict.is_on_display(madrid(2026, 4, 17, 0, 0))
    assert edict.days_left(madrid(2026, 4, 1, 10, 0)) == 8  # Apr 7, 8, 9, 10, 13, 14, 15, 16


def test_a_local_holiday_declared_in_the_back_office_lengthens_the_period() -> None:
    from tests.factories import NonWorkingDayFactory

    start = madrid(2026, 3, 23, 9, 0)
    before = periods.exposure_end(kind=PeriodKind.WORKING_DAYS, days=15, until=None, start=start)
    NonWorkingDayFactory(date=dt.date(2026, 4, 8))
    after = periods.exposure_end(kind=PeriodKind.WORKING_DAYS, days=15, until=None, start=start)
    assert (before.date(), after.date()) == (dt.date(2026, 4, 17), dt.date(2026, 4, 18))


def test_a_calendar_day_period_ending_on_a_sunday_runs_to_monday() -> None:
    # Friday 6 November 2026 + 9 calendar days = Sunday 15; art. 30.5: Monday 16.
    end = periods.exposure_end(
        kind=PeriodKind.CALENDAR_DAYS, days=9, until=None, start=madrid(2026, 11, 6, 10, 0)
    )
    assert end == madrid(2026, 11, 17, 0, 0)


def _published(make_edict, approver, *, days: int = 1) -> Edict:
    edict = make_edict(period_kind=PeriodKind.CALENDAR_DAYS, period_days=days)
    services.publish_edict(edict_id=edict.pk, acting_user=approver)
    edict.refresh_from_db()
    return edict


def test_the_certificate_is_issued_once_even_if_the_clock_runs_twice(make_edict, approver) -> None:
    edict = _published(make_edict, approver)
    assert edict.exposure_ends_at is not None
    assert services.expire_due_edicts(now=edict.exposure_ends_at - dt.timedelta(seconds=1)) == 0
    assert services.expire_due_edicts(now=edict.exposure_ends_at) == 1
    assert services.expire_due_edicts(now=edict.exposure_ends_at) == 0
    assert services.expire_due_edicts(now=edict.exposure_ends_at + dt.timedelta(minutes=1)) == 0
    edict.refresh_from_db()
    assert edict.state == Edict.State.EXPIRED
    assert Document.objects.filter(kind=Document.Kind.EXPOSURE_CERTIFICATE).count() == 1
    assert edict.certificate is not None
    assert list(edict.transitions.values_list("to_state", flat=True))[-1] == "expired"


def test_after_a_missed_beat_the_certificate_states_the_real_end_of_exposure(
    make_edict, approver, tmp_path
) -> None:
    from tests.tauler.conftest import pdftotext

    edict = _published(make_edict, approver)
    assert edict.exposure_ends_at is not None
    late = edict.exposure_ends_at + dt.timedelta(days=3, hours=5)
    assert services.expire_due_edicts(now=late) == 1
    assert services.expire_due_edicts(now=late) == 0
    edict.refresh_from_db()
    text = pdftotext(edict.certificate.current_version().blob.read(), tmp_path)  # type: ignore[union-attr]
    last_day = edict.exposure_last_day
    assert last_day is not None
    text = " ".join(text.split())  # a long date may wrap in the PDF's table
    ends_offset = calendar.utc_offset(edict.exposure_ends_at)
    assert f"{calendar.format_date(last_day)}, 23:59:59 (UTC{ends_offset})" in text
    assert calendar.format_date(late) not in text.split("Final de l'exposició")[1][:80]
