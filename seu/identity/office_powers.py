"""Powers *apud acta* granted in person at the office (art. 26.2.a; Law 39/2015 art. 6.1 and
6.5): a clerk checks the grantor's identity with the identity document they show (as art. 14
does) and records the power in the register of powers, with the same rules as one granted at
the seu (``representation._check``, ``representation.WORKFLOW``).

The representative accepts it in their own portal (``representation.decide_power``) as any power,
or at once when they are at the office too, show their own identity document and accept it in
person. The grantor may also revoke a power at the office. Each change is a ``PowerTransition``
naming the clerk (``actor``) and, in its reason, the identity documents they checked. The
scanned paper, a document of the town hall, is the registry's (``registre.powers``): identity is
the lowest layer and stores no documents (DESIGN.md).
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from seu import calendar
from seu.errors import NotFound
from seu.identity import PersonData, representation, upsert_person
from seu.models import Person, Power
from seu.people import normalise_person_id, person_kind

IDENTITY_DOCUMENT_MAX_LENGTH = 60
REASON_MAX_LENGTH = 500


def _identity_document(value: str, field: str, errors: dict[str, list[str]]) -> str:
    text = " ".join((value or "").split())
    if not text:
        errors[field] = [
            _("Indicau el document d'identitat que heu comprovat (tipus i número): DNI 12345678Z.")
        ]
    elif len(text) > IDENTITY_DOCUMENT_MAX_LENGTH:
        errors[field] = [
            _("Indicau només el tipus i el número del document (fins a %(max)d caràcters).")
            % {"max": IDENTITY_DOCUMENT_MAX_LENGTH}
        ]
    return text


def _grantor_nif(grantor: PersonData, errors: dict[str, list[str]]) -> str:
    try:
        nif = normalise_person_id(grantor.nif)
    except Exception:  # ValidationError: its message is the field's
        errors["grantor_nif"] = [
            _("El NIF o NIE «%(value)s» no és vàlid: revisau les xifres i la lletra.")
            % {"value": grantor.nif}
        ]
        return ""
    if person_kind(nif) == "legal":
        # An entity acts by a natural person, whose own power for it would have to be checked
        # too: at the office, only a natural person grants a power in their own name.
        errors["grantor_nif"] = [
            _(
                "A l'oficina només s'inscriuen apoderaments que atorga una persona física en nom "
                "propi: indicau el seu NIF o NIE."
            )
        ]
    else:
        for field, value in (("given_name", grantor.given_name), ("surnames", grantor.surnames)):
            if not value.strip():
                errors[f"grantor_{field}"] = [
                    _("Indicau-lo tal com figura al document d'identitat del poderdant.")
                ]
    return nif


@transaction.atomic
def record_office_power(
    *,
    grantor: PersonData,
    wanted: representation.PowerInput,
    identity_document: str,
    accepted_in_person: bool,
    representative_document: str = "",
    user: AbstractBaseUser,
    now: dt.datetime | None = None,
) -> Power:
    """Record a power the grantor granted in person at the office, their identity checked by
    ``user`` with ``identity_document`` (art. 14; "DNI 12345678Z"), with the checks of a power
    granted at the seu. It is in force from now when the representative is present, shows
    ``representative_document`` and accepts it there (``accepted_in_person``); otherwise it is
    pending until they accept it in their portal. ``InvalidPower`` names each field at fault
    (``grantor_nif``, ``grantor_given_name``, ``grantor_surnames``, ``identity_document``,
    ``representative_document`` and those of ``PowerInput``), and nothing is recorded."""
    now = now or calendar.now()
    errors: dict[str, list[str]] = {}
    nif = _grantor_nif(grantor, errors)
    document = _identity_document(identity_document, "identity_document", errors)
    representative_shown = ""
    if accepted_in_person:
        representative_shown = _identity_document(
            representative_document, "representative_document", errors
        )
    if nif and "grantor_nif" not in errors:
        try:
            same = normalise_person_id(wanted.representative_nif) == nif
        except Exception:  # the representative's NIF: ``_check`` says what is wrong with it
            same = False
        if same:
            errors["representative_nif"] = [
                _("El representant ha de ser una altra persona que el poderdant.")
            ]
    # The rules of every power (scope, end, at most five years): those of the seu's.
    checked: tuple[str, list[str], str] | None = None
    try:
        checked = representation._check(Person(nif=nif, kind=Person.Kind.NATURAL), wanted, now=now)
    except representation.InvalidPower as refused:
        errors = {**refused.errors, **errors}
    if errors or checked is None:
        raise representation.InvalidPower(errors)
    representative_nif, codes, case_reference = checked
    # The clerk has seen the identity document: the names typed from it are the person's.
    person = upsert_person(
        PersonData(
            nif=nif, given_name=grantor.given_name.strip(), surnames=grantor.surnames.strip()
        )
    )
    representative = Person.objects.filter(nif=representative_nif).first() or upsert_person(
        PersonData(nif=representative_nif)
    )
    assert wanted.ends_on is not None
    power = Power(  # type: ignore[misc]  # any user model
        grantor=person,
        representative=representative,
        scope=wanted.scope,
        procedure_codes=codes,
        case_reference=case_reference,
        state=Power.State.ACCEPTED if accepted_in_person else Power.State.PENDING,
        origin=Power.Origin.OFFICE,
        granted_at=now,
        starts_at=now if accepted_in_person else None,
        decided_at=now if accepted_in_person else None,
        ends_at=calendar.end_of_day(wanted.ends_on),
        registered_by=user,
    )
    # The register is the town hall's record: in its language, whatever the clerk's screen is in.
    with translation.override(settings.LANGUAGE_CODE):
        reason = _(
            "Atorgat en persona a l'oficina; identitat del poderdant comprovada: %(document)s "
            "exhibit."
        ) % {"document": document}
        if accepted_in_person:
            reason += " " + _(
                "El representant, present, l'accepta en persona; identitat comprovada: "
                "%(document)s exhibit."
            ) % {"document": representative_shown}
    representation.WORKFLOW.start(power, at=now, actor=user, reason=reason)
    if not accepted_in_person:  # the representative accepts it in their portal
        representation.tell(power, event=representation.GRANTED, now=now)
    return power


@transaction.atomic
def revoke_office_power(
    *,
    public_id: object,
    user: AbstractBaseUser,
    reason: str,
    identity_document: str,
    now: dt.datetime | None = None,
) -> Power:
    """The grantor revokes a power at the office (Law 39/2015 art. 6): ``user`` checks their
    identity with ``identity_document`` and records it with the grantor's ``reason``. From this
    instant the representative no longer acts for them. ``NotFound`` for an unknown power,
    ``InvalidPower`` for a missing reason or document, ``InvalidTransition`` for a power already
    declined or revoked."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise NotFound(_("Aquest apoderament no existeix.")) from None
    power = (
        Power.objects.select_for_update(of=("self",))
        .select_related("grantor")
        .filter(public_id=key)
        .first()
    )
    if power is None:
        raise NotFound(_("Aquest apoderament no existeix."))
    errors: dict[str, list[str]] = {}
    document = _identity_document(identity_document, "identity_document", errors)
    text = " ".join((reason or "").split())
    if not text:
        errors["reason"] = [_("Indicau el motiu que dona el poderdant.")]
    elif len(text) > REASON_MAX_LENGTH:
        errors["reason"] = [
            _("El motiu és massa llarg (fins a %(max)d caràcters).") % {"max": REASON_MAX_LENGTH}
        ]
    if errors:
        raise representation.InvalidPower(errors)
    now = now or calendar.now()
    with translation.override(settings.LANGUAGE_CODE):
        checked = _(
            "Revocat pel poderdant a l'oficina; identitat comprovada: %(document)s exhibit."
        ) % {"document": document}
    power.revoked_at = now
    representation.WORKFLOW.move(
        power,
        Power.State.REVOKED,
        at=now,
        actor=user,
        fields=["revoked_at"],
        reason=f"{checked} {text}",
    )
    representation.tell(power, event=representation.REVOKED, now=now)
    return power
