"""Celery tasks of the document pipeline: thin wrappers over ``documents.services``."""

from __future__ import annotations

from celery import shared_task

from documents import services


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def timestamp_document(document_id: int) -> bool:
    return services.add_timestamp(document_id=document_id)


@shared_task(ignore_result=True)
def sweep_pending_timestamps() -> int:
    """Catch up on documents whose timestamp failed or whose task was lost: runs from beat."""
    done = 0
    for document_id in services.due_timestamp_ids():
        if services.add_timestamp(document_id=document_id):
            done += 1
    return done


@shared_task(ignore_result=True)
def purge_orphan_blobs() -> int:
    return services.purge_orphan_blobs()


@shared_task(ignore_result=True)
def check_stored_documents() -> int:
    """Re-hash the stored documents (art. 10, 30.1): runs from beat, like the board's own."""
    return services.check_stored_documents()
