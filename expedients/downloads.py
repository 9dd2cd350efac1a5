"""One document of a case file as every page hands it out (La meva carpeta, the back-office; the
API reads the same ``services.document_bytes``): its bytes checked before anyone gets them (a
sealed document against what was sealed, a file a person brought against the SHA-256 its
entry's receipt lists), as an attachment no cache keeps; the integrity page (409) otherwise."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

from documents import responses
from documents.services import IntegrityFailure
from expedients import services

if TYPE_CHECKING:
    from expedients.models import ExpedientDocument


def case_document(request: HttpRequest, item: ExpedientDocument, *, back_url: str) -> HttpResponse:
    try:
        data = services.document_bytes(item)
    except IntegrityFailure as failure:
        if item.document is not None:
            return responses.integrity_failure(request, item.document, failure)
        return render(
            request,
            "expedients/_case_file_refused.html",
            {"item": item, "message": failure.message, "back_url": back_url},
            status=failure.http_status,
        )
    if item.document is not None:
        content_type = "application/pdf"
        filename = f"{item.expedient.number.replace('/', '-')}-{item.position}.pdf"
    else:
        assert item.blob is not None
        content_type = item.content_type or item.blob.content_type or "application/octet-stream"
        filename = item.title or f"{item.expedient.number.replace('/', '-')}-{item.position}"
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    response["Cache-Control"] = "private, no-store"
    return response
