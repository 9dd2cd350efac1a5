"""Reminders of a notification not yet opened (#14 item 6): after ``NOTIFICATION_REMINDER_DAYS``
days (5 and 9 by default) one e-mail to each recipient with an address, saying only that a
notification awaits, from which organ, until when and where (never its subject nor content: the
notice does not condition the notification's validity, Law 39/2015, art. 41.6).

``send_due_reminders`` is the beat's sweep over ``Notification.objects.due_for_reminder`` (the
partial index on ``next_reminder_at``). Each row is claimed on its own (``seu.core.sweeps``) and
looked at again under its lock: a reminder never goes out once the notification is accessed,
rejected, expired or annulled (those clear ``next_reminder_at`` and leave the state), nor once its
expiry has passed, nor at night: the instants are computed inside 08:00-21:00 local time
(``clock.next_reminder_after``), and a sweep that runs at night (a beat that was late) waits for
the morning. A sweep that was down past several reminder points sends one reminder, not a burst.
Who is reminded is who gets the notice (``sending.recipients`` at the reminder's instant): a
representative whose power was revoked or ended meanwhile is not.
"""

from __future__ import annotations

import datetime as dt

from notificacions import clock, sending
from notificacions.models import Notification, NotificationEvent
from seu import calendar
from seu.core.sweeps import sweep_each

State = Notification.State
Event = NotificationEvent.Event


def _remind(notification: Notification, *, now: dt.datetime) -> bool:
    """Send the due reminder of one claimed notification and schedule the next; True if any
    e-mail was queued."""
    if notification.state != State.AVAILABLE or notification.is_final:
        return False
    if notification.expires_at is None or now >= notification.expires_at:
        # Its period is over: the expiry sweep ends it; a reminder now would tell a wrong date.
        Notification.objects.filter(pk=notification.pk).update(next_reminder_at=None)
        return False
    sent = notification.reminders_sent + 1
    # Reminder points that passed while the sweep was not looking are skipped, not sent in a row.
    following = clock.next_reminder_after(notification, sent=sent)
    while following is not None and following <= now:
        sent += 1
        following = clock.next_reminder_after(notification, sent=sent)
    queued = False
    for recipient in sending.recipients(notification, at=now):
        sending.queue_notice(notification, event=Event.REMINDER, now=now, recipient=recipient)
        queued = True
    notification.reminders_sent = sent
    notification.next_reminder_at = following
    Notification.objects.filter(pk=notification.pk).update(
        reminders_sent=sent, next_reminder_at=following
    )
    return queued


def send_due_reminders(*, now: dt.datetime | None = None, limit: int = 200) -> int:
    """The beat's sweep: the reminders whose time has come, each notification claimed in a
    transaction of its own. Returns how many notifications were reminded (0 at night)."""
    now = now or calendar.now()
    if not calendar.is_within_hours(now):
        return 0
    return sweep_each(
        Notification.objects.due_for_reminder(at=now).select_related(
            "organ", "holder", "representative", "power", "exit_entry"
        ),
        lambda notification: _remind(notification, now=now),
        order_by=["next_reminder_at", "pk"],
        limit=limit,
    )
