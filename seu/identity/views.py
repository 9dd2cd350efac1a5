"""Identification pages: choose a method, see one's own identifications, log out (art. 6-8)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, translate_url
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from seu import identity, people
from seu.identity.forms import ContactForm
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


@never_cache
@require_http_methods(["GET", "POST"])
@identity.identification_required(identity.PERSONAL_DATA_LOA)
def my_data(request: HttpRequest) -> HttpResponse:
    """The person's own data: personal data need the level ``identity.PERSONAL_DATA_LOA``. The
    person keeps their contact details here (``seu.people.update_contact``, logged)."""
    current = identity.current_identification(request)
    assert current is not None
    person = current.person
    if request.method == "POST":
        form = ContactForm(request.POST)
        if form.is_valid():
            try:
                people.update_contact(
                    identification=current,
                    email=form.cleaned_data["email"],
                    phone=form.cleaned_data["phone"],
                    postal_address=form.cleaned_data["postal_address"],
                )
            except people.InvalidContact as invalid:
                for name, errors in invalid.errors.items():
                    for error in errors:
                        form.add_error(name, error)
            else:
                messages.success(request, _("S'han desat les vostres dades de contacte."))
                return HttpResponseRedirect(reverse("identity:my_data"))
        status = 400
    else:
        form = ContactForm(
            initial={
                "email": person.email,
                "phone": person.phone,
                "postal_address": person.postal_address,
            }
        )
        status = 200
    return render(
        request, "seu/identity/my_data.html", {"person": person, "form": form}, status=status
    )
