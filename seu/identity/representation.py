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
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from seu import calendar
from seu.core.workflow import Workflow
from seu.errors import InvalidInput, NotFound
from seu.identity import PersonData, check_level, upsert_person
from seu.models import Identification, LoA, Person, Power, PowerTransition
from seu.people import normalise_person_id

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
    or case file, or None."""
    for power in in_force_for(
        representative, at=at, procedure_code=procedure_code, case_reference=case_reference
    ):
        if power.grantor_id == interested.pk:
            return power
    return None
