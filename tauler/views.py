"""Public pages of the notice board: no identification is needed (art. 18.2)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from documents import responses
from documents import services as documents
from seu import calendar
from tauler import integrity, selectors
from tauler.caching import cached_for_anonymous, not_cached
from tauler.forms import BoardFilterForm
from tauler.models import Category, Edict


@require_GET
@cached_for_anonymous(params=("categoria", "organ", "pagina"), blank=("q",))
def board(request: HttpRequest) -> HttpResponse:
    now = calendar.now()
    form = BoardFilterForm(request.GET or None)
    filters = {"category": "", "organ": "", "text": ""}
    if form.is_bound and form.is_valid():
        filters = {
            "category": form.cleaned_data["categoria"],
            "organ": form.cleaned_data["organ"],
            "text": form.cleaned_data["q"],
        }
    elif form.is_bound:
        not_cached(request)  # an unknown category or organ: shown unfiltered, not kept
    found = selectors.board(at=now, **filters)
    paginator = Paginator(found, settings.TAULER_PAGE_SIZE)
    asked = request.GET.get("pagina")
    page = paginator.get_page(asked)
    if asked is not None and asked != str(page.number):
        not_cached(request)  # past the last page, or not a page number: the nearest is shown
    kept = {k: v for k, v in request.GET.items() if k != "pagina" and v}
    edicts = [(edict, edict.days_left(now)) for edict in page.object_list]
    return render(
        request,
        "tauler/board.html",
        {
            "form": form,
            "page": page,
            "edicts": edicts,
            "query_prefix": (urlencode(kept) + "&") if kept else "",
            "filtered": any(filters.values()),
            "categories": Category.choices,
        },
    )


def _edict_or_404(year: int, number: int) -> Edict:
    edict = selectors.published(year=year, number=number)
    if edict is None:
        raise Http404
    return edict


@require_GET
@cached_for_anonymous
def edict(request: HttpRequest, year: int, number: int) -> HttpResponse:
    found = _edict_or_404(year, number)
    now = calendar.now()
    on_display = found.is_on_display(now)
    return render(
        request,
        "tauler/edict.html",
        {
            "edict": found,
            "on_display": on_display,
            "days_left": found.days_left(now) if on_display else 0,
            "attachments": list(found.attachments.all()) if on_display else [],
            "transitions": found.transitions.filter(to_state=Edict.State.WITHDRAWN),
        },
    )


@require_GET
def attachment(request: HttpRequest, year: int, number: int, position: int) -> HttpResponse:
    """A document of the edict, only while the edict is on display (issue 5, point 2), and only
    if its bytes are those whose SHA-256 the sealed edict names."""
    found = _edict_or_404(year, number)
    if not found.is_on_display(calendar.now()):
        raise Http404
    item = found.attachments.select_related("blob").filter(position=position).first()
    if item is None:
        raise Http404
    try:
        data = integrity.attachment_bytes(attachment=item)
    except documents.IntegrityFailure as failure:
        # The sealed edict is what names the document's SHA-256: its verification lists it.
        assert found.sealed_document is not None
        return responses.integrity_failure(request, found.sealed_document, failure)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="edicte-{year}-{number}-{position}.pdf"'
    return response


@require_GET
def certificate(request: HttpRequest, year: int, number: int) -> HttpResponse:
    found = _edict_or_404(year, number)
    if found.certificate is None:
        raise Http404
    try:
        data = documents.checked_bytes(document=found.certificate)
    except documents.IntegrityFailure as failure:
        return responses.integrity_failure(request, found.certificate, failure)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="diligencia-{year}-{number}.pdf"'
    return response
