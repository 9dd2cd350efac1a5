"""The ten-day clock at the level of a notification (issue 14 items 4-5; art. 32.6, 17): the expiry
stored when it is made available on the last day of a month and across both changes of summer
time under each ``NOTIFICATION_EXPIRY_RULE``; interruptions of the seu and declared suspensions
extending it by their length (with the reason on the evidence); an impossibility of access
declared by a clerk; the sweep catching up a missed beat; an access at the last second.

2026: summer time begins on Sunday 29 March and ends on Sunday 25 October; 2028 is a leap year.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from notificacions import access, clock
from notificacions.models import ClockSuspension, Notification
from seu import services as seu_services
from seu.errors import InvalidInput
from seu.models import BackOfficeChange, Identification, Interruption
from tests.actors import CITIZEN
from tests.support.notifications import consent_of, send

pytestmark = pytest.mark.django_db

MADRID = ZoneInfo("Europe/Madrid")
UTC = dt.UTC
FRIDAY = dt.datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
MICRO = dt.timedelta(microseconds=1)


def local(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=MADRID)


def expiry(notification: Notification) -> dt.datetime:
    """The stored expiry of a notification made available (set then)."""
    assert notification.expires_at is not None
    return notification.expires_at


def base(notification: Notification) -> dt.datetime:
    assert notification.base_expires_at is not None
    return notification.base_expires_at


def utc(
    year: int,
    month: int,
    day: int,
    hour: int = 0,
    minute: int = 0,
    second: int = 0,
    microsecond: int = 0,
) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, microsecond, tzinfo=UTC)


def sent_at(organ, now: dt.datetime) -> Notification:
    consent_of(CITIZEN, now=now - dt.timedelta(hours=1))
    notification = send(organ, CITIZEN, now=now)
    assert notification.state == Notification.State.AVAILABLE
    return notification


def state_of(notification: Notification) -> str:
    notification.refresh_from_db()
    return notification.state


# --- The stored expiry on boundary days, under both rules -----------------------------------------

END_OF_DAY_CASES = [
    # Last day of a month: 31 January -> end of 10 February (Madrid, +01:00).
    (utc(2029, 1, 31, 10), utc(2029, 2, 10, 22, 59, 59, 999999)),
    # 23:30 on 31 January in Madrid is still the 31st (22:30 UTC)...
    (local(2029, 1, 31, 23, 30), utc(2029, 2, 10, 22, 59, 59, 999999)),
    # ...and 00:30 on 1 February is the 1st, although UTC still says 31 January.
    (local(2029, 2, 1, 0, 30), utc(2029, 2, 11, 22, 59, 59, 999999)),
    # February of a common year (28 -> 10 March) and of a leap year (28 -> 9, 29 -> 10 March).
    (utc(2030, 2, 28, 10), utc(2030, 3, 10, 22, 59, 59, 999999)),
    (utc(2028, 2, 28, 10), utc(2028, 3, 9, 22, 59, 59, 999999)),
    (utc(2028, 2, 29, 10), utc(2028, 3, 10, 22, 59, 59, 999999)),
    # Across the change to summer time: the tenth day ends at 24:00 +02:00.
    (utc(2026, 3, 20, 10), utc(2026, 3, 30, 21, 59, 59, 999999)),
    # Across the change to winter time: the tenth day ends at 24:00 +01:00.
    (utc(2026, 10, 16, 10), utc(2026, 10, 26, 22, 59, 59, 999999)),
]

INSTANT_CASES = [
    # Ten times 24 hours, whatever the calendar says.
    (utc(2029, 1, 31, 10), utc(2029, 2, 10, 10)),
    (utc(2030, 2, 28, 10), utc(2030, 3, 10, 10)),
    (utc(2028, 2, 29, 10), utc(2028, 3, 10, 10)),
    # 11:00 +01:00 becomes 12:00 +02:00 across the change to summer time...
    (utc(2026, 3, 20, 10), utc(2026, 3, 30, 10)),
    # ...and 12:00 +02:00 becomes 11:00 +01:00 across the change to winter time.
    (utc(2026, 10, 16, 10), utc(2026, 10, 26, 10)),
]


@pytest.mark.parametrize(
    ("rule", "available_at", "expected"),
    [("end_of_day", *case) for case in END_OF_DAY_CASES]
    + [("instant", *case) for case in INSTANT_CASES],
)
def test_the_stored_expiry_and_the_sweep_follow_the_rule_on_boundary_days(
    town_hall, organ, settings, rule: str, available_at: dt.datetime, expected: dt.datetime
) -> None:
    settings.NOTIFICATION_EXPIRY_RULE = rule
    notification = sent_at(organ, available_at)
    assert notification.available_at == available_at
    assert expiry(notification) == expected
    assert base(notification) == expected
    # At the cutoff itself it is still pending; a microsecond later the sweep expires it.
    assert clock.expire_due(now=expected) == 0
    assert state_of(notification) == Notification.State.AVAILABLE
    assert clock.expire_due(now=expected + MICRO) == 1
    assert state_of(notification) == Notification.State.EXPIRED
    assert notification.outcome_at == expected


def test_an_access_at_23_59_59_of_the_tenth_day_is_an_access_and_at_midnight_it_is_too_late(
    town_hall, organ
) -> None:
    identification = consent_of(CITIZEN, now=FRIDAY - dt.timedelta(hours=1))
    on_time = send(organ, CITIZEN, now=FRIDAY)
    late = send(organ, CITIZEN, now=FRIDAY)
    # Friday 4 December: the tenth day is Monday 14 December, Madrid time.
    last_second = local(2026, 12, 14, 23, 59, 59)
    assert clock.expire_due(now=last_second) == 0
    accepted = access.accept(
        identification=identification, public_id=on_time.public_id, now=last_second
    )
    assert accepted.state == Notification.State.ACCESSED
    assert accepted.outcome_at == last_second
    with pytest.raises(access.NotificationExpired):
        access.accept(
            identification=identification, public_id=late.public_id, now=local(2026, 12, 15)
        )
    assert state_of(late) == Notification.State.EXPIRED
    assert late.events.filter(event="expired").count() == 1
    assert clock.expire_due(now=local(2026, 12, 15, 1)) == 0


# --- Interruptions of the seu (art. 32.6 last clause, art. 17) ------------------------------------


def test_an_interruption_announced_ahead_extends_the_expiry_at_availability(
    town_hall, organ, administrator
) -> None:
    seu_services.record_interruption(
        scope=Interruption.Scope.SEU,
        starts_at=FRIDAY + dt.timedelta(days=2),
        ends_at=FRIDAY + dt.timedelta(days=2, hours=3),
        reason="Actualització programada",
        alternatives="Oficina d'atenció",
        acting_user=administrator,
    )
    notification = sent_at(organ, FRIDAY)
    assert expiry(notification) == base(notification) + dt.timedelta(hours=3)


def test_an_interruption_the_hook_did_not_see_is_found_by_the_sweep_with_its_reason(
    town_hall, organ
) -> None:
    notification = sent_at(organ, FRIDAY)
    cutoff = expiry(notification)
    # A measured outage written straight to the table (no hook fired), spanning the cutoff: it
    # counts whole, also the part after the expiry.
    Interruption.objects.create(
        scope=Interruption.Scope.SEU,
        starts_at=cutoff - dt.timedelta(hours=1),
        ends_at=cutoff + dt.timedelta(hours=1),
        reason="Caiguda del servidor",
        alternatives="-",
    )
    assert clock.expire_due(now=cutoff + dt.timedelta(minutes=5)) == 0
    notification.refresh_from_db()
    assert notification.state == Notification.State.AVAILABLE
    assert expiry(notification) == cutoff + dt.timedelta(hours=2)
    extension = notification.events.get(event="extended")
    assert extension.reason == "Caiguda del servidor"
    assert extension.details["to"] == (cutoff + dt.timedelta(hours=2)).isoformat()
    assert [period["reason"] for period in extension.details["periods"]] == ["Caiguda del servidor"]
    assert clock.expire_due(now=cutoff + dt.timedelta(hours=2) + MICRO) == 1


# --- Suspensions declared by staff ----------------------------------------------------------------


def test_a_closed_suspension_extends_every_pending_notification_it_overlaps_not_accessed_ones(
    town_hall, organ, administrator
) -> None:
    identification = consent_of(CITIZEN, now=FRIDAY - dt.timedelta(hours=1))
    pending = send(organ, CITIZEN, now=FRIDAY)
    accessed = send(organ, CITIZEN, now=FRIDAY)
    access.accept(
        identification=identification,
        public_id=accessed.public_id,
        now=FRIDAY + dt.timedelta(days=1),
    )
    before = expiry(pending)
    suspension = clock.declare_suspension(
        starts_at=FRIDAY + dt.timedelta(days=2),
        ends_at=FRIDAY + dt.timedelta(days=4),
        reason="Estat d'alarma",
        acting_user=administrator,
        now=FRIDAY + dt.timedelta(days=5),
    )
    pending.refresh_from_db()
    accessed.refresh_from_db()
    assert expiry(pending) == before + dt.timedelta(days=2)
    assert base(pending) == before
    assert accessed.state == Notification.State.ACCESSED
    assert not accessed.events.filter(event="extended").exists()
    extension = pending.events.get(event="extended")
    assert extension.reason == "Estat d'alarma"
    assert extension.at == FRIDAY + dt.timedelta(days=5)
    change = BackOfficeChange.objects.get(
        what="notificacions.ClockSuspension", object_id=str(suspension.pk)
    )
    assert change.action == BackOfficeChange.Action.CREATED
    assert change.actor == administrator
    assert change.at == FRIDAY + dt.timedelta(days=5)
    assert change.values["reason"] == [None, "Estat d'alarma"]
    # A notification made available after the suspension ended is not touched by it.
    later = send(organ, CITIZEN, now=FRIDAY + dt.timedelta(days=7))
    assert expiry(later) == base(later)


def test_an_open_suspension_holds_the_clock_until_it_is_closed(
    town_hall, organ, administrator
) -> None:
    notification = sent_at(organ, FRIDAY)
    initial = base(notification)
    starts = FRIDAY + dt.timedelta(days=2)
    suspension = clock.declare_suspension(
        starts_at=starts,
        ends_at=None,
        reason="Estat d'alarma",
        acting_user=administrator,
        now=FRIDAY + dt.timedelta(days=3),
    )
    notification.refresh_from_db()
    # Counted up to now so far: one day.
    assert expiry(notification) == initial + dt.timedelta(days=1)
    # Past that expiry, still suspended: the sweep extends instead of expiring.
    sweep_at = initial + dt.timedelta(days=2)
    assert clock.expire_due(now=sweep_at) == 0
    notification.refresh_from_db()
    assert notification.state == Notification.State.AVAILABLE
    assert expiry(notification) == initial + (sweep_at - starts)
    assert expiry(notification) > sweep_at
    # Closed on day 13: the clock stood still for 11 days in all.
    ends = FRIDAY + dt.timedelta(days=13)
    clock.end_suspension(
        suspension=suspension, ends_at=ends, acting_user=administrator, now=ends + dt.timedelta(1)
    )
    notification.refresh_from_db()
    assert expiry(notification) == initial + (ends - starts)
    change = BackOfficeChange.objects.filter(
        what="notificacions.ClockSuspension", object_id=str(suspension.pk)
    ).latest("pk")
    assert change.action == BackOfficeChange.Action.CHANGED
    assert change.values["ends_at"][0] is None
    assert ClockSuspension.objects.get(pk=suspension.pk).ends_at == ends
    assert clock.expire_due(now=expiry(notification)) == 0
    assert clock.expire_due(now=expiry(notification) + MICRO) == 1
    assert notification.events.filter(event="expired").count() == 1


def test_a_suspension_needs_a_reason_and_an_end_after_its_start(town_hall, administrator) -> None:
    with pytest.raises(InvalidInput):
        clock.declare_suspension(
            starts_at=FRIDAY, ends_at=None, reason="  ", acting_user=administrator, now=FRIDAY
        )
    with pytest.raises(InvalidInput):
        clock.declare_suspension(
            starts_at=FRIDAY,
            ends_at=FRIDAY,
            reason="Estat d'alarma",
            acting_user=administrator,
            now=FRIDAY,
        )
    assert not ClockSuspension.objects.exists()
    assert not BackOfficeChange.objects.filter(what="notificacions.ClockSuspension").exists()


# --- Impossibility of access declared by a clerk (art. 32.6, last clause) ----------------------


def test_an_impossibility_declared_ex_officio_gives_ten_days_again_from_now(
    town_hall, organ, clerk, administrator
) -> None:
    notification = sent_at(organ, FRIDAY)
    # An outage on day 1 already extended it by 5 hours...
    seu_services.record_interruption(
        scope=Interruption.Scope.SEU,
        starts_at=FRIDAY + dt.timedelta(days=1),
        ends_at=FRIDAY + dt.timedelta(days=1, hours=5),
        reason="Avaria",
        alternatives="-",
        acting_user=administrator,
    )
    notification.refresh_from_db()
    assert expiry(notification) == base(notification) + dt.timedelta(hours=5)
    now = FRIDAY + dt.timedelta(days=3)
    declared = clock.declare_impossibility(
        notification=notification,
        reason="El certificat de la persona no es podia validar",
        at_request_of_person=False,
        acting_user=clerk,
        now=now,
    )
    # ...which the new period, counted from now, does not count again.
    fresh = utc(2026, 12, 17, 22, 59, 59, 999999)  # end of Sunday 17 December, Madrid
    assert expiry(declared) == base(declared) == fresh
    notification.refresh_from_db()
    assert expiry(notification) == fresh
    event = notification.events.get(event="impossibility")
    assert event.actor == clerk
    assert event.reason == "El certificat de la persona no es podia validar"
    assert event.details["at_request_of_person"] is False
    assert event.details["to"] == fresh.isoformat()
    assert clock.expire_due(now=fresh) == 0
    assert clock.expire_due(now=fresh + MICRO) == 1


def test_an_impossibility_at_the_persons_request_with_a_new_expiry_still_counts_later_outages(
    town_hall, organ, clerk, administrator
) -> None:
    notification = sent_at(organ, FRIDAY)
    wanted = local(2026, 12, 20, 23, 59, 59)
    clock.declare_impossibility(
        notification=notification,
        reason="Ho demana la persona: era hospitalitzada",
        at_request_of_person=True,
        acting_user=clerk,
        new_expiry=wanted,
        now=FRIDAY + dt.timedelta(days=4),
    )
    notification.refresh_from_db()
    assert expiry(notification) == wanted
    assert notification.events.get(event="impossibility").details["at_request_of_person"] is True
    seu_services.record_interruption(
        scope=Interruption.Scope.SEU,
        starts_at=FRIDAY + dt.timedelta(days=6),
        ends_at=FRIDAY + dt.timedelta(days=6, hours=2),
        reason="Manteniment",
        alternatives="-",
        acting_user=administrator,
    )
    notification.refresh_from_db()
    assert expiry(notification) == wanted + dt.timedelta(hours=2)


def test_an_impossibility_is_refused_when_not_pending_earlier_or_without_reason(
    town_hall, organ, clerk
) -> None:
    identification = consent_of(CITIZEN, now=FRIDAY - dt.timedelta(hours=1))
    notification = send(organ, CITIZEN, now=FRIDAY)
    now = FRIDAY + dt.timedelta(days=1)
    for wrong in (expiry(notification), expiry(notification) - dt.timedelta(days=1), now):
        with pytest.raises(InvalidInput) as refused:
            clock.declare_impossibility(
                notification=notification,
                reason="Motiu",
                at_request_of_person=False,
                acting_user=clerk,
                new_expiry=wrong,
                now=now,
            )
        assert refused.value.code == "new_expiry"
    with pytest.raises(InvalidInput) as refused:
        clock.declare_impossibility(
            notification=notification,
            reason=" ",
            at_request_of_person=False,
            acting_user=clerk,
            now=now,
        )
    assert refused.value.code == "reason"
    access.accept(
        identification=Identification.objects.get(pk=identification.pk),
        public_id=notification.public_id,
        now=now,
    )
    with pytest.raises(InvalidInput) as refused:
        clock.declare_impossibility(
            notification=notification,
            reason="Motiu",
            at_request_of_person=True,
            acting_user=clerk,
            now=now + dt.timedelta(hours=1),
        )
    assert refused.value.code == "not_pending"
    assert not notification.events.filter(event="impossibility").exists()


# --- The sweep ------------------------------------------------------------------------------------


def test_the_sweep_catches_up_a_missed_beat_in_batches_and_expires_each_once(
    town_hall, organ, administrator
) -> None:
    consent_of(CITIZEN, now=FRIDAY - dt.timedelta(hours=1))
    mondays = [FRIDAY + dt.timedelta(days=3, hours=hour) for hour in range(4)]
    late = [send(organ, CITIZEN, now=at) for at in mondays]
    # The last one's ten days overlap a suspension still open: the sweep must extend it, even
    # though it comes last in expiry order, after several batches.
    held = send(organ, CITIZEN, now=FRIDAY + dt.timedelta(days=5))
    clock.declare_suspension(
        starts_at=base(held) - dt.timedelta(hours=1),
        ends_at=None,
        reason="Estat d'alarma",
        acting_user=administrator,
        now=base(held) - dt.timedelta(hours=1),
    )
    # No beat for two days after the last cutoff; then one run with batches of one.
    now = base(held) + dt.timedelta(days=2)
    assert clock.expire_due(now=now, limit=1) == 4
    for notification in late:
        assert state_of(notification) == Notification.State.EXPIRED
        assert notification.outcome_at == expiry(notification)
        assert notification.events.filter(event="expired").count() == 1
    held.refresh_from_db()
    assert held.state == Notification.State.AVAILABLE
    assert expiry(held) > now
    assert clock.expire_due(now=now, limit=1) == 0


def test_the_sweep_never_expires_a_row_a_period_extends_whatever_the_batch_size(
    town_hall, organ, administrator
) -> None:
    consent_of(CITIZEN, now=FRIDAY - dt.timedelta(hours=1))
    # The oldest has the earliest expiry; an open suspension began before any of them expired.
    sent = [send(organ, CITIZEN, now=FRIDAY + dt.timedelta(hours=hour)) for hour in range(6)]
    starts = expiry(sent[0]) - dt.timedelta(days=1)
    clock.declare_suspension(
        starts_at=starts,
        ends_at=None,
        reason="Estat d'alarma",
        acting_user=administrator,
        now=starts,
    )
    now = expiry(sent[-1]) + dt.timedelta(days=1)
    assert clock.expire_due(now=now, limit=1) == 0
    for notification in sent:
        notification.refresh_from_db()
        assert notification.state == Notification.State.AVAILABLE
        assert expiry(notification) == base(notification) + (now - starts)
        assert notification.events.get(event="extended").reason == "Estat d'alarma"
