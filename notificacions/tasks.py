"""Celery tasks of notifications: thin wrappers around the services (STYLE "Background work")."""

from celery import shared_task


@shared_task(ignore_result=True)
def expire_due() -> int:
    from notificacions import clock

    return clock.expire_due()


@shared_task(ignore_result=True)
def send_reminders() -> int:
    from notificacions import reminders

    return reminders.send_due_reminders()


@shared_task(ignore_result=True)
def issue_due_certificates() -> int:
    from notificacions import certificates

    return certificates.issue_due_certificates()


@shared_task(ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def issue_certificate(notification_id: int) -> bool:
    from notificacions import certificates

    return certificates.issue_certificate(notification_id=notification_id)


@shared_task(ignore_result=True)
def timestamp_pending_events() -> int:
    from notificacions import access

    return access.timestamp_pending_events()
