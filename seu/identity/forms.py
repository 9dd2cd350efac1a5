"""The contact details a person keeps in "Les meves dades" (``seu.people.update_contact``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from seu import people


class ContactForm(forms.Form):
    email = forms.EmailField(
        label=_("Adreça electrònica"),
        required=False,
        max_length=people.EMAIL_MAX_LENGTH,
        help_text=_("Per als avisos de l'Ajuntament. Per exemple, nom@exemple.cat"),
        error_messages={
            "invalid": _("Escriviu una adreça electrònica vàlida, com nom@exemple.cat."),
            "max_length": _(
                "L'adreça electrònica pot tenir com a màxim %(limit_value)d caràcters."
            ),
        },
    )
    phone = forms.CharField(
        label=_("Telèfon"),
        required=False,
        max_length=40,
        help_text=_("Amb el prefix internacional (+34) si és d'un altre país."),
        error_messages={
            "max_length": _("El telèfon pot tenir com a màxim %(limit_value)d caràcters.")
        },
    )
    postal_address = forms.CharField(
        label=_("Adreça postal"),
        required=False,
        max_length=people.POSTAL_ADDRESS_MAX_LENGTH,
        widget=forms.Textarea,
        help_text=_("Com l'escriuríeu en un sobre: via i número, codi postal, municipi."),
        error_messages={
            "max_length": _("L'adreça postal pot tenir com a màxim %(limit_value)d caràcters.")
        },
    )

    def clean_phone(self) -> str:
        try:
            return people.normalise_phone(self.cleaned_data.get("phone", ""))
        except forms.ValidationError as invalid:
            raise forms.ValidationError(invalid.messages) from None
