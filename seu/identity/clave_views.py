"""Cl@ve over HTTP: start a login (redirect to the identity provider), receive its answer (the
assertion consumer service), and publish our SAML metadata. The protocol checks are in
``seu.identity.clave``; these views only move messages and keep track of the requests this
browser made.
"""

from __future__ import annotations

import time
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from seu import identity
from seu.identity import clave
from seu.models import LoA
from seu.net import client_ip

PENDING_COOKIE = "seu_clave"
MAX_PENDING = 5


class PendingRequests:
    """The Cl@ve requests this browser has made and not yet seen answered.

    They live in a session of their own, not in the portal's: the answer arrives as a cross-site
    POST from Cl@ve, on which browsers do not send the portal's ``SameSite=Lax`` session cookie.
    This cookie is ``SameSite=None; Secure`` over HTTPS (``Lax`` over plain HTTP in development,
    where the local identity provider is on the same site), as djangosaml2's ``saml_session`` is.
    Binding each request to the browser that made it is what refuses an answer injected into
    someone else's browser (login CSRF) and an unsolicited one.
    """

    def __init__(self, request: HttpRequest) -> None:
        engine = import_module(settings.SESSION_ENGINE)
        self.store: SessionBase = engine.SessionStore(request.COOKIES.get(PENDING_COOKIE))

    def _requests(self) -> dict[str, dict[str, Any]]:
        cutoff = time.time() - settings.CLAVE_REQUEST_MAX_AGE_SECONDS
        requests = self.store.get("requests", {})
        return {key: value for key, value in requests.items() if value.get("at", 0) >= cutoff}

    def outstanding(self) -> dict[str, clave.Outstanding]:
        return {
            request_id: clave.Outstanding(
                idp_entity_id=item["idp"], level=LoA(item["level"]), next_url=item["next"]
            )
            for request_id, item in self._requests().items()
        }

    def latest(self) -> dict[str, Any] | None:
        requests = sorted(self._requests().values(), key=lambda item: item["at"])
        return requests[-1] if requests else None

    def add(self, request: clave.AuthnRequest, *, next_url: str, language: str) -> None:
        requests = self._requests()
        requests[request.request_id] = {
            "idp": request.idp_entity_id,
            "level": request.level.value,
            "next": next_url,
            "language": language,
            "at": time.time(),
        }
        newest = sorted(requests.items(), key=lambda entry: entry[1]["at"])[-MAX_PENDING:]
        self.store["requests"] = dict(newest)

    def discard(self, request_id: str) -> None:
        requests = self._requests()
        requests.pop(request_id, None)
        self.store["requests"] = requests

    def save(self, request: HttpRequest, response: HttpResponse) -> None:
        secure = request.is_secure()
        if not self.store.get("requests"):
            if self.store.session_key:
                self.store.delete()
            response.delete_cookie(PENDING_COOKIE, samesite="None" if secure else "Lax")
            return
        self.store.set_expiry(settings.CLAVE_REQUEST_MAX_AGE_SECONDS)
        self.store.save()
        response.set_cookie(
            PENDING_COOKIE,
            str(self.store.session_key),
            max_age=settings.CLAVE_REQUEST_MAX_AGE_SECONDS,
            secure=secure,
            httponly=True,
            samesite="None" if secure else "Lax",
        )


def _requested_level(value: str | None) -> LoA:
    return LoA(value) if value in LoA.values else LoA.LOW


def _refused(
    request: HttpRequest, error: clave.ClaveError, *, next_url: str, level: LoA
) -> HttpResponse:
    status = 503 if error.code == "unavailable" else error.http_status
    context = {
        "message": error.message,
        "code": error.code,
        "retry_url": identity.login_url(next_url, level),
    }
    return render(request, "seu/identity/clave_error.html", context, status=status)


@never_cache
@require_GET
def login(request: HttpRequest) -> HttpResponse:
    """Send the person to Cl@ve with a signed request for at least the level the page needs."""
    next_url = identity.safe_next(request, request.GET.get("next"))
    level = _requested_level(request.GET.get("nivell"))
    try:
        authn_request = clave.make_authn_request(level=level)
    except clave.ClaveError as error:
        return _refused(request, error, next_url=next_url, level=level)
    pending = PendingRequests(request)
    pending.add(
        authn_request,
        next_url=next_url,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    response = HttpResponseRedirect(authn_request.redirect_url)
    pending.save(request, response)
    return response


@csrf_exempt  # Cl@ve posts here; the signed answer to this browser's own request is the proof
@never_cache
@require_POST
def acs(request: HttpRequest) -> HttpResponse:
    """Cl@ve's answer: identify the person, or explain why not and record nothing."""
    pending = PendingRequests(request)
    outstanding = pending.outstanding()
    latest = pending.latest()
    language = latest["language"] if latest else translation.get_language()
    with translation.override(language or settings.LANGUAGE_CODE):
        try:
            login = clave.read_response(
                request.POST.get("SAMLResponse", ""), outstanding=outstanding
            )
            identification = clave.accept_login(login=login, ip_address=client_ip(request))
        except clave.ClaveError as error:
            return _refused(
                request,
                error,
                next_url=identity.safe_next(request, latest["next"] if latest else None),
                level=LoA(latest["level"]) if latest else LoA.LOW,
            )
    pending.discard(login.request_id)
    identity.start_session(request, identification)
    response = HttpResponseRedirect(
        identity.safe_next(request, outstanding[login.request_id].next_url)
    )
    pending.save(request, response)
    return response


@require_GET
def metadata(request: HttpRequest) -> HttpResponse:
    """Our SAML metadata (entity id, signing certificate, ACS), to register with Cl@ve."""
    try:
        xml = clave.sp_metadata_xml()
    except clave.ClaveError as error:
        return _refused(request, error, next_url="/", level=LoA.LOW)
    return HttpResponse(xml, content_type="application/samlmetadata+xml; charset=utf-8")
