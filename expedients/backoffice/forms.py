"""The forms of the back-office of case files: they parse what the clerk typed; the rules are the
services' (``expedients.services``), whose refusals the views show on these fields.

``summary`` lists every error for the summary at the top of a page that comes back from a failed
POST."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from expedients.models import Procedure, Resolution, State
from seu.models import Organ, RepresentationCheck
from seu.staff import organs_to_offer

LARGE = {"class": "vLargeTextField", "rows": 10}
REASON_MAX_LENGTH = 2000


class BackOfficeForm(forms.Form):
    """Django links each input to its errors (``<id>_error``) and help; the templates give the
    error lists those ids."""

    def summary(self) -> list[tuple[str, str]]:
        """``(anchor, message)`` for each error, the form's own first (no anchor)."""
        found: list[tuple[str, str]] = [("", str(m)) for m in self.non_field_errors()]
        for name, field in self.fields.items():
            for message in self.errors.get(name, ()):
                found.append((self[name].auto_id or "", f"{field.label}: {message}"))
        return found

    def show_refusal(
        self, errors: Mapping[str, Sequence[str]], fields: Mapping[str, str] | None = None
    ) -> None:
        """A service's refusal on the fields it names (``fields`` renames the service's), the
        rest above the form."""
        for name, messages in errors.items():
            field = (fields or {}).get(name, name)
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


def _reason_field(required: bool) -> forms.CharField:
    return forms.CharField(
        label=_("Motiu per tramitar-lo fora d'ordre"),
        required=required,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"class": "vLargeTextField", "rows": 3}),
        help_text=_(
            "Art. 27.1 de l'ordenança: els expedients es tramiten per ordre d'entrada. El motiu "
            "queda al registre d'actuacions de l'expedient."
        ),
    )


class OrderedActionForm(BackOfficeForm):
    """An action that may take a case out of the organ's order: the reason is asked for once
    the service says that earlier cases wait (``services.OutOfOrder``)."""

    def __init__(self, *args: Any, ask_reason: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ask_reason = ask_reason
        if ask_reason:
            self.fields["reason"] = _reason_field(required=True)

    @classmethod
    def asks_reason(cls, data: Mapping[str, Any] | None, prefix: str) -> bool:
        return data is not None and f"{prefix}-reason" in data

    def reason(self) -> str:
        return str(self.cleaned_data.get("reason") or "")

    def out_of_order(self, message: str) -> None:
        """The refusal of ``services.OutOfOrder``: now the reason is asked for."""
        if "reason" not in self.fields:
            self.fields["reason"] = _reason_field(required=True)
            self.ask_reason = True
        self.add_error("reason", message)


class StartForm(OrderedActionForm):
    """Iniciar la tramitació: a button (and the reason, out of order)."""


class RemedyForm(OrderedActionForm):
    text = forms.CharField(
        label=_("Què cal esmenar o aportar"),
        max_length=8000,
        widget=forms.Textarea(attrs=LARGE),
        help_text=_(
            "Es notifica a la persona interessada amb un termini de deu dies hàbils per esmenar "
            "(art. 24.3 de l'ordenança); mentrestant el termini de resolució queda suspès."
        ),
    )
    field_order = ["text", "reason"]


class DraftForm(BackOfficeForm):
    kind = forms.ChoiceField(label=_("Sentit de la resolució"))
    text = forms.CharField(
        label=_("Fonaments i part dispositiva"),
        max_length=20000,
        widget=forms.Textarea(attrs={"class": "vLargeTextField", "rows": 14}),
    )

    def __init__(self, *args: Any, kinds: Sequence[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Resolution.Kind.choices)
        field = self.fields["kind"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(kind, labels[kind]) for kind in kinds]


class ResolveForm(BackOfficeForm):
    """Resoldre i notificar: the draft as it stands (no field), or, with no draft, its sense
    and text now."""

    def __init__(self, *args: Any, kinds: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kinds:
            labels = dict(Resolution.Kind.choices)
            self.fields["kind"] = forms.ChoiceField(
                label=_("Sentit de la resolució"),
                choices=[(kind, labels[kind]) for kind in kinds],
            )
            self.fields["text"] = forms.CharField(
                label=_("Fonaments i part dispositiva"),
                max_length=20000,
                widget=forms.Textarea(attrs={"class": "vLargeTextField", "rows": 14}),
            )


class AddEntryForm(BackOfficeForm):
    number = forms.CharField(
        label=_("Número de registre"),
        max_length=40,
        help_text=_("Un assentament de l'òrgan de l'expedient, per exemple E/2026/000123."),
        widget=forms.TextInput(attrs={"class": "vTextField", "autocomplete": "off"}),
    )

    def clean_number(self) -> str:
        return str(self.cleaned_data["number"]).strip().upper()


class CloseForm(BackOfficeForm):
    """Tancar: a button."""


class OpenCaseForm(BackOfficeForm):
    """Obrir un expedient d'un assentament: the procedure, among those of the user's organs."""

    procedure = forms.ModelChoiceField(
        label=_("Procediment"),
        queryset=Procedure.objects.none(),
        empty_label="—",
        help_text=_("Els procediments actius dels vostres òrgans amb un formulari publicat."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["procedure"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            Procedure.objects.published()
            .filter(organ__in=organs_to_offer(user))
            .select_related("organ")
            .order_by("code")
        )


class RepresentationCheckForm(BackOfficeForm):
    """Comprovar la representació (art. 26.2.c and its last paragraph): checked, proof asked
    for, or not accredited; the last two with the reason the person will read. ``decisions`` are
    those the representation's state still allows (``representation.CHECK_MOVES``)."""

    LABELS = {
        RepresentationCheck.CHECKED: _("Comprovada"),
        RepresentationCheck.PROOF_REQUESTED: _("Demanar que l'acrediti"),
        RepresentationCheck.REFUSED: _("No acreditada"),
    }

    decision = forms.ChoiceField(
        label=_("Decisió"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Triau una decisió.")},
    )
    reason = forms.CharField(
        label=_("Motiu"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"class": "vLargeTextField", "rows": 4}),
        help_text=_(
            "Obligatori si demanau que l'acrediti o si no l'acceptau: la persona interessada i "
            "el representant el veuran a la seva carpeta."
        ),
    )

    def __init__(self, *args: Any, decisions: Sequence[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["decision"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (value, label) for value, label in self.LABELS.items() if value in decisions
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        decision = cleaned.get("decision")
        reason = str(cleaned.get("reason") or "").strip()
        cleaned["reason"] = reason
        if decision and decision != RepresentationCheck.CHECKED and not reason:
            self.add_error("reason", gettext("Indicau el motiu: la persona el veurà."))
        return cleaned


# --- The queue ------------------------------------------------------------------------------------

OPEN = "oberts"
ALL = "tots"


class QueueFilterForm(BackOfficeForm):
    """The queue's filters (GET): organ, state, due within N days, overdue, a representation
    to check, and a search."""

    # The user's organs are read once, for the choices: checking the one chosen and listing them
    # need no query of their own (a ``ModelChoiceField`` would make one each).
    organ = forms.TypedChoiceField(label=_("Òrgan"), required=False, coerce=int, empty_value=None)
    estat = forms.ChoiceField(label=_("Estat"), required=False)
    dies = forms.IntegerField(
        label=_("Vencen dins els propers dies"),
        required=False,
        min_value=0,
        max_value=3650,
        widget=forms.NumberInput(attrs={"class": "vIntegerField", "inputmode": "numeric"}),
        help_text=_("Termini màxim de resolució fins avui més aquests dies."),
    )
    vencuts = forms.BooleanField(label=_("Només els vençuts"), required=False)
    representacio = forms.BooleanField(
        label=_("Només amb representació per comprovar"),
        required=False,
        help_text=_(
            "Expedients presentats per un representant que ha declarat la representació (art. "
            "26.2.c de l'ordenança): la pendent de comprovar i aquella de la qual s'ha demanat "
            "l'acreditació."
        ),
    )
    q = forms.CharField(
        label=_("Cerca"),
        required=False,
        max_length=60,
        help_text=_("Número d'expedient o NIF/NIE de la persona interessada."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organs: dict[int, Organ] = {
            found.pk: found for found in organs_to_offer(user, active_only=False).order_by("name")
        }
        organ = self.fields["organ"]
        assert isinstance(organ, forms.ChoiceField)
        organ.choices = [
            ("", gettext("Tots")),
            *((str(pk), found.name) for pk, found in self.organs.items()),
        ]
        estat = self.fields["estat"]
        assert isinstance(estat, forms.ChoiceField)
        estat.choices = [
            (OPEN, gettext("Oberts, per tramitar")),
            *State.choices,
            (ALL, gettext("Tots")),
        ]

    def value(self, name: str) -> Any:
        """A filter's value, or nothing if it was typed wrong (its error is shown)."""
        if not self.is_bound or name in self.errors:
            return None
        value = self.cleaned_data.get(name)
        return self.organs.get(value) if name == "organ" and value is not None else value


# --- Procedures -----------------------------------------------------------------------------------


class VersionForm(BackOfficeForm):
    """A new version of a procedure's form: its definition as JSON."""

    definition = forms.CharField(
        label=_("Definició del formulari (JSON)"),
        widget=forms.Textarea(
            attrs={"class": "vLargeTextField", "rows": 30, "spellcheck": "false"}
        ),
        max_length=200_000,
    )

    def clean_definition(self) -> Any:
        typed = self.cleaned_data["definition"]
        try:
            return json.loads(typed)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(
                gettext(
                    "El text no és JSON vàlid (línia %(line)s, columna %(column)s): revisau-hi "
                    "les cometes, les comes i els claudàtors."
                )
                % {"line": error.lineno, "column": error.colno},
                code="invalid_json",
            ) from None
