"""Forms of the appointment pages: parse and validate only; the services decide."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.es import dni, nie

from cites.models import Appointment
from cites.services import Applicant
from seu.people import normalise_person_id

# The FNMT does not publish the format of its request codes: keep what the person typed, and only
# refuse characters no code has and lengths no code has.
REQUEST_CODE_RE = re.compile(r"^[A-Za-z0-9-]+$")
REQUEST_CODE_MIN = 4
REQUEST_CODE_MAX = 40
PHONE_RE = re.compile(r"^\+?[0-9 ]{9,20}$")


class TimeChoiceForm(forms.Form):
    time = forms.ChoiceField(
        label=_("Hora"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Triau una hora."), "invalid_choice": _("Triau una hora.")},
    )

    def __init__(self, *args: Any, times: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time"].choices = [(t, t) for t in times]  # type: ignore[attr-defined]


class BookingForm(TimeChoiceForm):
    nif = forms.CharField(
        label=_("NIF o NIE"),
        max_length=20,
        help_text=_("El del document d'identitat que mostrareu a l'oficina."),
        error_messages={"required": _("Escriviu el vostre NIF o NIE.")},
    )
    given_name = forms.CharField(
        label=_("Nom"), max_length=100, error_messages={"required": _("Escriviu el vostre nom.")}
    )
    first_surname = forms.CharField(
        label=_("Primer llinatge"),
        max_length=100,
        error_messages={"required": _("Escriviu el primer llinatge.")},
    )
    email = forms.EmailField(
        label=_("Adreça electrònica"),
        max_length=254,
        help_text=_("Us hi enviarem l'enllaç per confirmar la cita."),
        error_messages={
            "required": _("Escriviu la vostra adreça electrònica."),
            "invalid": _("Escriviu una adreça electrònica vàlida, com ara nom@exemple.cat."),
        },
    )
    phone = forms.CharField(label=_("Telèfon (opcional)"), max_length=20, required=False)
    request_code = forms.CharField(
        label=_("Codi de sol·licitud de la FNMT"),
        max_length=REQUEST_CODE_MAX + 10,
        required=False,
        help_text=_(
            "El que la FNMT us va enviar per correu electrònic en sol·licitar el certificat."
        ),
    )

    def __init__(self, *args: Any, asks_request_code: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.asks_request_code = asks_request_code
        if not asks_request_code:
            del self.fields["request_code"]

    def clean_nif(self) -> str:
        return _natural_person_id(self.cleaned_data["nif"])

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if phone and not PHONE_RE.match(phone):
            raise ValidationError(_("Escriviu un telèfon de 9 xifres o més (només xifres)."))
        return phone

    def clean_request_code(self) -> str:
        code = self.cleaned_data.get("request_code", "").strip()
        if not code:
            raise ValidationError(_("Escriviu el codi de sol·licitud que us va enviar la FNMT."))
        if not REQUEST_CODE_RE.match(code):
            raise ValidationError(
                _("El codi de sol·licitud només pot tenir lletres sense accent, xifres i guions.")
            )
        if not REQUEST_CODE_MIN <= len(code) <= REQUEST_CODE_MAX:
            raise ValidationError(
                _("El codi de sol·licitud ha de tenir entre %(min)d i %(max)d caràcters.")
                % {"min": REQUEST_CODE_MIN, "max": REQUEST_CODE_MAX}
            )
        return code

    def applicant(self) -> Applicant:
        data = self.cleaned_data
        return Applicant(
            nif=data["nif"],
            given_name=data["given_name"].strip(),
            first_surname=data["first_surname"].strip(),
            email=data["email"],
            phone=data.get("phone", ""),
            request_code=data.get("request_code", ""),
        )


def _natural_person_id(value: str) -> str:
    normalised = normalise_person_id(value)
    if not (dni.is_valid(normalised) or nie.is_valid(normalised)):
        raise ValidationError(
            _("Cal el NIF o el NIE d'una persona física."), code="not_natural_person"
        )
    return normalised


class ResendLinksForm(forms.Form):
    """The NIF and the address one booked with: both must match for the links to be sent."""

    nif = forms.CharField(
        label=_("NIF o NIE"),
        max_length=20,
        help_text=_("El que vàreu escriure en demanar la cita."),
        error_messages={"required": _("Escriviu el vostre NIF o NIE.")},
    )
    email = forms.EmailField(
        label=_("Adreça electrònica"),
        max_length=254,
        help_text=_("La mateixa amb què vàreu demanar la cita: hi enviarem els enllaços."),
        error_messages={
            "required": _("Escriviu la vostra adreça electrònica."),
            "invalid": _("Escriviu una adreça electrònica vàlida, com ara nom@exemple.cat."),
        },
    )

    def clean_nif(self) -> str:
        return _natural_person_id(self.cleaned_data["nif"])


class OutcomeForm(forms.Form):
    """One row of the clerk's agenda."""

    # No outcome is chosen for the clerk: "attended" by default would record one unread.
    OUTCOMES = [
        ("", _("— Triau el resultat —")),
        (Appointment.State.ATTENDED, _("Atesa — identitat acreditada")),
        (Appointment.State.NO_SHOW, _("No s'hi ha presentat")),
        (Appointment.State.CANCELLED, _("Anul·lada")),
    ]
    appointment = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(label=_("Resultat"), choices=OUTCOMES)
    identity_document = forms.ChoiceField(
        label=_("Document d'identitat mostrat"),
        choices=[("", "—"), *Appointment.IdentityDocument.choices],
        required=False,
    )
    request_code = forms.CharField(
        label=_("Codi de sol·licitud"), max_length=REQUEST_CODE_MAX, required=False
    )
