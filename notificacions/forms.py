"""The forms of "Les meves notificacions > Preferències": they only parse; the checks (the
address, the express acceptance) are ``notificacions.services``'s, made once for every channel."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ConsentForm(forms.Form):
    email = forms.CharField(
        label=_("Adreça electrònica per als avisos"),
        required=False,
        help_text=_(
            "Hi rebreu un avís cada vegada que l'Ajuntament us posi una notificació a "
            "disposició. Per exemple, nom@exemple.cat"
        ),
    )
    accept = forms.BooleanField(required=False)


class AddressForm(forms.Form):
    email = forms.CharField(
        label=_("Nova adreça electrònica per als avisos"),
        required=False,
        help_text=_("Per exemple, nom@exemple.cat"),
    )
