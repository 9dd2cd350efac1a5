"""What every channel answers when a stored document fails its integrity check (the registry's
receipts and attachments, the board's files, the verification download): the portal's page in the
person's language, with the HTTP status of the failure (409), instead of the bytes; and the
download of a document that is someone's own (a notification's), checked first."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from documents.services import IntegrityFailure, checked_bytes


def integrity_failure(
    request: HttpRequest, document: Any, failure: IntegrityFailure
) -> HttpResponse:
    return render(
        request,
        "documents/integrity_failure.html",
        {"document": document, "message": failure.message},
        status=failure.http_status,
    )


def private_download(request: HttpRequest, document: Any, filename: str) -> HttpResponse:
    """A sealed document's bytes, checked against what was sealed (``checked_bytes``), as an
    attachment that no cache keeps: a person's own documents, to them or to staff."""
    try:
        data = checked_bytes(document=document)
    except IntegrityFailure as failure:
        return integrity_failure(request, document, failure)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
