"""Placeholder until La meva carpeta > Expedients lands (this session): every route is a 404."""

from django.http import Http404, HttpRequest, HttpResponse


def _missing(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


cases = case = case_document = answer_remedy = extend_remedy = silence_certificate = _missing
