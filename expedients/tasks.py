"""Celery tasks of case files: thin wrappers around the services (STYLE "Background work")."""

from celery import shared_task


@shared_task(ignore_result=True)
def lapse_remedies() -> int:
    from expedients import services

    return services.lapse_remedies()


@shared_task(ignore_result=True)
def record_silences() -> int:
    from expedients import services

    return services.record_silences()


@shared_task(ignore_result=True)
def issue_due_answers_documents() -> int:
    from expedients import services

    return services.issue_due_answers_documents()


@shared_task(ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def issue_answers_document(case_id: int) -> bool:
    from expedients import services

    return services.issue_answers_document(case_id=case_id)
