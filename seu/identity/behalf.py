"""The filing's question "on my own behalf / on behalf of ..." (art. 26; #16 items 3-4), one form
for every filing page: the generic request of the registry and a procedure's form.

It offers the person's own behalf, each power in force that covers the procedure
(``representation.powers_for_filing``) and a representation they declare, which the organ checks
later (26.2.c). Whether the choice may be used is ``representation.acting_for``'s to say, never
this form's: its ``NotRepresented`` message goes on the ``behalf`` field, so a power forged in the
request, pending, revoked, ended or for another procedure gets the same words as at filing. In a
session for an entity (a representative's certificate, or an official's session for it) the
question is not asked: the filing is the entity's.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from seu import calendar
from seu.identity import PersonData, representation
from seu.identity.representation import Acting, Behalf, NotRepresented
from seu.models import Identification, Person, Power, Representation
from seu.people import normalise_person_id, person_kind

SELF = "self"
DECLARED = "declared"
POWER_PREFIX = "power:"

# The registry's limits for a person's data (``registre.inputs.PARTY_LIMITS``): the draft keeps
# what was typed within them.
NIF_MAX_LENGTH = 20
GIVEN_NAME_MAX_LENGTH = 100
SURNAMES_MAX_LENGTH = 200
LEGAL_NAME_MAX_LENGTH = 300

DECLARED_FIELDS = (
    "declared_nif",
    "declared_given_name",
    "declared_surnames",
    "declared_legal_name",
)


def power_value(power: Power) -> str:
    return f"{POWER_PREFIX}{power.public_id}"


def power_label(power: Power) -> str:
    return gettext("En nom de %(grantor)s (apoderament fins al %(date)s)") % {
        "grantor": power.grantor.display_name,
        "date": calendar.format_date(calendar.last_day(power.ends_at)),
    }


def check_acting(
    identification: Identification,
    behalf: Behalf | None,
    *,
    procedure_code: str = "",
    procedure_name: str = "",
    at: dt.datetime | None = None,
) -> Acting:
    """``representation.acting_for`` as a check before filing: the same answer and the same
    ``NotRepresented``, but nothing written. A declared person not yet known is recorded when
    the filing is, with the name typed then, not with one typed on the way and changed since."""
    return representation.acting_for(
        identification,
        behalf=behalf,
        procedure_code=procedure_code,
        procedure_name=procedure_name,
        at=at,
        record=False,
    )


class BehalfChoiceField(forms.ChoiceField):
    """The radios of the question. Any ``power:<id>`` is let through to ``acting_for``, whose
    message says why a power not offered cannot be used, instead of "choose from the list"."""

    def valid_value(self, value: Any) -> bool:
        return str(value).startswith(POWER_PREFIX) or super().valid_value(value)


class BehalfForm(forms.Form):
    """On whose behalf this filing is made. ``procedure_code`` ("" for a generic request, which
    only a general power reaches) and ``procedure_name`` are the procedure's."""

    behalf = BehalfChoiceField(
        label=_("En nom de qui presentau aquesta sol·licitud?"),
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Triau una de les opcions.")},
    )
    declared_nif = forms.CharField(
        label=_("NIF, NIE o CIF de la persona que representau"),
        required=False,
        max_length=NIF_MAX_LENGTH,
        error_messages={
            "max_length": _("El NIF, NIE o CIF pot tenir com a màxim %(limit_value)d caràcters.")
        },
    )
    declared_given_name = forms.CharField(
        label=_("Nom"),
        required=False,
        max_length=GIVEN_NAME_MAX_LENGTH,
        error_messages={"max_length": _("El nom pot tenir com a màxim %(limit_value)d caràcters.")},
    )
    declared_surnames = forms.CharField(
        label=_("Llinatges"),
        required=False,
        max_length=SURNAMES_MAX_LENGTH,
        error_messages={
            "max_length": _("Els llinatges poden tenir com a màxim %(limit_value)d caràcters.")
        },
    )
    declared_legal_name = forms.CharField(
        label=_("Raó social, si és una empresa o entitat"),
        required=False,
        max_length=LEGAL_NAME_MAX_LENGTH,
        error_messages={
            "max_length": _("La raó social pot tenir com a màxim %(limit_value)d caràcters.")
        },
    )
    declared_confirm = forms.BooleanField(
        label=_(
            "Declar sota la meva responsabilitat que represent aquesta persona i que ho podré "
            "acreditar quan l'Ajuntament m'ho demani."
        ),
        required=False,
    )

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        identification: Identification,
        procedure_code: str = "",
        procedure_name: str = "",
        initial: Mapping[str, Any] | None = None,
        at: dt.datetime | None = None,
    ) -> None:
        super().__init__(data, initial=dict(initial or {}))
        self.identification = identification
        self.procedure_code = procedure_code
        self.procedure_name = procedure_name
        self.at = at
        self.acting: Acting | None = None  # once valid: who the filing will be of
        self.entity: Person | None = identification.represented_entity
        self.powers = representation.powers_for_filing(
            identification, procedure_code=procedure_code, at=at
        )
        choices = [(SELF, gettext("En nom meu"))]
        choices += [(power_value(power), power_label(power)) for power in self.powers]
        kept = self._chosen_power_not_offered()
        if kept is not None:
            choices.append((power_value(kept), power_label(kept)))
        choices.append(
            (
                DECLARED,
                gettext(
                    "En nom d'una altra persona que em declara representant (l'Ajuntament ho "
                    "comprovarà)"
                ),
            )
        )
        self.fields["behalf"].choices = choices  # type: ignore[attr-defined]
        if not self.is_bound and not self.initial.get("behalf"):
            self.initial["behalf"] = SELF

    @classmethod
    def initial_from_draft(cls, draft: object) -> dict[str, Any]:
        """The choice a draft keeps (``behalf_power``, ``behalf_declared``), as the form's
        initial data: back from the review, or after a refused confirmation."""
        power = getattr(draft, "behalf_power", None)
        declared = getattr(draft, "behalf_declared", None) or {}
        if power is not None:
            return {"behalf": power_value(power)}
        if any(declared.get(key) for key in ("nif", "given_name", "surnames", "legal_name")):
            return {
                "behalf": DECLARED,
                "declared_nif": declared.get("nif", ""),
                "declared_given_name": declared.get("given_name", ""),
                "declared_surnames": declared.get("surnames", ""),
                "declared_legal_name": declared.get("legal_name", ""),
                "declared_confirm": bool(declared.get("confirmed")),
            }
        return {"behalf": SELF}

    # --- What was chosen ---------------------------------------------------------------------

    @property
    def asked(self) -> bool:
        """Whether the page asks the question: not in a session for an entity."""
        return self.entity is None

    def _raw(self, name: str) -> str:
        if self.is_bound:
            return str(self.data.get(name, "") or "").replace("\x00", "")
        return str(self.initial.get(name, "") or "")

    def _choice(self) -> str:
        return self._raw("behalf").strip() or SELF

    def _chosen_power_not_offered(self) -> Power | None:
        """A power of this person chosen (typed, or kept in the draft) but not offered now
        (revoked since, ended, for another procedure): shown chosen, with the message why."""
        choice = self._choice()
        if not choice.startswith(POWER_PREFIX) or not self.asked:
            return None
        try:
            key = uuid.UUID(choice.removeprefix(POWER_PREFIX))
        except ValueError:
            return None
        if any(power.public_id == key for power in self.powers):
            return None
        return (
            Power.objects.select_related("grantor")
            .filter(public_id=key, representative_id=self.identification.person_id)
            .first()
        )

    def typed_behalf(self) -> Behalf:
        """The choice as typed, valid or not, to keep it in the draft (``keep_behalf``)."""
        choice = self._choice()
        if not self.asked or choice == SELF:
            return Behalf()
        if choice.startswith(POWER_PREFIX):
            return Behalf(power=choice.removeprefix(POWER_PREFIX)[:64])
        if choice == DECLARED:
            return Behalf(
                declared=PersonData(
                    nif=self._raw("declared_nif")[:NIF_MAX_LENGTH],
                    given_name=self._raw("declared_given_name")[:GIVEN_NAME_MAX_LENGTH],
                    surnames=self._raw("declared_surnames")[:SURNAMES_MAX_LENGTH],
                    legal_name=self._raw("declared_legal_name")[:LEGAL_NAME_MAX_LENGTH],
                ),
                confirmed=bool(self._raw("declared_confirm")),
            )
        return Behalf()

    def chosen(self) -> Behalf | None:
        """Once valid: the ``Behalf`` chosen, or None for the person's own behalf."""
        behalf = self.typed_behalf()
        return None if behalf == Behalf() else behalf

    # --- Checks ------------------------------------------------------------------------------

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.asked:
            cleaned["behalf"] = SELF
        elif cleaned.get("behalf") == DECLARED:
            self._check_declared(cleaned)
        if self.errors:
            return cleaned
        try:
            self.acting = check_acting(
                self.identification,
                self.chosen() if self.asked else None,
                procedure_code=self.procedure_code,
                procedure_name=self.procedure_name,
                at=self.at,
            )
        except NotRepresented as refused:
            self.add_error("behalf", str(refused.message))
        return cleaned

    def _check_declared(self, cleaned: dict[str, Any]) -> None:
        nif = (cleaned.get("declared_nif") or "").strip()
        kind = "natural"
        if not nif:
            self.add_error(
                "declared_nif", gettext("Indicau el NIF, NIE o CIF de la persona que representau.")
            )
        else:
            try:
                nif = normalise_person_id(nif)
            except ValidationError as invalid:
                self.add_error("declared_nif", invalid)
            else:
                cleaned["declared_nif"] = nif
                kind = person_kind(nif)
        if kind == "legal":
            if not (cleaned.get("declared_legal_name") or "").strip():
                self.add_error(
                    "declared_legal_name",
                    gettext("Indicau la raó social de l'empresa o entitat que representau."),
                )
        elif not (cleaned.get("declared_given_name") or "").strip():
            self.add_error(
                "declared_given_name", gettext("Indicau el nom de la persona que representau.")
            )
        if not cleaned.get("declared_confirm"):
            self.add_error(
                "declared_confirm",
                gettext(
                    "Per presentar-la en nom d'una altra persona, declarau que la representau."
                ),
            )

    # --- For the page ------------------------------------------------------------------------

    @property
    def declared_person_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in DECLARED_FIELDS]

    @property
    def choice(self) -> str:
        """The radio to show checked."""
        return self._choice()

    def error_links(self) -> list[tuple[str, str]]:
        """``(anchor, message)`` of each message, for the page's error summary."""
        links = []
        for name, messages in self.errors.items():
            anchor = "behalf-1" if name == "behalf" else name
            if name == "behalf" and not self.asked:
                anchor = "en-nom-de"
            links += [(anchor, str(message)) for message in messages]
        return links


def describe(acting: Acting) -> str:
    """On whose behalf a filing is made, in one sentence for its review ("" for one's own)."""
    if acting.representative is None:
        return ""
    names = {
        "representative": acting.representative.display_name,
        "interested": acting.interested.display_name,
    }
    if acting.power is not None:
        return gettext(
            "Presentada per %(representative)s en nom de %(interested)s, amb l'apoderament fins "
            "al %(date)s."
        ) % {**names, "date": calendar.format_date(calendar.last_day(acting.power.ends_at))}
    if acting.representation == Representation.DECLARED:
        return (
            gettext(
                "Presentada per %(representative)s en nom de %(interested)s: representació "
                "declarada, l'Ajuntament la comprovarà."
            )
            % names
        )
    return (
        gettext(
            "Presentada per %(representative)s en nom de %(interested)s, amb el certificat de "
            "representant."
        )
        % names
    )
