"""The notification clock (ordinance art. 32.6, 17; #14 items 4-6): when ten natural days without
access make a notification rejected, how interruptions and suspensions move that instant, and
when a reminder may be sent. All of it is computed in ``seu.calendar`` from instants alone.

2026: summer time begins on Sunday 29 March (02:00 +01:00 becomes 03:00 +02:00) and ends on
Sunday 25 October (03:00 +02:00 becomes 02:00 +01:00); 2028 is a leap year.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from pytest_django.fixtures import Settings

from seu import calendar

MADRID = ZoneInfo("Europe/Madrid")
UTC = dt.UTC
WINTER = dt.timedelta(hours=1)
SUMMER = dt.timedelta(hours=2)


def local(
    year: int,
    month: int,
    day: int,
    hour: int = 0,
    minute: int = 0,
    second: int = 0,
    microsecond: int = 0,
    *,
    fold: int = 0,
) -> dt.datetime:
    """A wall-clock time in the seu; ``fold=1`` picks the second of a repeated hour."""
    return dt.datetime(year, month, day, hour, minute, second, microsecond, MADRID, fold=fold)


def last_instant(year: int, month: int, day: int) -> dt.datetime:
    return local(year, month, day, 23, 59, 59, 999999)


# --- The expiry instant ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("available_at", "last_day"),
    [
        (local(2026, 1, 31, 10, 0), dt.date(2026, 2, 10)),
        (local(2026, 4, 30, 18, 0), dt.date(2026, 5, 10)),
        (local(2026, 12, 31, 12, 0), dt.date(2027, 1, 10)),
        # February: the 29th of a leap year counts as a day; a common year has none.
        (local(2028, 2, 28, 12, 0), dt.date(2028, 3, 9)),
        (local(2028, 2, 29, 12, 0), dt.date(2028, 3, 10)),
        (local(2027, 2, 28, 12, 0), dt.date(2027, 3, 10)),
    ],
)
def test_availability_on_the_last_day_of_a_month_expires_at_the_end_of_the_tenth_day_after(
    available_at: dt.datetime, last_day: dt.date
) -> None:
    expiry = calendar.notification_expiry(available_at, rule="end_of_day")

    assert expiry.tzinfo == UTC
    assert expiry == last_instant(last_day.year, last_day.month, last_day.day)


def test_availability_at_the_last_second_of_a_day_counts_that_day_as_day_zero() -> None:
    available_at = local(2026, 1, 31, 23, 59, 59)

    expiry = calendar.notification_expiry(available_at, rule="end_of_day")

    assert expiry == last_instant(2026, 2, 10)
    # The 10th of February is the tenth day: an access in its last second is in time, the next
    # day is too late.
    assert local(2026, 2, 10, 23, 59, 59) <= expiry < local(2026, 2, 11, 0, 0, 0)


def test_availability_at_midnight_starts_counting_the_next_day() -> None:
    available_at = local(2026, 2, 1, 0, 0, 0)

    assert calendar.notification_expiry(available_at, rule="end_of_day") == last_instant(
        2026, 2, 11
    )


def test_the_day_of_availability_is_the_local_day_not_the_utc_one() -> None:
    # 23:30 UTC on 31 January is 00:30 on 1 February in the seu.
    available_at = dt.datetime(2026, 1, 31, 23, 30, tzinfo=UTC)

    assert calendar.notification_expiry(available_at, rule="end_of_day") == last_instant(
        2026, 2, 11
    )


@pytest.mark.parametrize(
    ("available_at", "expected"),
    [
        (local(2026, 1, 31, 23, 59, 59), local(2026, 2, 10, 23, 59, 59)),
        (local(2026, 2, 1, 0, 0, 0), local(2026, 2, 11, 0, 0, 0)),
    ],
)
def test_the_instant_rule_adds_ten_times_24_hours(
    available_at: dt.datetime, expected: dt.datetime
) -> None:
    expiry = calendar.notification_expiry(available_at, rule="instant")

    assert expiry.tzinfo == UTC
    assert expiry == expected


def test_across_the_change_to_summer_time_the_day_ends_at_midnight_summer_time() -> None:
    available_at = local(2026, 3, 25, 12, 0)  # +01:00

    expiry = calendar.notification_expiry(available_at, rule="end_of_day")

    assert expiry == dt.datetime(2026, 4, 4, 21, 59, 59, 999999, tzinfo=UTC)
    seen_locally = expiry.astimezone(MADRID)
    assert seen_locally.time() == dt.time(23, 59, 59, 999999)
    assert seen_locally.utcoffset() == SUMMER


def test_across_the_change_to_summer_time_the_instant_rule_keeps_elapsed_hours() -> None:
    available_at = local(2026, 3, 25, 12, 0)  # 11:00 UTC

    expiry = calendar.notification_expiry(available_at, rule="instant")

    # 240 hours later, one of which the clocks skipped: 13:00 local.
    assert expiry == dt.datetime(2026, 4, 4, 11, 0, tzinfo=UTC)
    assert expiry - available_at == dt.timedelta(hours=240)
    assert expiry.astimezone(MADRID).hour == 13


def test_availability_in_the_night_the_clocks_go_forward() -> None:
    available_at = local(2026, 3, 29, 1, 30)  # half an hour before the change

    assert calendar.notification_expiry(available_at, rule="end_of_day") == dt.datetime(
        2026, 4, 8, 21, 59, 59, 999999, tzinfo=UTC
    )


def test_across_the_change_back_to_winter_time_the_day_ends_at_midnight_winter_time() -> None:
    available_at = local(2026, 10, 20, 12, 0)  # +02:00

    expiry = calendar.notification_expiry(available_at, rule="end_of_day")

    assert expiry == dt.datetime(2026, 10, 30, 22, 59, 59, 999999, tzinfo=UTC)
    seen_locally = expiry.astimezone(MADRID)
    assert seen_locally.time() == dt.time(23, 59, 59, 999999)
    assert seen_locally.utcoffset() == WINTER
    assert calendar.utc_offset(expiry) == "+01:00"


def test_across_the_change_back_to_winter_time_the_instant_rule_keeps_elapsed_hours() -> None:
    available_at = local(2026, 10, 20, 12, 0)  # 10:00 UTC

    expiry = calendar.notification_expiry(available_at, rule="instant")

    # 240 hours later, one of which the clocks repeated: 11:00 local.
    assert expiry == dt.datetime(2026, 10, 30, 10, 0, tzinfo=UTC)
    assert expiry.astimezone(MADRID).hour == 11


@pytest.mark.parametrize("fold", [0, 1])
def test_availability_in_the_hour_the_clocks_repeat_counts_that_day_either_time(fold: int) -> None:
    available_at = local(2026, 10, 25, 2, 30, fold=fold)

    assert calendar.notification_expiry(available_at, rule="end_of_day") == dt.datetime(
        2026, 11, 4, 22, 59, 59, 999999, tzinfo=UTC
    )


def test_the_rule_comes_from_the_setting_when_not_given(settings: Settings) -> None:
    available_at = local(2026, 5, 4, 9, 15)

    assert calendar.notification_expiry(available_at) == last_instant(2026, 5, 14)
    settings.NOTIFICATION_EXPIRY_RULE = "instant"
    assert calendar.notification_expiry(available_at) == local(2026, 5, 14, 9, 15)


def test_an_unknown_rule_or_a_naive_instant_is_refused() -> None:
    with pytest.raises(ValueError, match="'midnight'"):
        calendar.notification_expiry(local(2026, 5, 4, 9, 15), rule="midnight")
    with pytest.raises(ValueError, match="aware"):
        calendar.notification_expiry(dt.datetime(2026, 5, 4, 9, 15), rule="end_of_day")


# --- Interruptions and suspensions ----------------------------------------------------------------

AVAILABLE = local(2026, 6, 1, 10, 0)
EXPIRY = last_instant(2026, 6, 11)


def test_an_interruption_inside_the_period_extends_it_by_its_length() -> None:
    outage = (local(2026, 6, 4, 9, 0), local(2026, 6, 4, 12, 30))

    extended = calendar.extend_for_periods(EXPIRY, [outage], since=AVAILABLE)

    assert extended.tzinfo == UTC
    assert extended == EXPIRY + dt.timedelta(hours=3, minutes=30)


def test_two_overlapping_interruptions_count_their_common_time_once() -> None:
    outage = (local(2026, 6, 4, 10, 0), local(2026, 6, 4, 14, 0))
    suspension = (local(2026, 6, 4, 12, 0), local(2026, 6, 4, 16, 0))
    inside = (local(2026, 6, 4, 11, 0), local(2026, 6, 4, 13, 0))

    extended = calendar.extend_for_periods(EXPIRY, [suspension, inside, outage], since=AVAILABLE)

    assert extended == EXPIRY + dt.timedelta(hours=6)


def test_an_interruption_after_the_expiry_but_before_the_extended_one_extends_again() -> None:
    first = (local(2026, 6, 5, 0, 0), local(2026, 6, 7, 0, 0))  # two days
    # Begins a day after the original expiry, inside the two days the first one added.
    second = (local(2026, 6, 13, 0, 0), local(2026, 6, 13, 5, 0))
    # Begins after the expiry the first two make (14 June, 04:59:59): it counts no more.
    third = (local(2026, 6, 14, 6, 0), local(2026, 6, 14, 8, 0))

    extended = calendar.extend_for_periods(EXPIRY, [third, second, first], since=AVAILABLE)

    assert extended == EXPIRY + dt.timedelta(days=2, hours=5)


def test_a_chain_of_interruptions_each_inside_the_last_extension_is_followed_to_the_end() -> None:
    chain = [
        (EXPIRY - dt.timedelta(hours=1), EXPIRY + dt.timedelta(hours=1)),
        (EXPIRY + dt.timedelta(hours=1, minutes=30), EXPIRY + dt.timedelta(hours=2)),
        (EXPIRY + dt.timedelta(hours=2, minutes=15), EXPIRY + dt.timedelta(hours=2, minutes=45)),
    ]

    extended = calendar.extend_for_periods(EXPIRY, chain, since=AVAILABLE)

    assert extended == EXPIRY + dt.timedelta(hours=3)


def test_an_interruption_across_the_expiry_counts_whole() -> None:
    outage = (EXPIRY - dt.timedelta(hours=2), EXPIRY + dt.timedelta(hours=30))

    extended = calendar.extend_for_periods(EXPIRY, [outage], since=AVAILABLE)

    assert extended == EXPIRY + dt.timedelta(hours=32)


def test_an_interruption_entirely_before_availability_does_not_count() -> None:
    outage = (local(2026, 5, 30, 9, 0), local(2026, 6, 1, 9, 59))

    assert calendar.extend_for_periods(EXPIRY, [outage], since=AVAILABLE) == EXPIRY


def test_availability_during_an_interruption_counts_only_the_rest_of_it() -> None:
    outage = (local(2026, 6, 1, 8, 0), local(2026, 6, 1, 13, 0))  # available at 10:00

    extended = calendar.extend_for_periods(EXPIRY, [outage], since=AVAILABLE)

    assert extended == EXPIRY + dt.timedelta(hours=3)


def test_an_interruption_that_begins_when_the_period_has_ended_does_not_count() -> None:
    outage = (EXPIRY, EXPIRY + dt.timedelta(hours=4))
    next_morning = (local(2026, 6, 12, 0, 0), local(2026, 6, 12, 4, 0))

    assert calendar.extend_for_periods(EXPIRY, [outage, next_morning], since=AVAILABLE) == EXPIRY


def test_an_interruption_across_the_change_to_summer_time_counts_elapsed_time() -> None:
    available_at = local(2026, 3, 25, 12, 0)
    expiry = calendar.notification_expiry(available_at, rule="end_of_day")
    # From 01:00 winter time to 04:00 summer time: two hours went by, not three.
    outage = (local(2026, 3, 29, 1, 0), local(2026, 3, 29, 4, 0))

    extended = calendar.extend_for_periods(expiry, [outage], since=available_at)

    assert extended == expiry + dt.timedelta(hours=2)
    assert extended.astimezone(MADRID) == local(2026, 4, 5, 1, 59, 59, 999999)


def test_an_interruption_still_going_on_keeps_the_expiry_ahead_of_the_clock() -> None:
    began = EXPIRY - dt.timedelta(hours=1)
    with time_machine.travel(EXPIRY + dt.timedelta(days=3), tick=False):
        now = calendar.now()
        extended = calendar.extend_for_periods(EXPIRY, [(began, now)], since=AVAILABLE)

        assert extended > now
        assert extended == now + dt.timedelta(hours=1)


def test_a_period_that_ends_before_it_begins_is_refused() -> None:
    backwards = (local(2026, 6, 4, 12, 0), local(2026, 6, 4, 9, 0))

    with pytest.raises(ValueError, match="before it starts"):
        calendar.extend_for_periods(EXPIRY, [backwards], since=AVAILABLE)


def test_with_no_interruption_the_expiry_stays() -> None:
    assert calendar.extend_for_periods(EXPIRY, [], since=AVAILABLE) == EXPIRY


# --- Reminders never at night ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instant", "allowed"),
    [
        (local(2026, 6, 4, 7, 59, 59), False),
        (local(2026, 6, 4, 8, 0), True),
        (local(2026, 6, 4, 20, 59, 59), True),
        (local(2026, 6, 4, 21, 0), False),
        (local(2026, 6, 4, 3, 0), False),
        # 07:30 UTC in summer is 09:30 in the seu; 20:30 UTC in winter is 21:30.
        (dt.datetime(2026, 6, 4, 7, 30, tzinfo=UTC), True),
        (dt.datetime(2026, 1, 14, 20, 30, tzinfo=UTC), False),
    ],
)
def test_reminders_are_allowed_from_eight_to_nine_in_the_evening_local_time(
    instant: dt.datetime, allowed: bool
) -> None:
    assert calendar.is_within_hours(instant) is allowed


@pytest.mark.parametrize(
    ("wanted", "sent"),
    [
        (local(2026, 6, 4, 12, 0), local(2026, 6, 4, 12, 0)),
        (local(2026, 6, 4, 8, 0), local(2026, 6, 4, 8, 0)),
        (local(2026, 6, 4, 3, 0), local(2026, 6, 4, 8, 0)),
        (local(2026, 6, 4, 21, 0), local(2026, 6, 5, 8, 0)),
        (local(2026, 6, 4, 23, 59, 59), local(2026, 6, 5, 8, 0)),
        # Over the end of a month, and into the first morning of summer time.
        (local(2026, 1, 31, 22, 0), local(2026, 2, 1, 8, 0)),
        (local(2026, 3, 28, 22, 0), local(2026, 3, 29, 8, 0)),
    ],
)
def test_a_reminder_wanted_at_night_moves_to_the_next_morning(
    wanted: dt.datetime, sent: dt.datetime
) -> None:
    moved = calendar.next_reminder_instant(wanted)

    assert moved.tzinfo == UTC
    assert moved == sent
    assert calendar.is_within_hours(moved)


def test_the_morning_after_the_change_to_summer_time_is_eight_summer_time() -> None:
    moved = calendar.next_reminder_instant(local(2026, 3, 28, 22, 0))

    assert moved == dt.datetime(2026, 3, 29, 6, 0, tzinfo=UTC)


def test_other_hours_can_be_asked_for() -> None:
    assert calendar.next_reminder_instant(local(2026, 6, 4, 9, 0), start=10, end=18) == local(
        2026, 6, 4, 10, 0
    )
    assert not calendar.is_within_hours(local(2026, 6, 4, 18, 0), start=10, end=18)
    with pytest.raises(ValueError, match="start < end"):
        calendar.is_within_hours(local(2026, 6, 4, 18, 0), start=18, end=10)
