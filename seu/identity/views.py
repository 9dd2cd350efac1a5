"""Identification pages: choose a method, see one's own identifications, log out (art. 6-8)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, translate_url
from django.views.decorators.http import require_GET, require_POST

from seu import identity
from seu.models import LoA


def _requested_level(request: HttpRequest) -> LoA:
    value = request.GET.get("nivell", LoA.LOW)
    return LoA(value) if value in LoA.values else LoA.LOW


@require_GET
def login(request: HttpRequest) -> HttpResponse:
    """The methods a person can use, marking those that reach the level the page needs."""
    next_url = identity.safe_next(request, request.GET.get("next"))
    level = _requested_level(request)
    clave_levels = [lvl for lvl in LoA if lvl.satisfies(level)]
    context = {
        "next": next_url,
        "level": level,
        # The certificate page answers in the language the person is reading in.
        "certificate_url": identity.with_next(
            translate_url(settings.CERTIFICATE_LOGIN_URL, request.LANGUAGE_CODE), next_url
        ),
        "certificate_qualifies": LoA(settings.CERTIFICATE_LOA).satisfies(level),
        "clave_url": identity.with_next(
            reverse("identity:clave_login"), next_url, level=clave_levels[0]
        ),
        "current": identity.current_identification(request),
    }
    return render(request, "seu/identity/login.html", context)


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    identity.end_session(request)
    return HttpResponseRedirect(reverse("home"))


@require_GET
@identity.identification_required()
def my_identifications(request: HttpRequest) -> HttpResponse:
    current = identity.current_identification(request)
    assert current is not None
    rows = current.person.identifications.select_related("official", "represented_entity")[:100]
    return render(request, "seu/identity/my_identifications.html", {"identifications": rows})


@require_GET
@identity.identification_required(identity.PERSONAL_DATA_LOA)
def my_data(request: HttpRequest) -> HttpResponse:
    """The person's own data: personal data need the level ``identity.PERSONAL_DATA_LOA``."""
    current = identity.current_identification(request)
    assert current is not None
    return render(request, "seu/identity/my_data.html", {"person": current.person})
