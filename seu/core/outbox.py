"""Work that must follow a commit, written once for every app (DESIGN "Background work").

``after_commit`` queues a Celery task when the caller's transaction commits; a broker that is
down costs nothing but a log line, because every such task has a due column that its sweep reads.
``queue_email`` writes an e-mail as a row (``seu.OutgoingEmail``) in the caller's transaction and
queues its delivery after the commit; ``deliver_email`` sends a stored row once and records the
outcome; ``deliver_pending_emails`` is the beat's sweep for rows whose task was lost and for rows
waiting to be tried again.

A transient failure (the mail server down or refusing for now) leaves the row pending with its
``last_error`` and a ``retry_at`` that doubles with each attempt (1, 2, 4, 8 minutes..., at most
``EMAIL_RETRY_MAX_DELAY``), so a server that is down is not hammered by every beat; after
``MAX_EMAIL_ATTEMPTS`` attempts, or at once for a permanent refusal (the address does not exist,
the message is refused for good), the row is ``FAILED``, which is what the notice's evidence shows.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.utils.module_loading import import_string

from seu import calendar
from seu.core.sweeps import claim_one
from seu.models import OutgoingEmail

logger = logging.getLogger(__name__)

MAX_EMAIL_ATTEMPTS = 5
# The wait after the first transient failure, doubled after each one, and its ceiling.
EMAIL_RETRY_FIRST_DELAY = dt.timedelta(minutes=1)
EMAIL_RETRY_MAX_DELAY = dt.timedelta(hours=1)

# Errors worth another attempt: the server or the network, not the message.
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    smtplib.SMTPHeloError,
    smtplib.SMTPDataError,
    TimeoutError,
    ConnectionError,
    OSError,
)


def is_permanent(error: Exception) -> bool:
    """Whether another attempt cannot succeed: every recipient refused, or the server refusing
    the message with a 5xx answer (RFC 5321, 4.2.1: a permanent negative reply). A 4xx answer, a
    lost connection or a timeout is transient. An error outside ``TRANSIENT_ERRORS`` (a bug
    building the message) is treated as transient: it is retried with the back-off, recorded,
    and fails after the last attempt instead of stopping the sweep for every other row."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return True
    return isinstance(error, smtplib.SMTPDataError) and 500 <= error.smtp_code < 600


def retry_delay(attempts: int) -> dt.timedelta:
    """How long to wait after the ``attempts``-th failed attempt: 1, 2, 4, 8... minutes, capped."""
    return min(EMAIL_RETRY_FIRST_DELAY * 2 ** max(attempts - 1, 0), EMAIL_RETRY_MAX_DELAY)


def after_commit(task_path: str, *args: object) -> None:
    """Queue the Celery task at ``task_path`` (resolved when the commit comes: tasks import
    services, services need not import tasks) with ``args`` once the current transaction commits,
    or at once outside one."""

    def send() -> None:
        try:
            import_string(task_path).delay(*args)
        except Exception:
            logger.warning("could not queue %s%r; its sweep will", task_path, args, exc_info=True)

    transaction.on_commit(send)


def reference(obj: models.Model) -> str:
    """The opaque name of what a message is about: ``"<app>.<model>:<pk>"``."""
    return f"{obj._meta.label_lower}:{obj.pk}"


@dataclass(frozen=True)
class TextAttachment:
    filename: str
    content: str
    mimetype: str


def queue_email(
    *,
    kind: str,
    to: str,
    subject: str,
    text_body: str,
    html_body: str = "",
    attachments: Sequence[TextAttachment] = (),
    about: models.Model | None = None,
    now: dt.datetime,
) -> OutgoingEmail:
    """Write an e-mail in the caller's transaction; it leaves after the commit."""
    email = OutgoingEmail.objects.create(
        kind=kind,
        reference=reference(about) if about is not None else "",
        to=to,
        subject=" ".join(subject.split())[:300],
        text_body=text_body,
        html_body=html_body,
        attachments=[vars(item) for item in attachments],
        created_at=now,
    )
    after_commit("seu.tasks.deliver_email", email.pk)
    return email


def _message(email: OutgoingEmail) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.text_body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to],
    )
    if email.html_body:
        message.attach_alternative(email.html_body, "text/html")
    for item in email.attachments:
        message.attach(item["filename"], item["content"], item["mimetype"])
    return message


def _due(now: dt.datetime) -> models.Q:
    return models.Q(retry_at__isnull=True) | models.Q(retry_at__lte=now)


def deliver_email(*, email_id: int, now: dt.datetime | None = None, only_due: bool = False) -> str:
    """Try to send a stored, pending e-mail now and record the outcome: ``"sent"``, ``"failed"``
    for good, ``"pending"`` (a transient failure: ``retry_at`` says when the sweep tries again) or
    ``"skipped"`` (already sent or failed, or another worker holds it). A second run of a sent
    e-mail does nothing. The task queued after the commit and an explicit retry try at once;
    the sweep passes ``only_due`` so that a row another sweeper has just tried waits its turn."""
    now = now or calendar.now()
    with transaction.atomic():
        pending = OutgoingEmail.objects.filter(pk=email_id, state=OutgoingEmail.State.PENDING)
        email = claim_one(pending.filter(_due(now)) if only_due else pending)
        if email is None:
            return "skipped"
        if not email.to:  # erased before it left
            email.state = OutgoingEmail.State.FAILED
            email.last_error = "no recipient"
            email.retry_at = None
            email.save(update_fields=["state", "last_error", "retry_at"])
            return "failed"
        email.attempts += 1
        try:
            _message(email).send()
        except Exception as error:
            if not isinstance(error, TRANSIENT_ERRORS):
                logger.exception("e-mail %s could not be built or sent", email.pk)
            email.last_error = f"{type(error).__name__}: {error}"[:2000]
            if is_permanent(error) or email.attempts >= MAX_EMAIL_ATTEMPTS:
                email.state = OutgoingEmail.State.FAILED
                email.retry_at = None
            else:
                email.retry_at = now + retry_delay(email.attempts)
        else:
            email.state = OutgoingEmail.State.SENT
            email.sent_at = now
            email.last_error = ""
            email.retry_at = None
        email.save(update_fields=["state", "attempts", "last_error", "sent_at", "retry_at"])
        return str(email.state)


def deliver_pending_emails(*, now: dt.datetime | None = None, limit: int = 200) -> int:
    """The sweep behind the per-e-mail task: delivers e-mails whose task was lost (never tried)
    and tries again those whose ``retry_at`` has come. Returns how many were sent."""
    now = now or calendar.now()
    # Each delivery claims its row (``deliver_email``): reading the ids needs no lock.
    ids = list(
        OutgoingEmail.objects.filter(state=OutgoingEmail.State.PENDING)
        .filter(_due(now))
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(deliver_email(email_id=pk, now=now, only_due=True) == "sent" for pk in ids)


def erase_emails_about(references: Sequence[str]) -> int:
    """Forget the addresses and texts of the e-mails about these objects (retention periods)."""
    return OutgoingEmail.objects.about(references).update(
        to="", subject="", text_body="", html_body="", attachments=[]
    )
