"""Placeholder until the catalogue and filing pages land (this session): every route is a 404."""

from django.http import Http404, HttpRequest, HttpResponse


def _missing(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


catalogue = procedure = fill = review = confirm = _missing
