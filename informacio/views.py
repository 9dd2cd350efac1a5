"""Public pages of the information sections (art. 15, 16, 19): no identification is needed."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from informacio import selectors


@require_GET
def information(request: HttpRequest) -> HttpResponse:
    """Organisation, services, contact, transparency documents and official journals: each item
    says which organ provides it and when it was last updated (art. 15.3)."""
    page = selectors.information_page()
    return render(
        request,
        "informacio/information.html",
        {
            "organs": page.organs,
            "services": page.services,
            "document_groups": page.document_groups,
            "journals": page.journals,
        },
    )


@require_GET
def information_file(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.document_file(document_id=pk)
    if found is None or found.blob is None:
        raise Http404
    response = HttpResponse(found.blob.read(), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="informacio-{pk}.pdf"'
    return response
