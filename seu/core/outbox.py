"""Work that must follow a commit, written once for every app (DESIGN "Background work").

``after_commit`` queues a Celery task when the caller's transaction commits; a broker that is
down costs nothing but a log line, because every such task has a due column that its sweep reads.
``queue_email`` writes an e-mail as a row (``seu.OutgoingEmail``) in the caller's transaction and
queues its delivery after the commit; ``deliver_email`` sends a stored row once and records the
outcome; ``deliver_pending_emails`` is the beat's sweep for rows whose task was lost.
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


def deliver_email(*, email_id: int, now: dt.datetime | None = None) -> str:
    """Send a stored e-mail once and record the outcome; a second run does nothing."""
    now = now or calendar.now()
    with transaction.atomic():
        email = claim_one(
            OutgoingEmail.objects.filter(pk=email_id, state=OutgoingEmail.State.PENDING)
        )
        if email is None:
            return "skipped"
        if not email.to:  # erased before it left
            email.state = OutgoingEmail.State.FAILED
            email.last_error = "no recipient"
            email.save(update_fields=["state", "last_error"])
            return "failed"
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
        email.attempts += 1
        try:
            message.send()
        except smtplib.SMTPRecipientsRefused as error:  # permanent: the address is wrong
            email.state = OutgoingEmail.State.FAILED
            email.last_error = str(error)[:2000]
        except TRANSIENT_ERRORS as error:
            email.last_error = str(error)[:2000]
            if email.attempts >= MAX_EMAIL_ATTEMPTS:
                email.state = OutgoingEmail.State.FAILED
        else:
            email.state = OutgoingEmail.State.SENT
            email.sent_at = now
            email.last_error = ""
        email.save(update_fields=["state", "attempts", "last_error", "sent_at"])
        return str(email.state)


def deliver_pending_emails(*, now: dt.datetime | None = None, limit: int = 200) -> int:
    """The sweep behind the per-e-mail task: delivers e-mails whose task was lost."""
    # Each delivery claims its row (``deliver_email``): reading the ids needs no lock.
    ids = list(
        OutgoingEmail.objects.filter(state=OutgoingEmail.State.PENDING)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(deliver_email(email_id=pk, now=now) == "sent" for pk in ids)


def erase_emails_about(references: Sequence[str]) -> int:
    """Forget the addresses and texts of the e-mails about these objects (retention periods)."""
    return OutgoingEmail.objects.about(references).update(
        to="", subject="", text_body="", html_body="", attachments=[]
    )
