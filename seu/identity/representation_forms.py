"""The form a person fills to grant a power of representation (``representation.grant_power``).

The form only parses what was typed, and offers the procedures of the catalogue to choose from
(``representation.procedure_choices``: a code typed by hand could reach nothing); every rule of a
power (a valid NIF, not oneself, the scope complete, an end within five years) is the service's,
whose ``InvalidPower.errors`` the view puts back on these fields."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dateutil.relativedelta import relativedelta
from django import forms
from django.utils.translation import gettext_lazy as _

from seu import calendar
from seu.identity import representation
from seu.identity.representation import PowerInput
from seu.models import Person, Power

DEFAULT_YEARS = 1


def default_end(now: dt.datetime | None = None) -> dt.date:
    """The end date offered: one year from today."""
    return calendar.to_local(now or calendar.now()).date() + relativedelta(years=DEFAULT_YEARS)


class PowerForm(forms.Form):
    representative_nif = forms.CharField(
        label=_("NIF, NIE o CIF del representant"),
        max_length=20,
        help_text=_("La persona que actuarà en nom vostre. Per exemple, 12345678Z."),
        error_messages={
            "required": _("Indicau el NIF, NIE o CIF del representant."),
            "max_length": _("El NIF, NIE o CIF pot tenir com a màxim %(limit_value)d caràcters."),
        },
    )
    scope = forms.ChoiceField(
        label=_("Per a què l'apoderau?"),
        choices=Power.Scope.choices,
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": _("Triau l'abast de l'apoderament.")},
    )
    procedure_codes = forms.MultipleChoiceField(
        label=_("Procediments"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Només si l'apoderau per a uns procediments: triau-los del catàleg de tràmits."
        ),
        error_messages={
            "invalid_choice": _("El procediment «%(value)s» no és al catàleg de tràmits.")
        },
    )
    case_reference = forms.ChoiceField(
        label=_("Expedient"),
        required=False,
        help_text=_("Només si l'apoderau per a un expedient: un dels vostres."),
        error_messages={"invalid_choice": _("L'expedient «%(value)s» no és vostre.")},
    )
    ends_on = forms.DateField(
        label=_("Data final"),
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_(
            "L'apoderament s'acaba aquest dia a mitjanit. Com a màxim, cinc anys des d'avui."
        ),
        error_messages={"invalid": _("Escriviu una data vàlida, com 31/12/2026.")},
    )

    def __init__(self, *args: Any, grantor: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The catalogue as it is now, in the page's language, and the grantor's own case files.
        self.fields["procedure_codes"].choices = representation.procedure_choices()  # type: ignore[attr-defined]
        cases = representation.case_choices(grantor)
        self.fields["case_reference"].choices = [("", _("Triau un expedient")), *cases]  # type: ignore[attr-defined]

    def wanted(self) -> PowerInput:
        """What the person asks for, once the form is valid."""
        data = self.cleaned_data
        codes = list(data.get("procedure_codes") or [])
        return PowerInput(
            representative_nif=data["representative_nif"],
            scope=data.get("scope", ""),
            procedure_codes=[code for code in codes if code],
            case_reference=data.get("case_reference", ""),
            ends_on=data.get("ends_on"),
        )
