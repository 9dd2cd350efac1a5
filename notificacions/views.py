"""«Les meves notificacions > Preferències»: the person's consent to electronic notification
(art. 32.1-32.4), its history, and the forms to give it, change the address and revoke it.

Consent and its history are personal data: the page asks for ``identity.PERSONAL_DATA_LOA`` and
explains a lower level (art. 8.2). Each view parses, calls one service, and renders."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from notificacions import selectors, services
from notificacions.forms import AddressForm, ConsentForm
from seu import identity
from seu.errors import InvalidInput

if TYPE_CHECKING:
    from django import forms

    from seu.models import Identification


def _identification(request: HttpRequest) -> Identification:
    """The identification, at the level personal data need, or ``InsufficientLevel`` (which
    ``identification_required`` turns into the page that offers to identify again)."""
    found = identity.current_identification(request)
    assert found is not None  # identification_required ran first
    identity.check_level(found, identity.PERSONAL_DATA_LOA)
    return found


def _page(
    request: HttpRequest,
    identification: Identification,
    *,
    consent_form: ConsentForm | None = None,
    address_form: AddressForm | None = None,
    status: int = 200,
) -> HttpResponse:
    person = identification.person
    current = selectors.current_consent(person)
    given = current is not None and current.is_given
    if consent_form is None:
        consent_form = ConsentForm(initial={"email": person.email})
    if address_form is None:
        address_form = AddressForm(initial={"email": current.email if current else ""})
    context: dict[str, Any] = {
        "current": current,
        "given": given,
        "history": selectors.consent_history(person),
        "consent_form": consent_form,
        "address_form": address_form,
        "declaration": services.declaration(services.Change.GIVEN),
        "address_declaration": services.declaration(services.Change.ADDRESS),
        "has_errors": bool(consent_form.errors or address_form.errors),
    }
    return render(request, "notificacions/preferences.html", context, status=status)


def _add_errors(form: forms.Form, invalid: services.InvalidConsent) -> None:
    for name, errors in invalid.errors.items():
        for error in errors:
            form.add_error(name if name in form.fields else None, error)


@never_cache
@require_http_methods(["GET", "POST"])
@identity.identification_required()
def preferences(request: HttpRequest) -> HttpResponse:
    """The consent as it stands, its history, and (POST) giving it (art. 32.2-32.3)."""
    identification = _identification(request)
    if request.method != "POST":
        return _page(request, identification)
    form = ConsentForm(request.POST)
    form.is_valid()  # only parses: a text and a box
    try:
        services.give_consent(
            identification=identification,
            email=form.cleaned_data.get("email", ""),
            accepted=form.cleaned_data.get("accept", False),
        )
    except services.InvalidConsent as invalid:
        _add_errors(form, invalid)
        return _page(request, identification, consent_form=form, status=400)
    messages.success(request, _("Heu acceptat rebre les notificacions per mitjans electrònics."))
    return HttpResponseRedirect(reverse("notificacions:preferences"))


@never_cache
@require_POST
@identity.identification_required()
def change_address(request: HttpRequest) -> HttpResponse:
    """A new address for the notices (art. 32.4)."""
    identification = _identification(request)
    form = AddressForm(request.POST)
    form.is_valid()
    try:
        services.change_notice_address(
            identification=identification, email=form.cleaned_data.get("email", "")
        )
    except services.InvalidConsent as invalid:
        _add_errors(form, invalid)
        return _page(request, identification, address_form=form, status=400)
    except InvalidInput as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("S'ha canviat l'adreça dels avisos."))
    return HttpResponseRedirect(reverse("notificacions:preferences"))


@never_cache
@require_http_methods(["GET", "POST"])
@identity.identification_required()
def revoke(request: HttpRequest) -> HttpResponse:
    """GET asks "are you sure?" with the text of the revocation; POST revokes (art. 32.4)."""
    identification = _identification(request)
    if request.method == "POST":
        try:
            services.revoke_consent(identification=identification)
        except InvalidInput as refused:
            messages.error(request, str(refused))
        else:
            messages.success(
                request, _("Heu revocat el consentiment a la notificació electrònica.")
            )
        return HttpResponseRedirect(reverse("notificacions:preferences"))
    current = selectors.current_consent(identification.person)
    if current is None or not current.is_given:
        return HttpResponseRedirect(reverse("notificacions:preferences"))
    context = {
        "current": current,
        "declaration": services.declaration(services.Change.REVOKED),
    }
    return render(request, "notificacions/revoke.html", context)
