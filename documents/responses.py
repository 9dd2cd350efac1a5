"""What every channel answers when a stored document fails its integrity check (the registry's
receipts and attachments, the board's files, the verification download): the portal's page in the
person's language, with the HTTP status of the failure (409), instead of the bytes."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from documents.services import IntegrityFailure


def integrity_failure(
    request: HttpRequest, document: Any, failure: IntegrityFailure
) -> HttpResponse:
    return render(
        request,
        "documents/integrity_failure.html",
        {"document": document, "message": failure.message},
        status=failure.http_status,
    )
