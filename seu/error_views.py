"""The portal's own pages for requests refused before any view runs (issue #11, item 8).

Django answers a form it cannot read (a file name longer than its multipart parser takes, too many
fields or files, a body over the limit) and a form without its CSRF token with a bare English page,
and the person loses the way back. These views answer in the person's language (the locale
middleware has already run), in the portal's layout, naming the likely cause and linking back to
the page the form came from: the browser's Back button keeps what was typed there, and a registry
request already saved as a draft is restored by the form itself.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from django.core.exceptions import (
    DisallowedHost,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def _cause(exception: Exception | None) -> str:
    """What the person can do about it, for the causes a browser can produce."""
    if isinstance(exception, MultiPartParserError) and "header size" in str(exception):
        # Django reads at most 1,024 bytes of each part's headers, which carry the file's name.
        return _(
            "El nom d'un fitxer és massa llarg. Canviau-li el nom per un de més curt i "
            "adjuntau-lo de nou."
        )
    if isinstance(exception, TooManyFilesSent):
        return _("S'han enviat massa fitxers alhora. Adjuntau-ne menys cada vegada.")
    if isinstance(exception, TooManyFieldsSent):
        return _("El formulari té massa camps.")
    if isinstance(exception, RequestDataTooBig):
        return _("El formulari és massa gran. Adjuntau els fitxers grans d'un en un.")
    return _("El formulari té un format que no s'ha pogut llegir.")


def _way_back(request: HttpRequest) -> str:
    """The page the form came from, if it is one of ours; else the address that was asked for."""
    referer = request.META.get("HTTP_REFERER", "")
    try:
        host = request.get_host()
    except DisallowedHost:
        host = ""
    if referer and host and url_has_allowed_host_and_scheme(referer, allowed_hosts={host}):
        parts = urlsplit(referer)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return request.path


def _page(
    request: HttpRequest,
    *,
    status: int,
    title: str,
    message: str,
    cause: str = "",
    from_a_form: bool = True,
) -> HttpResponse:
    context = {
        "title": title,
        "message": message,
        "cause": cause,
        "back": _way_back(request),
        "from_a_form": from_a_form,
    }
    try:
        return render(request, "error.html", context, status=status)
    except Exception:  # the layout needs a database or a host that may be what failed
        logger.warning("the error page's layout failed; answering without it", exc_info=True)
        return HttpResponse(
            render_to_string("error_plain.html", context),
            status=status,
            content_type="text/html; charset=utf-8",
        )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, DisallowedHost):
        # Nothing of the layout depends on a host we do not serve.
        context = {"title": _("Petició no vàlida"), "message": "", "cause": "", "back": "/"}
        return HttpResponse(
            render_to_string("error_plain.html", context),
            status=400,
            content_type="text/html; charset=utf-8",
        )
    return _page(
        request,
        status=400,
        title=_("No s'ha pogut llegir el formulari"),
        message=_("No s'ha enviat res: la seu no ha pogut llegir el formulari tal com ha arribat."),
        cause=_cause(exception),
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(
        request,
        status=403,
        title=_("Accés no permès"),
        message=_("No teniu permís per fer aquesta operació."),
        from_a_form=False,
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    logger.info("csrf failure on %s: %s", request.path, reason)
    return _page(
        request,
        status=403,
        title=_("La sessió del formulari ha caducat"),
        message=_(
            "No s'ha enviat res: el formulari es va obrir fa massa temps, en una altra "
            "sessió, o el navegador no accepta les galetes de la seu, que són necessàries "
            "per enviar formularis."
        ),
        cause=_("Tornau al formulari, recarregau-lo i enviau-lo de nou."),
    )
