"""The generic request ("instància genèrica", art. 33.b): addressed organ, subject, "Exposa",
"Sol·licita". The attachments (new files, and those of the draft to remove) are handled by the
view with ``registre.attachments``: a file input cannot be refilled, so they live in the draft."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from seu.models import Organ

TEXT_MAX_LENGTH = 10_000


class FilingForm(forms.Form):
    organ = forms.ModelChoiceField(
        label=_("Òrgan al qual us adreceu"),
        queryset=Organ.objects.filter(is_active=True),
        empty_label=_("Trieu un òrgan"),
        error_messages={
            "required": _("Trieu l'òrgan al qual us adreceu."),
            "invalid_choice": _("Trieu un òrgan de la llista."),
        },
    )
    subject = forms.CharField(
        label=_("Assumpte"),
        help_text=_("Una frase que resumeixi la sol·licitud."),
        max_length=300,
        error_messages={
            "required": _("Escriviu l'assumpte."),
            "max_length": _("L'assumpte pot tenir com a màxim %(limit_value)d caràcters."),
        },
    )
    exposition = forms.CharField(
        label=_("Exposa"),
        help_text=_("Els fets i els motius de la sol·licitud."),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea,
        error_messages={
            "required": _("Escriviu què exposeu."),
            "max_length": _("El text «Exposa» pot tenir com a màxim %(limit_value)d caràcters."),
        },
    )
    request = forms.CharField(
        label=_("Sol·licita"),
        help_text=_("Què demaneu a l'Ajuntament."),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea,
        error_messages={
            "required": _("Escriviu què sol·liciteu."),
            "max_length": _(
                "El text «Sol·licita» pot tenir com a màxim %(limit_value)d caràcters."
            ),
        },
    )

    def typed(self, name: str) -> str:
        """What the person typed in a text field, valid or not, to keep it in the draft."""
        value = self.data.get(name, "") if self.is_bound else ""
        return str(value)[: TEXT_MAX_LENGTH if name != "subject" else 300]
