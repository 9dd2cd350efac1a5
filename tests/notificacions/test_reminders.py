"""Reminders of a notification not yet opened (issue 14 item 6): after 5 and 9 days, to each
recipient with an address, only by day (08:00-21:00 Madrid), never once it is accessed, rejected,
expired or annulled nor past its expiry; the e-mail says that something awaits and until when,
never what."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from notificacions import access, clock, reminders, sending
from notificacions.models import Notification
from seu import calendar
from seu.core import outbox
from seu.models import OutgoingEmail
from tests.actors import CITIZEN, REPRESENTATIVE
from tests.support.notifications import consent_of, sealed_document, send

pytestmark = pytest.mark.django_db

MADRID = ZoneInfo("Europe/Madrid")
# Friday 4 December 2026, 11:00 in Madrid: day 5 is Wednesday 9, day 9 Sunday 13, and the
# tenth day ends at 24:00 on Monday 14 December.
FRIDAY = dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC)
DAY_5 = FRIDAY + dt.timedelta(days=5)
DAY_9 = FRIDAY + dt.timedelta(days=9)
SECOND = dt.timedelta(seconds=1)


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


def reminder_emails(notification: Notification) -> list[OutgoingEmail]:
    return list(
        OutgoingEmail.objects.about([outbox.reference(notification)])
        .filter(kind="notification_reminder")
        .order_by("pk")
    )


@pytest.fixture
def identification(town_hall):
    return consent_of(CITIZEN, email="maria@exemple.cat", now=FRIDAY - dt.timedelta(hours=1))


def test_a_reminder_goes_to_each_recipient_on_day_5_and_day_9_and_then_no_more(
    identification, organ
) -> None:
    consent_of(REPRESENTATIVE, email="aina@exemple.cat", now=FRIDAY - dt.timedelta(hours=1))
    notification = send(organ, CITIZEN, representative=REPRESENTATIVE, now=FRIDAY)
    assert notification.next_reminder_at == DAY_5

    assert reminders.send_due_reminders(now=DAY_5 - SECOND) == 0
    assert reminders.send_due_reminders(now=DAY_5) == 1
    assert sorted(email.to for email in reminder_emails(notification)) == [
        "aina@exemple.cat",
        "maria@exemple.cat",
    ]
    notification.refresh_from_db()
    assert (notification.reminders_sent, notification.next_reminder_at) == (1, DAY_9)
    assert reminders.send_due_reminders(now=DAY_5 + dt.timedelta(minutes=5)) == 0

    assert reminders.send_due_reminders(now=DAY_9) == 1
    notification.refresh_from_db()
    assert (notification.reminders_sent, notification.next_reminder_at) == (2, None)
    assert reminders.send_due_reminders(now=DAY_9 + dt.timedelta(days=1, hours=1)) == 0
    assert len(reminder_emails(notification)) == 4
    logged = notification.events.filter(event="reminder").order_by("at", "role")
    assert [(event.at, event.role) for event in logged] == [
        (DAY_5, "holder"),
        (DAY_5, "representative"),
        (DAY_9, "holder"),
        (DAY_9, "representative"),
    ]
    assert logged[0].details["email"] == "maria@exemple.cat"
    assert logged[0].details["outgoing_email"] == reminder_emails(notification)[0].pk


def test_the_reminder_says_that_something_awaits_and_until_when_never_what(
    identification, organ
) -> None:
    document = sealed_document(organ, title="Sanció per infracció urbanística")
    notification = send(
        organ,
        CITIZEN,
        documents_=[document],
        subject="Expedient sancionador 2026/77 per obres sense llicència",
        now=FRIDAY,
    )
    reminders.send_due_reminders(now=DAY_5)
    (email,) = reminder_emails(notification)
    text = email.subject + "\n" + email.text_body
    assert "Recordatori" in email.subject
    for secret in ("sancionador", "2026/77", "llicència", "Sanció", "infracció"):
        assert secret not in text
    assert "Secretaria" in text  # from whom
    assert "14 de desembre de 2026" in text  # until when
    assert "/notificacions/" in text  # where


def test_a_reminder_due_at_night_waits_for_eight_in_the_morning(identification, organ) -> None:
    # Made available at 21:30 in Madrid: day 5 would be 21:30, night; it goes at 08:00.
    available = local(2026, 12, 4, 21, 30)
    notification = send(organ, CITIZEN, now=available)
    morning = local(2026, 12, 10, 8, 0)
    assert notification.next_reminder_at == morning
    # A reminder left due by a late beat is not sent at night either.
    Notification.objects.filter(pk=notification.pk).update(
        next_reminder_at=local(2026, 12, 9, 20, 55)
    )
    for night in (local(2026, 12, 9, 21, 0), local(2026, 12, 10, 3, 0), morning - SECOND):
        assert reminders.send_due_reminders(now=night) == 0
    assert reminder_emails(notification) == []
    assert reminders.send_due_reminders(now=morning) == 1
    assert len(reminder_emails(notification)) == 1


def test_reminder_points_keep_the_hour_across_the_change_to_summer_time(
    identification, organ
) -> None:
    # Friday 27 March 2026 at 11:00 +01:00: day 5 is Wednesday 1 April at 11:00 +02:00.
    notification = send(organ, CITIZEN, now=dt.datetime(2026, 3, 27, 10, 0, tzinfo=dt.UTC))
    assert notification.next_reminder_at == local(2026, 4, 1, 11, 0)
    # Recomputed from the stored (UTC) instant, as an extension does: the same point.
    notification.refresh_from_db()
    assert clock.next_reminder_after(notification, sent=0) == local(2026, 4, 1, 11, 0)


def test_a_sweep_that_missed_both_points_sends_one_reminder_not_two(identification, organ) -> None:
    notification = send(organ, CITIZEN, now=FRIDAY)
    assert reminders.send_due_reminders(now=DAY_9 + dt.timedelta(hours=1)) == 1
    assert len(reminder_emails(notification)) == 1
    notification.refresh_from_db()
    assert (notification.reminders_sent, notification.next_reminder_at) == (2, None)


@pytest.mark.parametrize("outcome", ["accessed", "rejected", "expired", "annulled"])
def test_no_reminder_once_it_is_no_longer_pending(
    identification, organ, clerk, outcome: str
) -> None:
    notification = send(organ, CITIZEN, now=FRIDAY)
    at = FRIDAY + dt.timedelta(days=2)
    if outcome == "accessed":
        access.accept(identification=identification, public_id=notification.public_id, now=at)
    elif outcome == "rejected":
        access.reject(identification=identification, public_id=notification.public_id, now=at)
    elif outcome == "annulled":
        sending.annul(notification=notification, reason="Error", acting_user=clerk, now=at)
    else:
        assert clock.expire_due(now=expiry(notification) + SECOND) == 1
    notification.refresh_from_db()
    assert notification.state == outcome
    assert notification.next_reminder_at is None
    # Even a stale reminder instant left on the row is not sent.
    Notification.objects.filter(pk=notification.pk).update(next_reminder_at=DAY_5)
    assert reminders.send_due_reminders(now=DAY_5) == 0
    assert reminders.send_due_reminders(now=DAY_9) == 0
    assert reminder_emails(notification) == []
    assert not notification.events.filter(event="reminder").exists()


def test_no_reminder_past_the_expiry_even_before_the_sweep_ends_it(identification, organ) -> None:
    notification = send(organ, CITIZEN, now=FRIDAY)
    # The expiry sweep has not run yet; a reminder instant is still on the row.
    Notification.objects.filter(pk=notification.pk).update(
        next_reminder_at=expiry(notification) - dt.timedelta(hours=1)
    )
    next_morning = local(2026, 12, 15, 9, 0)
    assert next_morning > expiry(notification)
    assert reminders.send_due_reminders(now=next_morning) == 0
    assert reminder_emails(notification) == []
    notification.refresh_from_db()
    assert notification.state == Notification.State.AVAILABLE
    assert notification.next_reminder_at is None


def test_no_reminder_point_is_scheduled_after_the_expiry(identification, organ, settings) -> None:
    settings.NOTIFICATION_EXPIRY_RULE = "instant"
    settings.NOTIFICATION_REMINDER_DAYS = (5, 10)
    notification = send(organ, CITIZEN, now=FRIDAY)
    assert reminders.send_due_reminders(now=DAY_5) == 1
    notification.refresh_from_db()
    # Day 10 at 11:00 is the expiry itself under "instant": no second reminder.
    assert notification.next_reminder_at is None
    assert calendar.to_local(expiry(notification)) == local(2026, 12, 14, 11, 0)


def test_an_extension_moves_nothing_but_the_expiry_the_reminder_tells(
    identification, organ, administrator
) -> None:
    from seu import services as seu_services
    from seu.models import Interruption

    notification = send(organ, CITIZEN, now=FRIDAY)
    seu_services.record_interruption(
        scope=Interruption.Scope.SEU,
        starts_at=FRIDAY + dt.timedelta(days=1),
        ends_at=FRIDAY + dt.timedelta(days=2),
        reason="Avaria",
        alternatives="-",
        acting_user=administrator,
    )
    notification.refresh_from_db()
    assert notification.next_reminder_at == DAY_5
    reminders.send_due_reminders(now=DAY_5)
    (email,) = reminder_emails(notification)
    assert "15 de desembre de 2026" in email.text_body  # one day later than without the outage
