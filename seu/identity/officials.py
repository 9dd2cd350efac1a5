"""Identification of a citizen by an authorised official (art. 14 of the ordinance).

A person who has none of the means of identification of the ordinance goes to the town hall; an
official entered in the register of authorised officials (art. 14.3, ``AuthorisedOfficial``) and
enabled that day identifies them, records their express consent (art. 14.2) and acts on their
behalf in the portal. The ``Identification`` written says which official did it, when, and the
text the person consented to, "for cases of discrepancy or litigation".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin import AdminSite
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View

from seu import calendar, catalan, identity
from seu import services as seu_services
from seu.errors import InvalidInput, SeuError
from seu.models import AuthorisedOfficial, BackOfficeChange, Identification, LoA
from seu.net import client_ip
from seu.people import normalise_person_id, person_kind


class NotAnAuthorisedOfficial(SeuError):
    """The acting user is not in the register of authorised officials, or not enabled today."""

    code = "not_authorised_official"
    http_status = 403

    def __init__(self) -> None:
        super().__init__(
            _(
                "Aquesta funció només és per al personal funcionari inscrit al registre de "
                "funcionariat habilitat (art. 14.3 de l'ordenança) amb una habilitació vigent "
                "avui. Si n'hauríeu de formar part, adreçau-vos a qui gestiona el registre."
            )
        )


def consent_text(official: AuthorisedOfficial) -> str:
    """What the person consents to, shown to them and stored word for word (art. 14.2)."""
    return gettext(
        "La persona interessada s'ha identificat amb el seu document d'identitat davant "
        "%(official)s (NIF %(nif)s), personal funcionari habilitat per l'Ajuntament, i presta el "
        "seu consentiment exprés perquè l'identifiqui i actuï en nom seu en els tràmits "
        "electrònics d'aquesta sessió, d'acord amb l'article 14 de l'ordenança reguladora de "
        "l'administració electrònica. En queda constància per als casos de discrepància o "
        "litigi (article 14.2)."
    ) % {"official": official.full_name, "nif": official.nif}


def local_today(now: dt.datetime | None = None) -> dt.date:
    return calendar.to_local(now or calendar.now()).date()


@transaction.atomic
def identify_on_behalf(
    *,
    acting_user: AbstractBaseUser,
    person: identity.PersonData,
    ip_address: str | None = None,
    now: dt.datetime | None = None,
) -> Identification:
    """Record that ``acting_user``, as an authorised official, identified ``person`` (art. 14).

    Refused (nothing recorded) unless the user is in the register and enabled on the day.
    """
    now = now or calendar.now()
    official = identity.acting_official(acting_user, on=local_today(now))
    if official is None:
        raise NotAnAuthorisedOfficial()
    return identity.record_identification(
        person=person,
        method=Identification.Method.AUTHORISED_OFFICIAL,
        loa=LoA(settings.AUTHORISED_OFFICIAL_LOA),
        evidence=identity.Evidence(
            provider=official.full_name,
            official=official,
            consent_text=consent_text(official),
        ),
        ip_address=ip_address,
        now=now,
    )


# --- The register (art. 14.3) -----------------------------------------------------------------

_REGISTER_FIELDS = (
    "user",
    "nif",
    "full_name",
    "position",
    "enabled_from",
    "enabled_until",
    "resolution",
)


def _check_enablement(enabled_from: dt.date, enabled_until: dt.date | None) -> None:
    if enabled_until is not None and enabled_until < enabled_from:
        raise InvalidInput(
            _("La data final de l'habilitació no pot ser anterior a l'inicial."),
            code="invalid_enablement",
        )


@transaction.atomic
def enable_official(
    *,
    user: AbstractBaseUser,
    nif: str,
    full_name: str,
    position: str,
    enabled_from: dt.date,
    enabled_until: dt.date | None,
    resolution: str,
    acting_user: AbstractBaseUser,
) -> AuthorisedOfficial:
    """Enter ``user`` in the register of authorised officials (art. 14.3), logged with who
    entered them."""
    _check_enablement(enabled_from, enabled_until)
    official = AuthorisedOfficial.objects.create(
        user_id=user.pk,
        nif=normalise_person_id(nif),
        full_name=full_name,
        position=position,
        enabled_from=enabled_from,
        enabled_until=enabled_until,
        resolution=resolution,
        enabled_by_id=acting_user.pk,
    )
    seu_services.record_change(
        obj=official,
        action=BackOfficeChange.Action.CREATED,
        acting_user=acting_user,
        after=seu_services.snapshot(official, _REGISTER_FIELDS),
    )
    return official


@transaction.atomic
def change_official(
    *,
    official: AuthorisedOfficial,
    user: AbstractBaseUser,
    nif: str,
    full_name: str,
    position: str,
    enabled_from: dt.date,
    enabled_until: dt.date | None,
    resolution: str,
    acting_user: AbstractBaseUser,
) -> AuthorisedOfficial:
    """Change an entry of the register (an enablement ends with its end date: entries are never
    deleted, the identifications an official made keep pointing at it)."""
    _check_enablement(enabled_from, enabled_until)
    official = AuthorisedOfficial.objects.select_for_update().get(pk=official.pk)
    before = seu_services.snapshot(official, _REGISTER_FIELDS)
    official.user_id = user.pk
    official.nif = normalise_person_id(nif)
    official.full_name, official.position = full_name, position
    official.enabled_from, official.enabled_until = enabled_from, enabled_until
    official.resolution = resolution
    official.save(update_fields=list(_REGISTER_FIELDS))
    seu_services.record_change(
        obj=official,
        action=BackOfficeChange.Action.CHANGED,
        acting_user=acting_user,
        before=before,
        after=seu_services.snapshot(official, _REGISTER_FIELDS),
    )
    return official


class IdentifyPersonForm(forms.Form):
    nif = forms.CharField(
        label=_("NIF o NIE"),
        max_length=20,
        help_text=_("El del document d'identitat que la persona us ha mostrat."),
    )
    given_name = forms.CharField(label=_("Nom"), max_length=100, required=False)
    surnames = forms.CharField(label=_("Llinatges"), max_length=200, required=False)
    legal_name = forms.CharField(
        label=_("Raó social"),
        max_length=300,
        required=False,
        help_text=_("Només si el NIF és d'una entitat."),
    )
    email = forms.EmailField(
        label=_("Adreça electrònica"),
        max_length=254,
        required=False,
        help_text=_("Opcional: on la persona vol rebre els avisos."),
    )
    consent = forms.BooleanField(
        label=_(
            "La persona interessada ha llegit (o se li ha llegit) el text anterior i hi presta "
            "el seu consentiment exprés."
        ),
        error_messages={
            "required": _(
                "Sense el consentiment exprés de la persona no la podeu identificar (art. 14.2)."
            )
        },
    )

    def clean_nif(self) -> str:
        return normalise_person_id(self.cleaned_data["nif"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        nif = cleaned.get("nif")
        if not nif:
            return cleaned
        if person_kind(nif) == "legal":
            if not cleaned.get("legal_name"):
                self.add_error("legal_name", _("Indicau la raó social de l'entitat."))
        else:
            for name in ("given_name", "surnames"):
                if not cleaned.get(name):
                    self.add_error(name, _("Indicau-lo tal com figura al document d'identitat."))
        return cleaned

    def person_data(self) -> identity.PersonData:
        data = self.cleaned_data
        return identity.PersonData(
            nif=data["nif"],
            given_name=data["given_name"],
            surnames=data["surnames"],
            legal_name=data["legal_name"],
            email=data["email"],
        )


class IdentifyPersonView(View):
    """The back-office page (/gestio/identificar-persona/) where an official identifies someone."""

    admin_site: AdminSite | None = None
    template_name = "seu/officials/identify.html"
    refused_template_name = "seu/officials/not_enabled.html"

    def _context(self, request: HttpRequest, **extra: Any) -> dict[str, Any]:
        context = self.admin_site.each_context(request) if self.admin_site else {}
        return {**context, "title": _("Identificar una persona (art. 14)"), **extra}

    def _refuse(self, request: HttpRequest, error: SeuError) -> HttpResponse:
        context = self._context(request, error=error)
        return render(request, self.refused_template_name, context, status=error.http_status)

    def _official(self, request: HttpRequest) -> AuthorisedOfficial | None:
        return identity.acting_official(request.user, on=local_today())  # type: ignore[arg-type]

    def get(self, request: HttpRequest) -> HttpResponse:
        official = self._official(request)
        if official is None:
            return self._refuse(request, NotAnAuthorisedOfficial())
        return self._form_page(request, IdentifyPersonForm(), official)

    def post(self, request: HttpRequest) -> HttpResponse:
        official = self._official(request)
        if official is None:
            return self._refuse(request, NotAnAuthorisedOfficial())
        form = IdentifyPersonForm(request.POST)
        if not form.is_valid():
            return self._form_page(request, form, official)
        try:
            identification = identify_on_behalf(
                acting_user=request.user,  # type: ignore[arg-type]
                person=form.person_data(),
                ip_address=client_ip(request),
            )
        except NotAnAuthorisedOfficial as error:  # the enablement ended meanwhile
            return self._refuse(request, error)
        identity.start_session(request, identification)
        messages.success(
            request,
            gettext(
                "Sessió assistida iniciada: ara actuau en nom %(of_person)s a la seu electrònica."
            )
            % {"of_person": catalan.phrase("of", identification.person.display_name)},
        )
        return HttpResponseRedirect(identity.safe_next(request, request.POST.get("next")))

    def _form_page(
        self, request: HttpRequest, form: IdentifyPersonForm, official: AuthorisedOfficial
    ) -> HttpResponse:
        context = self._context(
            request,
            form=form,
            official=official,
            consent_text=consent_text(official),
            next=identity.safe_next(request, request.GET.get("next") or request.POST.get("next")),
        )
        return render(request, self.template_name, context)
