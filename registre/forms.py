"""The generic request ("instància genèrica", art. 33.b): addressed organ, subject, "Exposa",
"Sol·licita". The attachments (new files, and those of the draft to remove) are handled by the
view with ``registre.attachments``: a file input cannot be refilled, so they live in the draft.
The limits are the registry's, for every channel (``registre.inputs``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from registre import inputs
from seu import people
from seu.models import Organ


class ContactForm(forms.Form):
    """How to reach the person about a request: offered from "Les meves dades", changeable for
    this request only, and checked by ``seu.people.check_contact``, as for every channel. The
    generic request's form and a procedure's filing page both use it."""

    contact_email = forms.CharField(
        label=_("Adreça electrònica"),
        required=False,
        max_length=people.EMAIL_MAX_LENGTH,
        error_messages={
            "max_length": _("L'adreça electrònica pot tenir com a màxim %(limit_value)d caràcters.")
        },
    )
    contact_phone = forms.CharField(
        label=_("Telèfon"),
        required=False,
        max_length=40,
        error_messages={
            "max_length": _("El telèfon pot tenir com a màxim %(limit_value)d caràcters.")
        },
    )
    contact_postal_address = forms.CharField(
        label=_("Adreça postal"),
        required=False,
        max_length=people.POSTAL_ADDRESS_MAX_LENGTH,
        widget=forms.Textarea,
        error_messages={
            "max_length": _("L'adreça postal pot tenir com a màxim %(limit_value)d caràcters.")
        },
    )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        try:
            details = people.check_contact(
                email=self.typed("contact_email"),
                phone=self.typed("contact_phone"),
                postal_address=self.typed("contact_postal_address"),
            )
        except people.InvalidContact as invalid:
            for name, messages in invalid.errors.items():
                for message in messages:
                    if f"contact_{name}" not in self.errors:
                        self.add_error(f"contact_{name}", message)
        else:
            cleaned["contact"] = details
        return cleaned

    @property
    def contact_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("contact_email", "contact_phone", "contact_postal_address")]

    def typed_contact(self) -> people.ContactDetails:
        """The contact as typed, valid or not, to keep it in the draft."""
        return people.ContactDetails(
            email=self.typed("contact_email"),
            phone=self.typed("contact_phone"),
            postal_address=self.typed("contact_postal_address"),
        )

    def typed(self, name: str) -> str:
        """What the person typed in a text field, valid or not, to keep it in the draft (within
        the field's limit, and without NUL characters, which no database column takes); the
        form shows all of it again with the message."""
        value = str(self.data.get(name, "") if self.is_bound else "").replace("\x00", "")
        limit = {
            "subject": inputs.SUBJECT_MAX_LENGTH,
            "contact_email": people.EMAIL_MAX_LENGTH,
            "contact_phone": 40,
            "contact_postal_address": people.POSTAL_ADDRESS_MAX_LENGTH,
        }.get(name, inputs.TEXT_MAX_LENGTH)
        return value[:limit]


class FilingForm(ContactForm):
    organ: forms.ModelChoiceField[Organ] = forms.ModelChoiceField(
        label=_("Òrgan al qual us adreçau"),
        queryset=Organ.objects.filter(is_active=True),
        empty_label=_("Triau un òrgan"),
        error_messages={
            "required": _("Triau l'òrgan al qual us adreçau."),
            "invalid_choice": _("Triau un òrgan de la llista."),
        },
    )
    subject = forms.CharField(
        label=_("Assumpte"),
        help_text=_("Una frase que resumeixi la sol·licitud."),
        max_length=inputs.SUBJECT_MAX_LENGTH,
        error_messages={
            "required": _("Escriviu l'assumpte."),
            "max_length": inputs.TOO_LONG["subject"],
        },
    )
    exposition = forms.CharField(
        label=_("Exposa"),
        help_text=_("Els fets i els motius de la sol·licitud."),
        max_length=inputs.TEXT_MAX_LENGTH,
        widget=forms.Textarea,
        error_messages={
            "required": _("Escriviu què exposau."),
            "max_length": inputs.TOO_LONG["exposition"],
        },
    )
    request = forms.CharField(
        label=_("Sol·licita"),
        help_text=_("Què demanau a l'Ajuntament."),
        max_length=inputs.TEXT_MAX_LENGTH,
        widget=forms.Textarea,
        error_messages={
            "required": _("Escriviu què sol·licitau."),
            "max_length": inputs.TOO_LONG["request"],
        },
    )
