"""Representation (art. 26 of the ordinance; Law 39/2015 art. 5-6): who may act for whom.

Identity is the lowest layer (DESIGN.md): the registry, the case files and the notifications ask
this module, never their own rules. A person acts for another

- by a power granted *apud acta* at the seu (``grant_power``, accepted by the representative in
  their own portal: ``decide_power``), general, for some procedures or for one case file, with an
  end at most five years later (Law 39/2015 art. 6.1), revocable by the grantor at any time
  (``revoke_power``); it ends by itself at its end: ``Power.objects.in_force(at=)``;
- by a representative's certificate that names the entity (FNMT's representative certificates:
  ``Identification.represented_entity``), within the certificate's validity (checked at login);
- by a declaration made when filing, checked later by the organ (26.2.c), which the registry keeps
  on the entry.

``acting_parties`` says, for one act, who is the interested person and who the representative;
``may_act_for`` whether a representation covers it now. Every change of a power is a
``PowerTransition`` written with it (who, when, with which identification).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from seu import calendar, catalan
from seu.caching import town_hall
from seu.core.hooks import Hook
from seu.core.outbox import queue_email
from seu.core.workflow import Workflow
from seu.errors import InvalidInput, NotFound
from seu.identity import PersonData, check_level, upsert_person
from seu.models import (
    Identification,
    LoA,
    Person,
    Power,
    PowerTransition,
    Representation,
    RepresentationCheck,
    RepresentedAct,
)
from seu.people import normalise_person_id, person_kind

# Law 39/2015 art. 6.1: a power registered in the register of powers lasts at most five years.
MAX_POWER_YEARS = 5
GRANT_LOA = LoA.SUBSTANTIAL  # to grant, accept or revoke a power (art. 8.2)
PROCEDURE_CODE_MAX = 20

WORKFLOW = Workflow(
    transitions={
        "": {Power.State.PENDING, Power.State.ACCEPTED},
        Power.State.PENDING: {Power.State.ACCEPTED, Power.State.DECLINED, Power.State.REVOKED},
        Power.State.ACCEPTED: {Power.State.REVOKED},
        Power.State.DECLINED: set(),
        Power.State.REVOKED: set(),
    },
    log_model=PowerTransition,
    subject_field="power",
    message=gettext_lazy("Aquest apoderament no pot passar de «%(from)s» a «%(to)s»."),
    label=lambda value: str(Power.State(value).label) if value in Power.State.values else value,
)


# The procedures a power may be granted for: the catalogue's (art. 21), which the case files
# (a layer above) give through this hook: ``PROCEDURE_CATALOGUE.fire(found=[(code, label), ...])``.
PROCEDURE_CATALOGUE = Hook("seu.identity.procedure_catalogue")


# The case files a person may grant a power for: their own, which the case files give through
# this hook: ``CASE_FILES.fire(person=, found=[(number, label), ...])``.
CASE_FILES = Hook("seu.identity.case_files")


def case_choices(person: Person) -> list[tuple[str, str]]:
    """The grantor's own case files, as ``(number, label)``, newest first: what a power for one
    case file may name."""
    found: list[tuple[str, str]] = []
    CASE_FILES.fire(person=person, found=found)
    return found


def procedure_choices() -> list[tuple[str, str]]:
    """The procedures of the catalogue a power may name, as ``(code, label)`` in the active
    language: what the forms offer, so that nobody types a code that reaches nothing."""
    found: list[tuple[str, str]] = []
    PROCEDURE_CATALOGUE.fire(found=found)
    return found


class InvalidPower(InvalidInput):
    """A power that cannot be granted as asked; ``errors`` per field."""

    code = "invalid_power"

    def __init__(self, errors: dict[str, list[str]]) -> None:
        first = next((m for messages in errors.values() for m in messages), "")
        super().__init__(first)
        self.errors = errors


def acting_person(identification: Identification) -> Person:
    """Who acts in this session: the entity of a representative's certificate, or the person."""
    return identification.represented_entity or identification.person


def acting_parties(identification: Identification) -> tuple[Person, Person | None]:
    """The interested person and the representative of an act done in this session (art. 26):
    with a representative's certificate, the entity and its holder; otherwise the person alone."""
    if identification.represented_entity is not None:
        return identification.represented_entity, identification.person
    return identification.person, None


def max_end(now: dt.datetime) -> dt.date:
    return calendar.to_local(now).date() + relativedelta(years=MAX_POWER_YEARS)


def _procedure_codes(codes: Sequence[str]) -> list[str]:
    cleaned = sorted({str(code).strip() for code in codes if str(code).strip()})
    return [code for code in cleaned if len(code) <= PROCEDURE_CODE_MAX]


@dataclass(frozen=True)
class PowerInput:
    representative_nif: str
    scope: str
    procedure_codes: Sequence[str] = ()
    case_reference: str = ""
    ends_on: dt.date | None = None


def _check(grantor: Person, wanted: PowerInput, *, now: dt.datetime) -> tuple[str, list[str], str]:
    errors: dict[str, list[str]] = {}
    nif = ""
    try:
        nif = normalise_person_id(wanted.representative_nif)
    except Exception:  # ValidationError: its message is the field's
        errors["representative_nif"] = [
            _("El NIF, NIE o CIF «%(value)s» no és vàlid: revisau les xifres i la lletra.")
            % {"value": wanted.representative_nif}
        ]
    if nif and nif == grantor.nif:
        errors["representative_nif"] = [_("No us podeu apoderar a vós mateix.")]
    codes = _procedure_codes(wanted.procedure_codes)
    case_reference = (wanted.case_reference or "").strip()
    if wanted.scope not in Power.Scope.values:
        errors["scope"] = [_("Triau l'abast de l'apoderament.")]
    elif wanted.scope == Power.Scope.PROCEDURES and not codes:
        errors["procedure_codes"] = [_("Triau almenys un procediment.")]
    elif wanted.scope == Power.Scope.CASE and not case_reference:
        errors["case_reference"] = [_("Indicau el número de l'expedient.")]
    elif len(case_reference) > 40:
        errors["case_reference"] = [_("El número d'expedient no és vàlid.")]
    today = calendar.to_local(now).date()
    if wanted.ends_on is None:
        errors["ends_on"] = [_("Indicau fins quan val l'apoderament.")]
    elif wanted.ends_on <= today:
        errors["ends_on"] = [_("La data final ha de ser posterior a avui.")]
    elif wanted.ends_on > max_end(now):
        errors["ends_on"] = [
            _("Un apoderament val com a màxim cinc anys: fins al %(date)s.")
            % {"date": calendar.format_date(max_end(now))}
        ]
    if errors:
        raise InvalidPower(errors)
    if wanted.scope != Power.Scope.PROCEDURES:
        codes = []
    if wanted.scope != Power.Scope.CASE:
        case_reference = ""
    return nif, codes, case_reference


@transaction.atomic
def grant_power(
    *, identification: Identification, wanted: PowerInput, now: dt.datetime | None = None
) -> Power:
    """The identified person grants a power *apud acta* at the seu (art. 26.2.a): pending until
    the representative accepts it in their own portal."""
    check_level(identification, GRANT_LOA)
    now = now or calendar.now()
    grantor = acting_person(identification)
    nif, codes, case_reference = _check(grantor, wanted, now=now)
    # A person not yet known here is recorded by their NIF; their name comes with their first
    # identification (``upsert_person``).
    representative = Person.objects.filter(nif=nif).first() or upsert_person(PersonData(nif=nif))
    assert wanted.ends_on is not None
    power = Power(
        grantor=grantor,
        representative=representative,
        scope=wanted.scope,
        procedure_codes=codes,
        case_reference=case_reference,
        state=Power.State.PENDING,
        origin=Power.Origin.SEU,
        granted_at=now,
        ends_at=calendar.end_of_day(wanted.ends_on),
        granted_identification=identification,
    )
    WORKFLOW.start(power, at=now, log_fields={"identification": identification})
    tell(power, event=GRANTED, now=now)
    return power


def powers_of(person: Person) -> QuerySet[Power]:
    """The powers a person granted or received: the only ones they may see."""
    from django.db.models import Q

    return Power.objects.filter(Q(grantor=person) | Q(representative=person)).select_related(
        "grantor", "representative"
    )


def _locked(identification: Identification, public_id: object) -> Power:
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise NotFound(_("Aquest apoderament no existeix.")) from None
    power = (
        powers_of(acting_person(identification))
        .select_for_update(of=("self",))
        .filter(public_id=key)
        .first()
    )
    if power is None:
        raise NotFound(_("Aquest apoderament no existeix."))
    return power


@transaction.atomic
def decide_power(
    *,
    identification: Identification,
    public_id: object,
    accept: bool,
    now: dt.datetime | None = None,
) -> Power:
    """The representative accepts (it is in force from now) or declines a pending power."""
    check_level(identification, GRANT_LOA)
    power = _locked(identification, public_id)
    if power.representative_id != acting_person(identification).pk:
        raise NotFound(_("Aquest apoderament no existeix."))
    now = now or calendar.now()
    if now >= power.ends_at:
        raise InvalidInput(_("Aquest apoderament ja ha acabat."))
    power.decided_at = now
    power.decided_identification = identification
    fields = ["decided_at", "decided_identification"]
    if accept:
        power.starts_at = now
        fields.append("starts_at")
    WORKFLOW.move(
        power,
        Power.State.ACCEPTED if accept else Power.State.DECLINED,
        at=now,
        fields=fields,
        log_fields={"identification": identification},
    )
    tell(power, event=ACCEPTED if accept else DECLINED, now=now)
    return power


@transaction.atomic
def revoke_power(
    *, identification: Identification, public_id: object, now: dt.datetime | None = None
) -> Power:
    """The grantor revokes a power at any time (Law 39/2015 art. 6): from this instant the
    representative no longer acts for them; what they did while it was in force stays valid."""
    check_level(identification, GRANT_LOA)
    power = _locked(identification, public_id)
    if power.grantor_id != acting_person(identification).pk:
        raise NotFound(_("Aquest apoderament no existeix."))
    now = now or calendar.now()
    power.revoked_at = now
    power.revoked_identification = identification
    WORKFLOW.move(
        power,
        Power.State.REVOKED,
        at=now,
        fields=["revoked_at", "revoked_identification"],
        log_fields={"identification": identification},
    )
    tell(power, event=REVOKED, now=now)
    return power


def in_force_for(
    representative: Person,
    *,
    at: dt.datetime | None = None,
    procedure_code: str = "",
    case_reference: str = "",
) -> list[Power]:
    """The powers in force now by which ``representative`` acts, covering that procedure or case
    file when one is named."""
    at = at or calendar.now()
    powers = Power.objects.in_force(at=at).filter(representative=representative)
    return [
        power
        for power in powers.select_related("grantor")
        if not (procedure_code or case_reference)
        or power.covers(procedure_code=procedure_code, case_reference=case_reference)
    ]


def may_act_for(
    representative: Person,
    interested: Person,
    *,
    at: dt.datetime | None = None,
    procedure_code: str = "",
    case_reference: str = "",
) -> Power | None:
    """The power in force by which ``representative`` acts for ``interested`` in that procedure
    or case file (with neither, a general request: only a general power), or None."""
    for power in in_force_for(representative, at=at):
        if power.grantor_id == interested.pk and power.covers(
            procedure_code=procedure_code, case_reference=case_reference
        ):
            return power
    return None


# --- Acting for someone: the filing's question "on my own behalf / on behalf of ..." --------------


class NotRepresented(InvalidInput):
    """The person may not act for whom they chose in this act: the message says why."""

    code = "not_represented"
    field = "behalf"


@dataclass(frozen=True)
class Behalf:
    """Whom a person says they act for when filing: the grantor of one of their powers (its
    public id), or a person they declare represents them (art. 26.2.c); neither, themselves."""

    power: str = ""
    declared: PersonData | None = None
    # The declarant's statement that they represent ``declared`` and can prove it (26.2.c).
    confirmed: bool = False

    @classmethod
    def from_draft(cls, draft: object) -> Behalf:
        """The choice kept on a filing draft (``behalf_power``, ``behalf_declared``)."""
        power = getattr(draft, "behalf_power", None)
        declared = getattr(draft, "behalf_declared", None) or {}
        if power is not None:
            return cls(power=str(power.public_id))
        if declared.get("power"):  # chosen but not one of theirs (``keep_behalf``)
            return cls(power=str(declared["power"]))
        if declared.get("nif"):
            return cls(
                declared=PersonData(
                    nif=declared["nif"],
                    given_name=declared.get("given_name", ""),
                    surnames=declared.get("surnames", ""),
                    legal_name=declared.get("legal_name", ""),
                ),
                confirmed=bool(declared.get("confirmed")),
            )
        return cls()


@dataclass(frozen=True)
class Acting:
    """Who an act is of: the interested person, and the representative with how they prove it
    (``Representation``) and the power used."""

    interested: Person
    representative: Person | None = None
    representation: str = Representation.NONE
    power: Power | None = None

    @property
    def check(self) -> str:
        return (
            RepresentationCheck.TO_CHECK if self.representation == Representation.DECLARED else ""
        )

    def on_behalf_of(self, identification: Identification) -> Person | None:
        """The person this act is for when the session's person acts for another by a power or a
        declaration (a representative's certificate is the session's own entity: None)."""
        if self.representation in (Representation.POWER, Representation.DECLARED) and (
            identification.represented_entity_id is None
        ):
            return self.interested
        return None

    def act_fields(self) -> dict[str, object]:
        """The ``RepresentedAct`` columns of an act done so."""
        return {
            "representation": self.representation,
            "representation_check": self.check,
            "power": self.power,
        }


def _power_to_use(
    person: Person,
    public_id: str,
    *,
    at: dt.datetime,
    procedure_code: str,
    case_reference: str,
    procedure_name: str,
) -> Power:
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise NotRepresented(_("Aquest apoderament no existeix o no és vostre.")) from None
    power = (
        Power.objects.select_related("grantor").filter(public_id=key, representative=person).first()
    )
    if power is None:
        raise NotRepresented(_("Aquest apoderament no existeix o no és vostre."))
    grantor = power.grantor.display_name
    if power.state == Power.State.PENDING:
        raise NotRepresented(
            _(
                "Encara no heu acceptat l'apoderament de %(grantor)s: acceptau-lo a "
                "«Apoderaments» abans de presentar res en nom seu."
            )
            % {"grantor": grantor}
        )
    if power.state == Power.State.DECLINED:
        raise NotRepresented(
            _("No vàreu acceptar l'apoderament de %(grantor)s.") % {"grantor": grantor}
        )
    if power.state == Power.State.REVOKED:
        assert power.revoked_at is not None
        raise NotRepresented(
            _("%(grantor)s va revocar el vostre apoderament %(on_day)s.")
            % {"grantor": grantor, "on_day": catalan.date_phrase("on", power.revoked_at)}
        )
    if not power.in_force_at(at):
        raise NotRepresented(
            _("El vostre apoderament de %(grantor)s va acabar %(on_day)s.")
            % {
                "grantor": grantor,
                "on_day": catalan.date_phrase("on", calendar.last_day(power.ends_at)),
            }
        )
    if not power.covers(procedure_code=procedure_code, case_reference=case_reference):
        if procedure_code or case_reference:
            message = _(
                "L'apoderament de %(grantor)s no cobreix «%(procedure)s»: no podeu presentar "
                "aquest tràmit en nom seu."
            )
        else:
            message = _(
                "L'apoderament de %(grantor)s és només per a uns tràmits: no cobreix una "
                "sol·licitud general."
            )
        raise NotRepresented(
            message % {"grantor": grantor, "procedure": procedure_name or procedure_code}
        )
    return power


def _declared_person(person: Person, declared: PersonData, *, record: bool = True) -> Person:
    try:
        nif = normalise_person_id(declared.nif)
    except Exception:  # ValidationError
        raise NotRepresented(
            _("El NIF, NIE o CIF «%(value)s» no és vàlid: revisau les xifres i la lletra.")
            % {"value": declared.nif}
        ) from None
    if nif == person.nif:
        raise NotRepresented(_("Per presentar-la en nom vostre, triau «En nom meu»."))
    if not (declared.legal_name.strip() or declared.given_name.strip()):
        raise NotRepresented(_("Indicau el nom de la persona que representau."))
    # A person already known keeps the name their own identification gave: what a declarant
    # types never renames them.
    known = Person.objects.filter(nif=nif).first()
    if known is not None:
        return known
    typed = PersonData(
        nif=nif,
        given_name=declared.given_name.strip(),
        surnames=declared.surnames.strip(),
        legal_name=declared.legal_name.strip(),
    )
    if not record:  # a check before filing: the person as they would be recorded, unsaved
        return Person(
            nif=nif,
            kind=person_kind(nif),
            **{name: getattr(typed, name) for name in ("given_name", "surnames", "legal_name")},
        )
    return upsert_person(typed)


def acting_for(
    identification: Identification,
    *,
    behalf: Behalf | None = None,
    procedure_code: str = "",
    case_reference: str = "",
    procedure_name: str = "",
    at: dt.datetime | None = None,
    record: bool = True,
) -> Acting:
    """Who a filing in this session is of (art. 26): with a representative's certificate, the
    entity it names; in a session an official opened for an entity, the entity by the power that
    lets the person act for it (it must cover this procedure); otherwise the person themself, or
    whom ``behalf`` names: a power of theirs in force covering ``procedure_code`` (or the case
    file; with neither, a general power) or a declared representation, to be checked by the
    organ. ``NotRepresented`` says why a choice is refused, at the instant ``at``. With
    ``record=False`` (a check before filing) nothing is written: a declared person not yet known
    is returned unsaved."""
    at = at or calendar.now()
    person = identification.person
    entity = identification.represented_entity
    if entity is not None:
        if identification.method != Identification.Method.AUTHORISED_OFFICIAL:
            return Acting(entity, person, Representation.CERTIFICATE)
        power = may_act_for(
            person, entity, at=at, procedure_code=procedure_code, case_reference=case_reference
        )
        if power is None:
            raise NotRepresented(
                _(
                    "L'apoderament de %(entity)s no cobreix aquest tràmit o ja no és en vigor: "
                    "%(person)s no pot presentar-lo en nom seu."
                )
                % {"entity": entity.display_name, "person": person.display_name}
            )
        return Acting(entity, person, Representation.POWER, power)
    if behalf is None or (not behalf.power and behalf.declared is None):
        return Acting(person)
    if behalf.power:
        power = _power_to_use(
            person,
            behalf.power,
            at=at,
            procedure_code=procedure_code,
            case_reference=case_reference,
            procedure_name=procedure_name,
        )
        return Acting(power.grantor, person, Representation.POWER, power)
    assert behalf.declared is not None
    if not behalf.confirmed:
        raise NotRepresented(
            _("Cal que declareu que representau aquesta persona i que ho podreu acreditar.")
        )
    return Acting(
        _declared_person(person, behalf.declared, record=record), person, Representation.DECLARED
    )


def powers_for_filing(
    identification: Identification, *, procedure_code: str = "", at: dt.datetime | None = None
) -> list[Power]:
    """The powers this session may file under for ``procedure_code`` (a general request: only
    general powers), the choices a filing form offers. None in a session for an entity, which
    acts for the entity alone."""
    if identification.represented_entity_id is not None:
        return []
    at = at or calendar.now()
    powers = Power.objects.in_force(at=at).filter(representative=identification.person)
    return [
        power
        for power in powers.select_related("grantor").order_by("grantor__nif", "ends_at")
        if power.covers(procedure_code=procedure_code)
    ]


# --- Who sees an act: one rule for the registry, the case files and the notifications -------------


@dataclass(frozen=True)
class ActColumns:
    """Where a model keeps what the rule reads: its interested person and representative, the
    procedure code and case number a power for some procedures or one case file reaches (None:
    the act has none, and only a general power reaches it), and whether it records how its
    representation is proved (``RepresentedAct``)."""

    interested: str = "interested"
    representative: str = "representative"
    procedure_code: str | None = "procedure_code"
    case_reference: str | None = "case_reference"
    represented_act: bool = True


def _covering(power: Power, columns: ActColumns) -> Q | None:
    if power.scope == Power.Scope.GENERAL:
        return Q()
    if power.scope == Power.Scope.PROCEDURES:
        if columns.procedure_code is None:
            return None
        return Q(**{f"{columns.procedure_code}__in": power.procedure_codes})
    if columns.case_reference is None:
        return None
    return Q(**{columns.case_reference: power.case_reference})


def _visible_to_person(person_id: int, columns: ActColumns, powers: Sequence[Power]) -> Q:
    found = Q(**{f"{columns.interested}_id": person_id})
    named = Q(**{f"{columns.representative}_id": person_id})
    if columns.represented_act:
        # A declared representative, until the organ refuses the representation (26.2.c).
        found |= (
            named
            & Q(representation=Representation.DECLARED)
            & ~Q(representation_check=RepresentationCheck.REFUSED)
        )
    else:
        # Named by the organ without a power (a notification): as named.
        found |= named & Q(power__isnull=True)
    in_force = [power.pk for power in powers]
    if in_force:
        found |= named & Q(power_id__in=in_force)
    for power in powers:
        covering = _covering(power, columns)
        if covering is not None:
            found |= Q(**{f"{columns.interested}_id": power.grantor_id}) & covering
    return found


def visible(
    person: Person | int,
    columns: ActColumns,
    *,
    entity: Person | int | None = None,
    at: dt.datetime | None = None,
) -> Q:
    """The acts ``person`` may see now (art. 26, 27.3; #16 item 7): their own as interested
    person; those a power in force from the interested person to them reaches (its scope, its
    time: a revoked or ended power reaches nothing from that instant); those they filed as
    declared representative until the organ refuses it; and with ``entity`` (a session with a
    representative's certificate), the entity's the same way. A certificate's representation is
    the certificate itself: without it, its holder sees nothing of the entity."""
    at = at or calendar.now()
    found = Q(pk__in=[])
    for who in (person, entity):
        if who is None:
            continue
        who_id = who if isinstance(who, int) else who.pk
        powers = list(
            Power.objects.in_force(at=at)
            .filter(representative_id=who_id)
            .only("pk", "grantor_id", "scope", "procedure_codes", "case_reference")
        )
        found |= _visible_to_person(who_id, columns, powers)
    return found


def session_parties(identification: Identification) -> tuple[Person, Person | None]:
    """The person of a session and the entity its representative's certificate names (an
    official's session for an entity reaches it through the power instead)."""
    if (
        identification.represented_entity_id is not None
        and identification.method != Identification.Method.AUTHORISED_OFFICIAL
    ):
        return identification.person, identification.represented_entity
    return identification.person, None


def visible_in_session(
    identification: Identification, columns: ActColumns, *, at: dt.datetime | None = None
) -> Q:
    person, entity = session_parties(identification)
    return visible(person, columns, entity=entity, at=at)


# --- The organ's check of a declared representation (art. 26.2.c, last paragraph) -----------------

CHECK_MOVES = {
    RepresentationCheck.TO_CHECK: {
        RepresentationCheck.CHECKED,
        RepresentationCheck.PROOF_REQUESTED,
        RepresentationCheck.REFUSED,
    },
    RepresentationCheck.PROOF_REQUESTED: {RepresentationCheck.CHECKED, RepresentationCheck.REFUSED},
}


def decide_declared(act: RepresentedAct, *, decision: str, reason: str) -> None:
    """Record the organ's check of ``act``'s declared representation on it (not saved): checked,
    proof requested or refused, the last two with their reason. ``InvalidInput`` otherwise."""
    reason = (reason or "").strip()
    if act.representation != Representation.DECLARED:
        raise InvalidInput(_("Aquesta representació no és declarada: no cal comprovar-la."))
    allowed = CHECK_MOVES.get(RepresentationCheck(act.representation_check or ""), set())
    if decision not in allowed:
        raise InvalidInput(
            _("Aquesta representació ja està «%(state)s».")
            % {"state": RepresentationCheck(act.representation_check or "").label}
        )
    if decision != RepresentationCheck.CHECKED and not reason:
        raise InvalidInput(_("Indicau el motiu: la persona el veurà."))
    act.representation_check = decision
    act.representation_reason = reason


def keep_behalf(draft: object, identification: Identification, behalf: Behalf | None) -> None:
    """Keep the filing's choice on its draft (``behalf_power``, ``behalf_declared``) as chosen:
    a power only if it is one the person received; whether it may be used is checked by
    ``acting_for``, at the review and again at filing. ``None`` leaves the draft's choice."""
    if behalf is None:
        return
    power = None
    if behalf.power:
        try:
            key = uuid.UUID(str(behalf.power))
        except ValueError:
            key = None
        if key is not None:
            power = Power.objects.filter(
                public_id=key, representative_id=identification.person_id
            ).first()
    declared = behalf.declared
    draft.behalf_power = power  # type: ignore[attr-defined]
    if behalf.power and power is None:
        # Never dropped: the request would be filed in the person's own name. Kept as chosen,
        # ``acting_for`` refuses it at the review and at filing.
        draft.behalf_declared = {"power": str(behalf.power)[:64]}  # type: ignore[attr-defined]
        return
    draft.behalf_declared = (  # type: ignore[attr-defined]
        {
            "nif": declared.nif.strip().upper()[:12],
            "given_name": declared.given_name.strip()[:100],
            "surnames": declared.surnames.strip()[:200],
            "legal_name": declared.legal_name.strip()[:300],
            "confirmed": behalf.confirmed,
        }
        if declared is not None and not behalf.power
        else {}
    )


def acting_in(
    identification: Identification,
    act: RepresentedAct,
    *,
    procedure_code: str = "",
    case_reference: str = "",
    at: dt.datetime | None = None,
) -> Acting:
    """Who a later act in ``act`` (an answer to a case file's remedy request) is of: always its
    interested person (``act.interested``), and the session's person as their representative
    when they are not them: by a power in force that reaches it, or as the declared
    representative of ``act`` until the organ refuses it. ``NotFound`` otherwise (the caller found
    ``act`` through ``visible``, so this is a race with a revocation)."""
    at = at or calendar.now()
    person, entity = session_parties(identification)
    interested = act.interested  # type: ignore[attr-defined]
    if interested.pk in (person.pk, entity.pk if entity is not None else None):
        return acting_for(
            identification, procedure_code=procedure_code, case_reference=case_reference, at=at
        )
    power = may_act_for(
        person, interested, at=at, procedure_code=procedure_code, case_reference=case_reference
    )
    if power is not None:
        return Acting(interested, person, Representation.POWER, power)
    if (
        act.representative_id == person.pk  # type: ignore[attr-defined]
        and act.representation == Representation.DECLARED
        and act.representation_check != RepresentationCheck.REFUSED
    ):
        return Acting(interested, person, Representation.DECLARED)
    raise NotFound(_("Aquest expedient no existeix o no el podeu veure."))


# --- Telling the other party (an e-mail row in the act's transaction: ``seu.core.outbox``) --------

GRANTED, ACCEPTED, DECLINED, REVOKED = "granted", "accepted", "declined", "revoked"


def tell(power: Power, *, event: str, now: dt.datetime) -> None:
    """E-mail the party who did not act, when their address is known: the representative of a
    power granted to them (to accept it in their portal) or revoked; the grantor of a power
    accepted or declined. It names the other person, the scope and the end, never more, and
    points to the power's page (identification needed). In the town hall's language."""
    to_representative = event in (GRANTED, REVOKED)
    recipient = power.representative if to_representative else power.grantor
    other = power.grantor if to_representative else power.representative
    if not recipient.email:
        return
    with translation.override(settings.LANGUAGE_CODE):
        texts = {
            GRANTED: (
                _("Teniu un apoderament per acceptar"),
                _(
                    "%(other)s us ha atorgat un apoderament per actuar en nom seu davant "
                    "l'Ajuntament. No té efecte fins que l'accepteu a la seu electrònica."
                ),
            ),
            ACCEPTED: (
                _("Apoderament acceptat"),
                _("%(other)s ha acceptat l'apoderament que li vàreu atorgar: ja és en vigor."),
            ),
            DECLINED: (
                _("Apoderament no acceptat"),
                _("%(other)s no ha acceptat l'apoderament que li vàreu atorgar."),
            ),
            REVOKED: (
                _("Apoderament revocat"),
                _(
                    "%(other)s ha revocat l'apoderament que us havia atorgat: des d'ara no podeu "
                    "actuar en nom seu."
                ),
            ),
        }
        subject, text = texts[event]
        body = render_to_string(
            "seu/identity/powers/email/notice.txt",
            {
                "name": recipient.display_name,
                "text": text % {"other": other.display_name},
                "scope": power.get_scope_display(),
                "until": calendar.format_date(calendar.last_day(power.ends_at)),
                "url": settings.SEU_BASE_URL
                + reverse("identity:power", kwargs={"public_id": power.public_id}),
                "town_hall": town_hall().name,
            },
        )
        queue_email(
            kind=f"power_{event}",
            to=recipient.email,
            subject=str(subject),
            text_body=body,
            about=power,
            now=now,
        )
