"""The ten-day clock of notifications (art. 32.6): periods that stop it, and the expiry sweep.

The expiry instant is computed by ``seu.calendar`` when a notification is made available and
stored (``base_expires_at``, then ``expires_at`` with the periods that stop the clock: the seu's
interruptions, art. 17, and the suspensions staff declare). When a period is recorded or changed
afterwards, the pending notifications it overlaps are recomputed at once, so the person always
sees the right date; an expiry is never brought earlier than the one already shown.

``expire_due`` is the beat's sweep: it reads the due rows in batches in expiry order (the
partial index on ``expires_at``), recomputes those of the batch that a period overlaps (a period
recorded while the sweep was not looking, a suspension still open), then expires the others of
that same batch in one conditional statement, with their log rows. Each row moves once: the
statement claims rows with ``FOR UPDATE SKIP LOCKED`` and changes only those still available and
past their expiry, so two sweepers, a duplicated beat or an access at the cutoff never make it
happen twice; a row is expired only after the periods were checked for it.

A declared impossibility of access (``declare_impossibility``) gives a new base expiry from the
instant it is declared: the periods before it are already given back and do not count again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import cast

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q

from notificacions import hooks
from notificacions.models import ClockSuspension, Notification, NotificationEvent
from seu import calendar
from seu.models import Interruption

State = Notification.State
Event = NotificationEvent.Event

EXPIRY_BATCH = 1000


def stopping_periods(start: dt.datetime, end: dt.datetime, *, now: dt.datetime) -> list[tuple]:
    """The periods [start, end) that stop the clock between ``start`` and ``end``: the whole
    seu's interruptions (one of the registry alone leaves notifications reachable) and declared
    suspensions. Each as (start, end, reason)."""
    # An interruption counts whole, also one announced ahead (art. 17.1): the person will not be
    # able to reach the seu then. An open suspension counts up to now, and the sweep looks again.
    found: list[tuple] = [
        (item.starts_at, item.ends_at, item.reason)
        for item in Interruption.objects.filter(
            scope=Interruption.Scope.SEU, starts_at__lt=end, ends_at__gt=start
        ).order_by("starts_at")
    ]
    for suspension in ClockSuspension.objects.filter(starts_at__lt=end).order_by("starts_at"):
        until = suspension.ends_at or max(now, suspension.starts_at)
        if until > start:
            found.append((suspension.starts_at, until, suspension.reason))
    return [period for period in found if period[1] > period[0]]


# Far enough to hold any extension: the periods looked up run from availability to here.
_HORIZON = dt.timedelta(days=3650)


def expiry_with_periods(
    base_expires_at: dt.datetime, *, available_at: dt.datetime, now: dt.datetime
) -> dt.datetime:
    """``base_expires_at`` extended by every stopping period that overlaps the notification's
    period (``seu.calendar.extend_for_periods``: merged, to a fixed point)."""
    return expiry_and_periods(base_expires_at, available_at=available_at, now=now)[0]


def expiry_and_periods(
    base_expires_at: dt.datetime, *, available_at: dt.datetime, now: dt.datetime
) -> tuple[dt.datetime, list[dict[str, str]]]:
    """``expiry_with_periods`` and the periods that moved it, as the evidence records them
    (start, end, reason): an interruption announced before availability, a suspension."""
    periods = stopping_periods(available_at, available_at + _HORIZON, now=now)
    expiry = calendar.extend_for_periods(
        base_expires_at, [(start, end) for start, end, _reason in periods], since=available_at
    )
    counted = [
        {"start": start.isoformat(), "end": end.isoformat(), "reason": reason}
        for start, end, reason in periods
        if start < expiry and end > available_at
    ]
    return expiry, counted if expiry != base_expires_at else []


def reminder_days() -> tuple[int, ...]:
    return tuple(sorted(int(day) for day in settings.NOTIFICATION_REMINDER_DAYS))


def first_reminder_at(notification: Notification) -> dt.datetime | None:
    """The first reminder point after availability (``NOTIFICATION_REMINDER_DAYS``), moved out of
    the night; None when there is none before the expiry."""
    return next_reminder_after(notification, sent=0)


def next_reminder_after(notification: Notification, *, sent: int) -> dt.datetime | None:
    """The instant of reminder number ``sent + 1``, or None when no reminder is left before the
    expiry (a reminder never goes out after the notification stops being pending)."""
    days = reminder_days()
    if notification.available_at is None or notification.expires_at is None:
        return None
    for day in days[sent:]:
        # Calendar days at the same local time, also across a change of summer time.
        wanted = calendar.add_calendar_days(notification.available_at, day)
        instant = calendar.next_reminder_instant(wanted)
        if instant < notification.expires_at:
            return instant
    return None


def _clock_start(notification: Notification) -> dt.datetime:
    """Since when the periods count for ``base_expires_at``: the availability, or the last
    declared impossibility of access, whose new expiry already gave the time before it back."""
    assert notification.available_at is not None
    declared = (
        NotificationEvent.objects.filter(notification=notification, event=Event.IMPOSSIBILITY)
        .order_by("-at", "-pk")
        .values_list("at", flat=True)
        .first()
    )
    return max(declared, notification.available_at) if declared else notification.available_at


def _recompute(notification: Notification, *, now: dt.datetime, reason: str) -> bool:
    """Recompute one locked, available notification's expiry; log an extension (with the
    periods that count and their reasons) if it moves later. Never earlier than what the person
    was already shown."""
    assert notification.base_expires_at is not None and notification.available_at is not None
    since = _clock_start(notification)
    periods = stopping_periods(since, since + _HORIZON, now=now)
    extended = calendar.extend_for_periods(
        notification.base_expires_at,
        [(start, end) for start, end, _reason in periods],
        since=since,
    )
    if notification.expires_at is not None and extended <= notification.expires_at:
        return False
    from notificacions.sending import WORKFLOW

    # The periods that moved it: those that overlap [since, extended expiry).
    counted = [(start, end, why) for start, end, why in periods if start < extended and end > since]
    if not reason:
        reason = "; ".join(dict.fromkeys(why for _start, _end, why in counted if why))
    previous = notification.expires_at
    notification.expires_at = extended
    notification.next_reminder_at = next_reminder_after(
        notification, sent=notification.reminders_sent
    )
    Notification.objects.filter(pk=notification.pk).update(
        expires_at=extended, next_reminder_at=notification.next_reminder_at
    )
    WORKFLOW.note(
        notification,
        at=now,
        reason=reason[:2000],
        log_fields={
            "event": Event.EXTENDED,
            "details": {
                "from": previous.isoformat() if previous else None,
                "to": extended.isoformat(),
                "periods": [
                    {"start": start.isoformat(), "end": end.isoformat(), "reason": why}
                    for start, end, why in counted
                ],
            },
        },
    )
    return True


def refresh_expiry(notification: Notification, *, now: dt.datetime) -> bool:
    """For a caller holding the row's lock (an access at the cutoff): bring its expiry up to date
    with the periods known now, above all a suspension still open, which the stored expiry only
    counts up to the sweep's last look. True if it moved (the row is updated and the extension
    logged)."""
    if notification.state != State.AVAILABLE or notification.base_expires_at is None:
        return False
    return _recompute(notification, now=now, reason="")


def recompute_overlapping(
    start: dt.datetime, end: dt.datetime | None, *, now: dt.datetime, reason: str
) -> int:
    """Recompute the available notifications whose period a stopping period [start, end) may
    overlap (available before its end, expiring after its start). In the caller's transaction."""
    due = Notification.objects.filter(
        state=State.AVAILABLE,
        expires_at__isnull=False,
        expires_at__gt=start,
    )
    if end is not None:
        due = due.filter(available_at__lt=end)
    moved = 0
    for notification in due.select_for_update(skip_locked=False).order_by("pk").iterator(500):
        moved += _recompute(notification, now=now, reason=reason)
    return moved


def on_interruption_changed(*, interruption: Interruption | None, before: dict | None) -> None:
    """``seu.services.INTERRUPTION_CHANGED``: an interruption of the whole seu recorded or moved
    extends the notifications it overlaps (art. 32.6 last clause, art. 17)."""
    if interruption is None or interruption.scope != Interruption.Scope.SEU:
        return
    recompute_overlapping(
        interruption.starts_at,
        interruption.ends_at,
        now=calendar.now(),
        reason=interruption.reason,
    )


Due = tuple[int, dt.datetime, dt.datetime]  # (id, available_at, expires_at)


def _overlapped(due: Sequence[Due], *, now: dt.datetime) -> list[int]:
    """Of the due rows, those a stopping period overlaps: their expiry may have to move."""
    if not due:
        return []
    periods = stopping_periods(min(available for _pk, available, _expires in due), now, now=now)
    if not periods:
        return []
    return [
        pk
        for pk, available, expires in due
        if any(start < expires and end > available for start, end, _reason in periods)
    ]


def _expire_batch(
    *, now: dt.datetime, ids: Sequence[int] | None = None, limit: int = EXPIRY_BATCH
) -> list[tuple[int, str]]:
    """Expire those of ``ids`` that are still due (or, with no ``ids``, the first ``limit`` due
    rows in order of expiry, read through the partial index), with their log rows; returns (id,
    case reference) of each.

    On PostgreSQL one statement claims, changes and logs the batch; elsewhere (SQLite: the
    development default, one writer at a time) the same claim and conditional change in three."""
    if ids is not None and not ids:
        return []
    due = Notification.objects.due_for_expiry(at=now).order_by("expires_at")
    if ids is not None:
        due = due.filter(pk__in=ids)
    cut = len(ids) if ids is not None else limit
    table = Notification._meta.db_table
    log_table = NotificationEvent._meta.db_table
    if connection.vendor == "postgresql":
        claim_sql, claim_params = (
            due.select_for_update(skip_locked=True).values("id")[:cut].query.sql_with_params()
        )
        with connection.cursor() as cursor:
            # Table names from the models' metadata, values as parameters.
            cursor.execute(
                f"""
                WITH due AS ({claim_sql}),
                moved AS (
                    UPDATE {table} AS n
                    SET state = %s, outcome_at = n.expires_at, next_reminder_at = NULL,
                        certificate_due_at = %s
                    FROM due WHERE n.id = due.id AND n.state = %s
                    RETURNING n.id, n.expires_at, n.case_reference
                ),
                logged AS (
                    INSERT INTO {log_table}
                        (notification_id, from_state, to_state, at, reason, event, role,
                         details)
                    SELECT id, %s, %s, %s, '', %s, '', jsonb_build_object('expires_at', expires_at)
                    FROM moved
                )
                SELECT id, case_reference FROM moved
                """,  # noqa: S608
                [
                    *claim_params,
                    State.EXPIRED,
                    now,
                    State.AVAILABLE,
                    State.AVAILABLE,
                    State.EXPIRED,
                    now,
                    Event.EXPIRED,
                ],
            )
            return [(row[0], row[1]) for row in cursor.fetchall()]
    rows = list(due.values_list("pk", "expires_at", "case_reference")[:cut])
    moved = []
    for pk, expires_at, case_reference in rows:
        if (
            Notification.objects.filter(pk=pk, state=State.AVAILABLE).update(
                state=State.EXPIRED,
                outcome_at=expires_at,
                next_reminder_at=None,
                certificate_due_at=now,
            )
            == 1
        ):
            moved.append((pk, expires_at, case_reference))
    NotificationEvent.objects.bulk_create(
        NotificationEvent(
            notification_id=pk,
            from_state=State.AVAILABLE,
            to_state=State.EXPIRED,
            at=now,
            event=Event.EXPIRED,
            details={"expires_at": expires_at.isoformat() if expires_at else None},
        )
        for pk, expires_at, _case in moved
    )
    return [(pk, case) for pk, _expires, case in moved]


def expire_locked(notification: Notification, *, now: dt.datetime) -> None:
    """Expire one available notification past its expiry whose row the caller holds locked (an
    access that came after the cutoff, before the sweep): the same change, log and report as
    ``_expire_batch`` makes for many."""
    from notificacions.sending import WORKFLOW

    expired = notification.expires_at
    notification.outcome_at = expired
    notification.next_reminder_at = None
    notification.certificate_due_at = now
    WORKFLOW.move(
        notification,
        State.EXPIRED,
        at=now,
        fields=["outcome_at", "next_reminder_at", "certificate_due_at"],
        log_fields={
            "event": Event.EXPIRED,
            "details": {"expires_at": expired.isoformat() if expired else None},
        },
    )
    _report_expired([(notification.pk, notification.case_reference)], now=now)


def _report_expired(moved: Sequence[tuple[int, str]], *, now: dt.datetime) -> None:
    hooks.report_outcomes(
        [
            hooks.Outcome(notification_id=pk, case_reference=case, state=State.EXPIRED, at=now)
            for pk, case in moved
        ]
    )


# How far before the oldest due expiry a stopping period may lie and still touch a due row's
# period: its ten days, and room for extensions.
PERIOD_LOOKBACK = dt.timedelta(days=40)


def _periods_near_due(now: dt.datetime) -> bool:
    """Whether any stopping period lies near the due rows (from ``PERIOD_LOOKBACK`` before the
    oldest due expiry up to now): only then are the due rows read one by one to see whether a
    period moves their expiry (one recorded without its hook, a suspension still open). Without
    one, which is the rule, every due row is due and the sweep never reads them into Python."""
    oldest = (
        Notification.objects.due_for_expiry(at=now)
        .order_by("expires_at")
        .values_list("expires_at", flat=True)
        .first()
    )
    return oldest is not None and bool(stopping_periods(oldest - PERIOD_LOOKBACK, now, now=now))


def expire_due(*, now: dt.datetime | None = None, limit: int = EXPIRY_BATCH) -> int:
    """The beat's sweep: every available notification past its expiry is deemed rejected
    (art. 32.6), in batches of ``limit``, each batch one transaction. Returns how many.

    Each batch reads the next due rows in (expiry, id) order, after the last batch's (so a run
    looks at each row once, and ends), moves those a stopping period extends, and expires the
    others still due: rows another sweeper or an access holds are skipped, and the next run takes
    whatever is left. A missed beat is caught up: due means past the expiry, not at it."""
    now = now or calendar.now()
    total = 0
    if not _periods_near_due(now):
        # No period can move a due row's expiry: the due rows are due. One statement a batch,
        # no row read into Python; rows another transaction holds wait for the next run.
        while True:
            with transaction.atomic():
                moved = _expire_batch(now=now, limit=limit)
                if moved:
                    _report_expired(moved, now=now)
            total += len(moved)
            if len(moved) < limit:
                return total
    after: tuple[dt.datetime, int] | None = None
    while True:
        with transaction.atomic():
            due = Notification.objects.due_for_expiry(at=now)
            if after is not None:
                due = due.filter(
                    Q(expires_at__gt=after[0]) | Q(expires_at=after[0], pk__gt=after[1])
                )
            # A due row is available: both instants are set (``due_for_expiry``).
            rows = cast(
                list[Due],
                list(
                    due.order_by("expires_at", "pk").values_list(
                        "pk", "available_at", "expires_at"
                    )[:limit]
                ),
            )
            if not rows:
                return total
            after = (rows[-1][2], rows[-1][0])
            extended = set()
            for pk in _overlapped(rows, now=now):
                notification = (
                    Notification.objects.select_for_update(skip_locked=True)
                    .filter(pk=pk, state=State.AVAILABLE)
                    .first()
                )
                if notification is None:
                    extended.add(pk)  # another transaction holds it: the next run looks again
                elif _recompute(notification, now=now, reason=""):
                    extended.add(pk)
            moved = _expire_batch(now=now, ids=[pk for pk, *_ in rows if pk not in extended])
            if moved:
                _report_expired(moved, now=now)
        total += len(moved)
        if len(rows) < limit:
            return total


def declare_impossibility(
    *,
    notification: Notification,
    reason: str,
    at_request_of_person: bool,
    acting_user: object,
    new_expiry: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> Notification:
    """A clerk declares that the person could not reach the notification (art. 32.6, last clause):
    ex officio or at the person's request, with the reason, and a new expiry (by default, ten
    natural days again from now under the same rule). Only while it is pending; the new expiry is
    never earlier than the one in force, nor in the past."""
    from django.utils.translation import gettext_lazy as _

    from notificacions.sending import WORKFLOW
    from seu.errors import InvalidInput

    now = now or calendar.now()
    reason = " ".join((reason or "").split())
    if not reason:
        raise InvalidInput(_("Indicau el motiu de la impossibilitat d'accés."), code="reason")
    if len(reason) > 2000:
        raise InvalidInput(_("El motiu pot tenir com a màxim 2.000 caràcters."), code="reason")
    with transaction.atomic():
        locked = (
            Notification.objects.select_for_update(of=("self",)).filter(pk=notification.pk).first()
        )
        if locked is None or locked.state != State.AVAILABLE or locked.expires_at is None:
            raise InvalidInput(
                _("Només es pot declarar la impossibilitat d'accés d'una notificació pendent."),
                code="not_pending",
            )
        wanted = new_expiry or calendar.notification_expiry(now)
        if wanted <= now or wanted <= locked.expires_at:
            raise InvalidInput(
                _("El nou venciment ha de ser posterior a l'actual i a ara."), code="new_expiry"
            )
        previous = locked.expires_at
        locked.base_expires_at = wanted
        locked.expires_at = wanted
        locked.next_reminder_at = next_reminder_after(locked, sent=locked.reminders_sent)
        Notification.objects.filter(pk=locked.pk).update(
            base_expires_at=wanted, expires_at=wanted, next_reminder_at=locked.next_reminder_at
        )
        WORKFLOW.note(
            locked,
            at=now,
            actor=acting_user,  # type: ignore[arg-type]
            reason=reason,
            log_fields={
                "event": Event.IMPOSSIBILITY,
                "details": {
                    "from": previous.isoformat(),
                    "to": wanted.isoformat(),
                    "at_request_of_person": bool(at_request_of_person),
                },
            },
        )
        # Periods already recorded still extend the new expiry.
        _recompute(locked, now=now, reason=reason)
    return locked


# --- Suspensions of the clock declared by staff ---------------------------------------------------


def _check_suspension(starts_at: dt.datetime, ends_at: dt.datetime | None, reason: str) -> str:
    from django.utils.translation import gettext_lazy as _

    from seu.errors import InvalidInput

    reason = " ".join((reason or "").split())
    if not reason:
        raise InvalidInput(_("Indicau el motiu de la suspensió."), code="reason")
    if len(reason) > 300:
        raise InvalidInput(_("El motiu pot tenir com a màxim 300 caràcters."), code="reason")
    if ends_at is not None and ends_at <= starts_at:
        raise InvalidInput(
            _("El final de la suspensió ha de ser posterior a l'inici."), code="period"
        )
    return reason


def declare_suspension(
    *,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None,
    reason: str,
    acting_user: object,
    now: dt.datetime | None = None,
) -> ClockSuspension:
    """Suspend the ten-day clock of every notification for a declared period (open if ``ends_at``
    is None); each pending notification it overlaps is extended at once (logged on it), and the
    declaration itself is logged in the back-office's change log."""
    from seu import services as seu_services

    now = now or calendar.now()
    reason = _check_suspension(starts_at, ends_at, reason)
    with transaction.atomic():
        suspension = ClockSuspension.objects.create(
            starts_at=starts_at,
            ends_at=ends_at,
            reason=reason,
            declared_by_id=getattr(acting_user, "pk", None),
            declared_at=now,
        )
        seu_services.record_change(
            obj=suspension,
            action=seu_services.Action.CREATED,
            acting_user=acting_user,  # type: ignore[arg-type]
            after=seu_services.snapshot(suspension, ("starts_at", "ends_at", "reason")),
            now=now,
        )
        recompute_overlapping(starts_at, ends_at, now=now, reason=reason)
    return suspension


def end_suspension(
    *,
    suspension: ClockSuspension,
    ends_at: dt.datetime,
    acting_user: object,
    now: dt.datetime | None = None,
) -> ClockSuspension:
    """Close an open suspension (or move its end later): the notifications it overlaps are
    recomputed; an expiry already shown is never brought earlier."""
    from seu import services as seu_services

    now = now or calendar.now()
    with transaction.atomic():
        locked = ClockSuspension.objects.select_for_update().get(pk=suspension.pk)
        _check_suspension(locked.starts_at, ends_at, locked.reason)
        before = seu_services.snapshot(locked, ("starts_at", "ends_at", "reason"))
        locked.ends_at = ends_at
        locked.save(update_fields=["ends_at"])
        seu_services.record_change(
            obj=locked,
            action=seu_services.Action.CHANGED,
            acting_user=acting_user,  # type: ignore[arg-type]
            before=before,
            after=seu_services.snapshot(locked, ("starts_at", "ends_at", "reason")),
            now=now,
        )
        recompute_overlapping(locked.starts_at, ends_at, now=now, reason=locked.reason)
    return locked
