"""The citizen's pages of powers of representation (art. 26.2.a of the ordinance): the powers one
granted and received, granting one, and the representative's and grantor's decisions on it.

Channels only: each view parses, calls one function of ``seu.identity.representation`` and
renders. A power is looked up among the viewer's own (``powers_of``): anybody else gets a 404."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from seu import calendar, identity
from seu.errors import InvalidInput, NotFound
from seu.identity import representation
from seu.identity.representation_forms import PowerForm, default_end
from seu.models import Identification, Person, Power

LEVEL = representation.GRANT_LOA


@dataclass(frozen=True)
class PowerRow:
    power: Power
    last_day: dt.date  # the end date the grantor chose: it ends at 24:00 of that day


def _last_day(power: Power) -> dt.date:
    return calendar.last_day(power.ends_at)


def _viewer(request: HttpRequest) -> tuple[Identification, Person]:
    found = identity.current_identification(request)
    assert found is not None  # identification_required
    return found, representation.acting_person(found)


def _own_power(person: Person, public_id: uuid.UUID) -> Power:
    power = representation.powers_of(person).filter(public_id=public_id).first()
    if power is None:
        raise Http404
    return power


def _detail_url(power: Power) -> str:
    return reverse("identity:power", args=[power.public_id])


def _detail_context(power: Power, person: Person) -> dict[str, object]:
    now = calendar.now()
    is_grantor = power.grantor_id == person.pk
    is_representative = power.representative_id == person.pk
    return {
        "power": power,
        "last_day": _last_day(power),
        "now": now,
        "ended": power.ends_at <= now,
        "in_force": power.in_force_at(now),
        "is_grantor": is_grantor,
        "is_representative": is_representative,
        "may_decide": is_representative
        and power.state == Power.State.PENDING
        and power.ends_at > now,
        "may_revoke": is_grantor and power.state in (Power.State.PENDING, Power.State.ACCEPTED),
        "transitions": power.transitions.select_related("identification").order_by("at", "pk"),
    }


@never_cache
@require_GET
@identity.identification_required(LEVEL)
def powers(request: HttpRequest) -> HttpResponse:
    """The powers the person granted and those they received."""
    person = _viewer(request)[1]
    own = list(representation.powers_of(person)[:500])
    context = {
        "granted": [PowerRow(p, _last_day(p)) for p in own if p.grantor_id == person.pk],
        "received": [PowerRow(p, _last_day(p)) for p in own if p.representative_id == person.pk],
        "now": calendar.now(),
    }
    return render(request, "seu/identity/powers/list.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
@identity.identification_required(LEVEL)
def grant_power(request: HttpRequest) -> HttpResponse:
    """The form; POST grants the power (pending until the representative accepts it)."""
    found = _viewer(request)[0]
    status = 200
    if request.method == "POST":
        form = PowerForm(request.POST, grantor=representation.acting_person(found))
        if form.is_valid():
            try:
                power = representation.grant_power(identification=found, wanted=form.wanted())
            except representation.InvalidPower as invalid:
                for name, errors in invalid.errors.items():
                    for error in errors:
                        form.add_error(name if name in form.fields else None, error)
            else:
                messages.success(
                    request,
                    _(
                        "Heu atorgat l'apoderament. No serà vàlid fins que el representant "
                        "l'accepti a la seva carpeta de la seu electrònica."
                    ),
                )
                return HttpResponseRedirect(_detail_url(power))
        status = 400
    else:
        form = PowerForm(
            initial={"scope": Power.Scope.GENERAL, "ends_on": default_end()},
            grantor=representation.acting_person(found),
        )
    return render(request, "seu/identity/powers/grant.html", {"form": form}, status=status)


@never_cache
@require_GET
@identity.identification_required(LEVEL)
def power(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """One power, its log and the actions the viewer may take."""
    person = _viewer(request)[1]
    found = _own_power(person, public_id)
    return render(request, "seu/identity/powers/detail.html", _detail_context(found, person))


def _act(request: HttpRequest, public_id: uuid.UUID, action: str) -> HttpResponse:
    """GET: the confirmation page; POST: the change, or the refusal shown on the power's page."""
    found, person = _viewer(request)
    subject = _own_power(person, public_id)
    context = _detail_context(subject, person)
    allowed = context["may_revoke"] if action == "revoke" else context["may_decide"]
    if request.method != "POST":
        if not allowed:
            return HttpResponseRedirect(_detail_url(subject))
        return render(
            request,
            "seu/identity/powers/confirm.html",
            {**context, "action": action},
        )
    try:
        if action == "revoke":
            representation.revoke_power(identification=found, public_id=subject.public_id)
            done = _("Heu revocat l'apoderament. Des d'ara el representant ja no actua per vós.")
        else:
            representation.decide_power(
                identification=found, public_id=subject.public_id, accept=action == "accept"
            )
            done = (
                _(
                    "Heu acceptat l'apoderament. Des d'ara podeu actuar en nom de qui us "
                    "l'ha atorgat."
                )
                if action == "accept"
                else _("No heu acceptat l'apoderament. Queda constància de la vostra decisió.")
            )
    except NotFound:
        raise Http404 from None
    except identity.InsufficientLevel:
        raise  # ``identification_required`` explains it and offers to identify again
    except InvalidInput as refused:
        subject.refresh_from_db()
        context = _detail_context(subject, person)
        return render(
            request,
            "seu/identity/powers/detail.html",
            {**context, "refusal": str(refused)},
            status=400,
        )
    messages.success(request, done)
    return HttpResponseRedirect(_detail_url(subject))


@never_cache
@require_http_methods(["GET", "POST"])
@identity.identification_required(LEVEL)
def accept_power(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return _act(request, public_id, "accept")


@never_cache
@require_http_methods(["GET", "POST"])
@identity.identification_required(LEVEL)
def decline_power(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return _act(request, public_id, "decline")


@never_cache
@require_http_methods(["GET", "POST"])
@identity.identification_required(LEVEL)
def revoke_power(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return _act(request, public_id, "revoke")
