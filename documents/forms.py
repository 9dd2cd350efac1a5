from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from documents import verification_code


class VerifyForm(forms.Form):
    # A code that passes the check, shown beside the field as an example.
    example = verification_code.EXAMPLE

    csv = forms.CharField(
        label=_("Codi segur de verificació (CSV)"),
        help_text=_("El trobareu al peu de cada pàgina del document, al costat del codi QR."),
        max_length=60,
        error_messages={"required": _("Escriviu el CSV del document.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )

    def clean_csv(self) -> str:
        try:
            return verification_code.parse(self.cleaned_data["csv"])
        except verification_code.MalformedCode as exc:
            raise forms.ValidationError(str(exc.message), code=exc.code) from None
        except verification_code.MistypedCode as exc:
            raise forms.ValidationError(str(exc.message), code=exc.code) from None
