"""Identification of citizens (art. 6-8, 14): the one place that logs a person in or out.

Every method (certificate, Cl@ve, an authorised official) ends in ``record_identification``, which
writes the ``Identification`` row and binds it to a fresh session. Views that need a person use
``identification_required(level)``; a lower level than the procedure's is explained, not ignored
(art. 8.2). ``check_level`` is the one check of levels: the pages' decorator and the API's
permissions (``registre.api``) both call it, so every route to the same data needs the same level.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from seu import calendar
from seu.errors import SeuError
from seu.models import AuthorisedOfficial, Identification, LoA, Person
from seu.people import normalise_person_id, person_kind

SESSION_KEY = "seu_identification_id"

# The level needed to read one's own personal data and earlier acts, on every route, web or API:
# "Les meves dades", the history of "La meva carpeta", an earlier entry and its receipt (art. 8.2).
# Read it as ``identity.PERSONAL_DATA_LOA`` when checking, not copied at import.
PERSONAL_DATA_LOA = LoA.SUBSTANTIAL


class InsufficientLevel(SeuError):
    """The right person, identified at a level lower than the data asks for (art. 8.2): they are
    told which level is needed, and may identify again at that level."""

    code = "insufficient_level"
    http_status = 403

    def __init__(self, *, required: LoA, current: LoA) -> None:
        super().__init__(
            _(
                "Per consultar aquestes dades cal identificar-se amb un nivell «%(required)s» o "
                "superior, i us heu identificat amb un nivell «%(current)s» (art. 8.2 de "
                "l'ordenança). Identificau-vos de nou amb un mètode que assoleixi aquest nivell."
            )
            % {"required": required.label, "current": current.label}
        )
        self.required = required
        self.current = current


@dataclass(frozen=True)
class PersonData:
    """Who an identification says the person is, as the method found it."""

    nif: str
    given_name: str = ""
    surnames: str = ""
    legal_name: str = ""
    email: str = ""


@dataclass(frozen=True)
class Evidence:
    """What proves the identification: certificate details, SAML assertion, official's act."""

    provider: str = ""
    certificate_subject: str = ""
    certificate_issuer: str = ""
    certificate_serial: str = ""
    saml_assertion_id: str = ""
    saml_issuer: str = ""
    official: AuthorisedOfficial | None = None
    consent_text: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def upsert_person(data: PersonData) -> Person:
    """The person with this NIF, created or brought up to date with what the method says."""
    nif = normalise_person_id(data.nif)
    person, created = Person.objects.select_for_update().get_or_create(
        nif=nif,
        defaults={
            "kind": person_kind(nif),
            "given_name": data.given_name,
            "surnames": data.surnames,
            "legal_name": data.legal_name,
            "email": data.email,
        },
    )
    if not created:
        changed = []
        # The e-mail the person set in "Les meves dades" stays theirs (``seu.people``); until
        # they set one, the method's is the best known.
        attributes = ["given_name", "surnames", "legal_name"]
        if person.contact_updated_at is None:
            attributes.append("email")
        for attribute in attributes:
            value = getattr(data, attribute)
            if value and getattr(person, attribute) != value:
                setattr(person, attribute, value)
                changed.append(attribute)
        if changed:
            person.save(update_fields=[*changed, "updated_at"])
    return person


@transaction.atomic
def record_identification(
    *,
    person: PersonData,
    method: str,
    loa: LoA,
    evidence: Evidence,
    represented_entity: PersonData | None = None,
    ip_address: str | None = None,
    now: dt.datetime | None = None,
) -> Identification:
    """Write one identification (art. 14.2 asks for a record "for cases of discrepancy")."""
    return Identification.objects.create(
        person=upsert_person(person),
        represented_entity=upsert_person(represented_entity) if represented_entity else None,
        method=method,
        loa=loa,
        at=now or calendar.now(),
        ip_address=ip_address or None,
        provider=evidence.provider,
        certificate_subject=evidence.certificate_subject,
        certificate_issuer=evidence.certificate_issuer,
        certificate_serial=evidence.certificate_serial,
        saml_assertion_id=evidence.saml_assertion_id,
        saml_issuer=evidence.saml_issuer,
        official=evidence.official,
        consent_text=evidence.consent_text,
    )


def start_session(request: HttpRequest, identification: Identification) -> None:
    """Bind the identification to a new session key (no session fixation)."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = identification.pk
    request.identification = identification  # type: ignore[attr-defined]
    request._seu_identification = identification  # type: ignore[attr-defined]


def end_session(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)
    request.session.cycle_key()
    request.identification = None  # type: ignore[attr-defined]
    request._seu_identification = None  # type: ignore[attr-defined]


def current_identification(request: HttpRequest) -> Identification | None:
    if hasattr(request, "_seu_identification"):
        cached: Identification | None = request._seu_identification
        return cached
    identification_id = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    found = None
    if identification_id is not None:
        found = (
            Identification.objects.select_related("person", "represented_entity")
            .filter(pk=identification_id)
            .first()
        )
    request._seu_identification = found  # type: ignore[attr-defined]
    return found


class IdentificationMiddleware:
    """Makes ``request.identification`` (or None) available to views and templates."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.identification = current_identification(request)  # type: ignore[attr-defined]
        response = self.get_response(request)
        if request.identification is not None:  # type: ignore[attr-defined]
            # Pages showing a person's data are never stored by shared caches.
            response.headers.setdefault("Cache-Control", "private, no-store")
        return response


def safe_next(request: HttpRequest, candidate: str | None, default: str = "/") -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def login_url(next_url: str, level: LoA | str = LoA.LOW) -> str:
    query = {"next": next_url}
    if LoA(level) != LoA.LOW:
        query["nivell"] = LoA(level).value
    return f"{reverse('identity:login')}?{urlencode(query)}"


def check_level(identification: Identification, required: LoA | str) -> None:
    """Raise ``InsufficientLevel`` unless ``identification`` reaches ``required`` (art. 8.2)."""
    if not identification.level.satisfies(required):
        raise InsufficientLevel(required=LoA(required), current=identification.level)


def has_level(identification: Identification, required: LoA | str) -> bool:
    try:
        check_level(identification, required)
    except InsufficientLevel:
        return False
    return True


def level_refused(request: HttpRequest, refusal: InsufficientLevel) -> HttpResponse:
    """The page that says which level is needed and offers to identify again at it."""
    return render(
        request,
        "seu/identity/level_required.html",
        {
            "required": refusal.required,
            "current": refusal.current,
            "login_url": login_url(request.get_full_path(), refusal.required),
        },
        status=403,
    )


V = TypeVar("V", bound=Callable[..., HttpResponse])


def identification_required(level: LoA | str = LoA.LOW) -> Callable[[V], V]:
    """Send an unidentified visitor to log in and back; explain a too-low level (art. 8.2), for
    the whole view or for what it shows (a view raising ``InsufficientLevel``)."""
    required = LoA(level)

    def decorator(view: V) -> V:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            identification = current_identification(request)
            if identification is None:
                return HttpResponseRedirect(login_url(request.get_full_path(), required))
            try:
                check_level(identification, required)
                return view(request, *args, **kwargs)
            except InsufficientLevel as refusal:
                return level_refused(request, refusal)

        wrapper.required_loa = required  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator


def acting_official(user: AbstractBaseUser, *, on: dt.date) -> AuthorisedOfficial | None:
    """The user's entry in the register of authorised officials, if enabled on ``on``."""
    return AuthorisedOfficial.objects.enabled(on=on).filter(user_id=user.pk).first()


def with_next(url: str, next_url: str, *, level: LoA | str | None = None) -> str:
    query = {"next": next_url}
    if level is not None:
        query["nivell"] = LoA(level).value
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}{urlencode(query)}"
