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
from seu.identity import representation
from seu.models import (
    AuthorisedOfficial,
    BackOfficeChange,
    Identification,
    LoA,
    Person,
    Power,
)
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


NATURAL_PERSON_ONLY = _("Identificau la persona física que actua; l'entitat s'indica a part.")


class EntityAsPerson(InvalidInput):
    """A tax number of an entity where the natural person who is present goes (#16 item 6): an
    official identifies the person in front of them, and the entity they act for apart."""

    code = "entity_as_person"

    def __init__(self) -> None:
        super().__init__(NATURAL_PERSON_ONLY)


class NoRepresentation(SeuError):
    """The person identified has no representation in force that lets them act for the entity
    (art. 26): the session may go on for the natural person only; nothing is recorded."""

    code = "no_representation"
    http_status = 403

    def __init__(self, *, person: identity.PersonData, entity: identity.PersonData) -> None:
        super().__init__(
            gettext(
                "No consta cap apoderament en vigor pel qual %(person)s pugui actuar en nom "
                "%(of_entity)s. Per actuar en representació d'una entitat cal un apoderament "
                "apud acta de l'entitat a favor de la persona, inscrit a la seu electrònica o "
                "atorgat en persona a l'oficina (i acceptat), o bé que la persona s'identifiqui "
                "amb un certificat de representant de l'entitat. Podeu continuar només en nom "
                "de la persona física."
            )
            % {
                "person": _display(person),
                "of_entity": catalan.phrase("of", entity.legal_name or entity.nif),
            }
        )


def _display(data: identity.PersonData) -> str:
    return " ".join(part for part in (data.given_name, data.surnames) if part) or data.nif


def representation_text(power: Power) -> str:
    """What the identification's record adds when the person acts for an entity: the power used
    (art. 26.2.a), so the record says by what right the session acted for it."""
    return gettext(
        "La persona actua en representació %(of_entity)s (CIF %(cif)s) per l'apoderament "
        "%(power)s (%(scope)s, %(origin)s), en vigor %(since)s %(until)s."
    ) % {
        "of_entity": catalan.phrase("of", power.grantor.display_name),
        "cif": power.grantor.nif,
        "power": power.public_id,
        "scope": power.get_scope_display(),
        "origin": power.get_origin_display(),
        "since": catalan.date_phrase("since", power.starts_at or power.granted_at),
        "until": catalan.date_phrase("until", calendar.last_day(power.ends_at)),
    }


def power_for(
    person: identity.PersonData, entity: identity.PersonData, *, at: dt.datetime
) -> Power | None:
    """The power in force at ``at`` granted by ``entity`` to ``person`` (any scope: what it covers
    is checked when a procedure is filed), or None. Nothing is created to ask."""
    representative = Person.objects.filter(nif=normalise_person_id(person.nif)).first()
    grantor = Person.objects.filter(nif=normalise_person_id(entity.nif)).first()
    if representative is None or grantor is None:
        return None
    powers = [
        power
        for power in representation.in_force_for(representative, at=at)
        if power.grantor_id == grantor.pk
    ]
    # A general power first, then the one that lasts longest.
    powers.sort(key=lambda power: (power.scope != Power.Scope.GENERAL, -power.ends_at.timestamp()))
    return powers[0] if powers else None


@transaction.atomic
def identify_on_behalf(
    *,
    acting_user: AbstractBaseUser,
    person: identity.PersonData,
    entity: identity.PersonData | None = None,
    ip_address: str | None = None,
    now: dt.datetime | None = None,
) -> Identification:
    """Record that ``acting_user``, as an authorised official, identified ``person`` (art. 14),
    the natural person present, acting for ``entity`` when one is given.

    Refused (nothing recorded) unless the user is in the register and enabled on the day, if
    ``person`` is an entity (``EntityAsPerson``), or if no power in force lets ``person`` act for
    ``entity`` (``NoRepresentation``). The power used is written in the record's consent text.
    """
    now = now or calendar.now()
    official = identity.acting_official(acting_user, on=local_today(now))
    if official is None:
        raise NotAnAuthorisedOfficial()
    if person_kind(normalise_person_id(person.nif)) == "legal":
        raise EntityAsPerson()
    text = consent_text(official)
    represented: identity.PersonData | None = None
    if entity is not None:
        power = power_for(person, entity, at=now)
        if power is None:
            raise NoRepresentation(person=person, entity=entity)
        # The entity as it granted the power: the official's typing does not rename it.
        grantor = power.grantor
        represented = identity.PersonData(
            nif=grantor.nif, legal_name=grantor.legal_name or entity.legal_name
        )
        text = f"{text}\n\n{representation_text(power)}"
    return identity.record_identification(
        person=person,
        method=Identification.Method.AUTHORISED_OFFICIAL,
        loa=LoA(settings.AUTHORISED_OFFICIAL_LOA),
        evidence=identity.Evidence(
            provider=official.full_name,
            official=official,
            consent_text=text,
        ),
        represented_entity=represented,
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
    """The natural person who is present (art. 14) and, apart, the entity they say they act for
    (#16 item 6): the session acts for the entity only by a power in force."""

    ENTITY_FIELDS = ("entity_nif", "entity_name")

    nif = forms.CharField(
        label=_("NIF o NIE"),
        max_length=20,
        help_text=_("El del document d'identitat que la persona física us ha mostrat."),
    )
    given_name = forms.CharField(label=_("Nom"), max_length=100)
    surnames = forms.CharField(label=_("Llinatges"), max_length=200)
    email = forms.EmailField(
        label=_("Adreça electrònica"),
        max_length=254,
        required=False,
        help_text=_("Opcional: on la persona vol rebre els avisos."),
    )
    entity_nif = forms.CharField(
        label=_("CIF de l'entitat"),
        max_length=20,
        required=False,
        help_text=_(
            "Només si la persona actua en representació d'una entitat: cal un apoderament en "
            "vigor de l'entitat a favor seu."
        ),
    )
    entity_name = forms.CharField(label=_("Raó social"), max_length=300, required=False)
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("given_name", "surnames"):
            self.fields[name].error_messages["required"] = _(
                "Indicau-lo tal com figura al document d'identitat."
            )

    def clean_nif(self) -> str:
        nif = normalise_person_id(self.cleaned_data["nif"])
        if person_kind(nif) == "legal":
            raise forms.ValidationError(NATURAL_PERSON_ONLY, code="entity_as_person")
        return nif

    def clean_entity_nif(self) -> str:
        value = self.cleaned_data["entity_nif"].strip()
        if not value:
            return ""
        nif = normalise_person_id(value)
        if person_kind(nif) != "legal":
            raise forms.ValidationError(
                _("Indicau el CIF de l'entitat; la persona física s'identifica a dalt."),
                code="not_an_entity",
            )
        return nif

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("entity_nif") and not cleaned.get("entity_name", "").strip():
            self.add_error("entity_name", _("Indicau la raó social de l'entitat."))
        if cleaned.get("entity_name", "").strip() and not self.data.get("entity_nif", "").strip():
            self.add_error("entity_nif", _("Indicau el CIF de l'entitat."))
        return cleaned

    def person_data(self) -> identity.PersonData:
        data = self.cleaned_data
        return identity.PersonData(
            nif=data["nif"],
            given_name=data["given_name"],
            surnames=data["surnames"],
            email=data["email"],
        )

    def entity_data(self) -> identity.PersonData | None:
        data = self.cleaned_data
        if not data.get("entity_nif"):
            return None
        return identity.PersonData(nif=data["entity_nif"], legal_name=data["entity_name"].strip())


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
        # "Continuar només en nom de la persona física", offered when the representation failed.
        entity = None if request.POST.get("natural_only") else form.entity_data()
        try:
            identification = identify_on_behalf(
                acting_user=request.user,  # type: ignore[arg-type]
                person=form.person_data(),
                entity=entity,
                ip_address=client_ip(request),
            )
        except NotAnAuthorisedOfficial as error:  # the enablement ended meanwhile
            return self._refuse(request, error)
        except NoRepresentation as error:
            return self._form_page(request, form, official, representation_error=error)
        identity.start_session(request, identification)
        names = {"of_person": catalan.phrase("of", identification.person.display_name)}
        if identification.represented_entity is not None:
            names["of_entity"] = catalan.phrase(
                "of", identification.represented_entity.display_name
            )
            text = gettext(
                "Sessió assistida iniciada: ara actuau en nom %(of_person)s, en representació "
                "%(of_entity)s, a la seu electrònica."
            )
        else:
            text = gettext(
                "Sessió assistida iniciada: ara actuau en nom %(of_person)s a la seu electrònica."
            )
        messages.success(request, text % names)
        return HttpResponseRedirect(identity.safe_next(request, request.POST.get("next")))

    def _form_page(
        self,
        request: HttpRequest,
        form: IdentifyPersonForm,
        official: AuthorisedOfficial,
        representation_error: NoRepresentation | None = None,
    ) -> HttpResponse:
        context = self._context(
            request,
            form=form,
            representation_error=representation_error,
            entity_fields=IdentifyPersonForm.ENTITY_FIELDS,
            official=official,
            consent_text=consent_text(official),
            next=identity.safe_next(request, request.GET.get("next") or request.POST.get("next")),
        )
        return render(request, self.template_name, context)
