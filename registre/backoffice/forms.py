"""The forms of the registry's staff actions: not admitted (art. 33.b), paper entries and exits
(art. 33.g). They parse what the clerk typed; the rules of an entry's fields are the registry's
for every channel (``registre.inputs``): the limits come from there, and the service decides
the rest (the persons' names, the scans), its refusals shown on these fields by the views."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from registre import attachments, inputs
from registre.models import Direction, RegistryEntry
from seu.identity import PersonData
from seu.models import Organ
from seu.people import normalise_person_id, person_kind
from seu.staff import organs_to_offer, scoped_to_staff

# --- Scans of paper entries ----------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        items = data if isinstance(data, list | tuple) else ([data] if data else [])
        if not items:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


# --- Fields --------------------------------------------------------------------------------------


WIDE = forms.TextInput(attrs={"class": "vTextField"})
LARGE = {"class": "vLargeTextField"}


class PersonIdField(forms.CharField):
    """A NIF, NIE or CIF, returned compact and upper-case (``seu.people``)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", inputs.PERSON_ID_MAX_LENGTH)
        kwargs.setdefault("error_messages", {"max_length": inputs.TOO_LONG["nif"]})
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        return normalise_person_id(text) if text else ""


def _limited(kind: str, limit: int, **kwargs: Any) -> forms.CharField:
    """A text field with the registry's limit and message for it (``registre.inputs``)."""
    return forms.CharField(
        max_length=limit,
        error_messages={"max_length": inputs.TOO_LONG[kind], **kwargs.pop("error_messages", {})},
        **kwargs,
    )


def _name(kind: str, label: Any) -> forms.CharField:
    return _limited(kind, inputs.PARTY_LIMITS[kind], label=label, required=False)


def _offer_organs_of(form: forms.Form, user: Any) -> None:
    field = cast(forms.ModelChoiceField[Organ], form.fields["organ"])
    field.queryset = organs_to_offer(user)


# --- Not admitted (art. 33.b) --------------------------------------------------------------------


def default_not_admitted_reason() -> str:
    return gettext(
        "L'escrit no està relacionat amb els procediments i assumptes de competència municipal "
        "que es poden tramitar pel registre telemàtic, i per això no produeix cap efecte i es té "
        "per no presentat (art. 33.b de l'ordenança reguladora de l'administració electrònica)."
    )


def default_alternatives() -> str:
    return gettext(
        "Podeu presentar-lo, adreçat a l'Administració competent, en el seu registre electrònic "
        "o en qualsevol dels llocs que preveu l'article 16.4 de la Llei 39/2015, d'1 d'octubre, "
        "del procediment administratiu comú de les administracions públiques: el registre "
        "electrònic de qualsevol administració, les oficines de Correus, les representacions "
        "diplomàtiques o consulars d'Espanya a l'estranger o les oficines d'assistència en "
        "matèria de registres."
    )


class NotAdmittedForm(forms.Form):
    reason = _limited(
        "reason",
        inputs.NOT_ADMITTED_TEXT_MAX_LENGTH,
        label=_("Motiu de la no admissió"),
        widget=forms.Textarea(attrs={"rows": 4, **LARGE}),
        error_messages={"required": _("Cal indicar el motiu pel qual no s'admet.")},
        help_text=_("La persona interessada el veurà a la seva carpeta (art. 33.b)."),
    )
    alternatives = _limited(
        "alternatives",
        inputs.NOT_ADMITTED_TEXT_MAX_LENGTH,
        label=_("On es pot presentar"),
        widget=forms.Textarea(attrs={"rows": 6, **LARGE}),
        error_messages={"required": _("Cal indicar on es pot presentar.")},
        help_text=_("Els registres i llocs habilitats per presentar-lo (art. 16.4 Llei 39/2015)."),
    )


# --- Paper entries (channel: in person) ----------------------------------------------------------


class InPersonEntryForm(forms.Form):
    """A request presented on paper at the office (channel: in person), with its scans. The
    names a person needs and the scans' checks are decided by
    ``registre.services.register_in_person_entry``."""

    # The service's field names for the ones this form calls otherwise.
    SERVICE_FIELDS = {
        "attachments": "scans",
        "interested_nif": "nif",
        "interested_given_name": "given_name",
        "interested_surnames": "surnames",
        "interested_legal_name": "legal_name",
        "interested_email": "email",
    }

    nif = PersonIdField(label=_("NIF/NIE de la persona interessada"))
    given_name = _name("given_name", _("Nom"))
    surnames = _name("surnames", _("Llinatges"))
    legal_name = _limited(
        "legal_name",
        inputs.LEGAL_NAME_MAX_LENGTH,
        label=_("Raó social"),
        required=False,
        help_text=_("Només si la persona interessada és una entitat (CIF)."),
    )
    email = forms.EmailField(
        label=_("Adreça electrònica"),
        required=False,
        max_length=inputs.EMAIL_MAX_LENGTH,
        error_messages={"max_length": inputs.TOO_LONG["email"]},
    )
    representative_nif = PersonIdField(label=_("NIF/NIE del representant"), required=False)
    representative_given_name = _name("given_name", _("Nom del representant"))
    representative_surnames = _name("surnames", _("Llinatges del representant"))
    representative_legal_name = _name("legal_name", _("Raó social del representant"))
    organ = forms.ModelChoiceField(
        label=_("Òrgan destinatari"), queryset=Organ.objects.filter(is_active=True)
    )
    subject = _limited("subject", inputs.SUBJECT_MAX_LENGTH, label=_("Assumpte"), widget=WIDE)
    exposition = _limited(
        "exposition",
        inputs.TEXT_MAX_LENGTH,
        label=_("Exposa"),
        widget=forms.Textarea(attrs={"rows": 6, **LARGE}),
    )
    request = _limited(
        "request",
        inputs.TEXT_MAX_LENGTH,
        label=_("Sol·licita"),
        widget=forms.Textarea(attrs={"rows": 4, **LARGE}),
    )
    language = forms.ChoiceField(
        label=_("Llengua del rebut"),
        choices=[("ca", _("català")), ("es", _("castellà"))],
        initial="ca",
    )
    scans = MultipleFileField(label=_("Documents escanejats"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The registry is one for the whole town hall (art. 33): the office that receives a paper
        # takes it in for whichever organ it is addressed to, and keeps seeing what it registered
        # (``RegistryEntryAdmin.get_queryset``); the organ's other entries stay the organ's.
        limits = attachments.Limits.from_settings()
        self.fields["scans"].help_text = _(
            "Formats admesos: %(formats)s. Fins a %(file)s per document i %(total)s en total, "
            "%(count)s documents com a màxim."
        ) % {
            "formats": attachments.ALLOWED_FORMATS,
            "file": filesizeformat(limits.max_file_bytes),
            "total": filesizeformat(limits.max_entry_bytes),
            "count": limits.max_files,
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("representative_nif") and any(
            cleaned.get(f"representative_{name}")
            for name in ("given_name", "surnames", "legal_name")
        ):
            self.add_error("representative_nif", _("Cal el NIF/NIE del representant."))
        return cleaned

    def person(self, prefix: str = "") -> PersonData | None:
        """The person as typed; which names a natural person or an entity needs is for the
        service to decide (``registre.inputs``)."""
        nif = self.cleaned_data.get(f"{prefix}nif")
        if not nif:
            return None
        legal = person_kind(nif) == "legal"
        return PersonData(
            nif=nif,
            given_name="" if legal else self.cleaned_data[f"{prefix}given_name"],
            surnames="" if legal else self.cleaned_data[f"{prefix}surnames"],
            legal_name=self.cleaned_data[f"{prefix}legal_name"] if legal else "",
            email=self.cleaned_data.get("email", "") if not prefix else "",
        )


# --- Exits (art. 33.g) ---------------------------------------------------------------------------


class ExitForm(forms.Form):
    """An exit (art. 33.g): origin organ, addressee, summary and, if any, the related entry."""

    organ = forms.ModelChoiceField(
        label=_("Òrgan de procedència"), queryset=Organ.objects.filter(is_active=True)
    )
    addressee = _limited(
        "addressee", inputs.ADDRESSEE_MAX_LENGTH, label=_("Persona destinatària"), widget=WIDE
    )
    addressee_nif = PersonIdField(label=_("NIF/NIE de la persona destinatària"), required=False)
    subject = _limited(
        "subject", inputs.SUBJECT_MAX_LENGTH, label=_("Extracte del contingut"), widget=WIDE
    )
    related_entry_number = forms.CharField(
        label=_("Número de l'assentament d'entrada relacionat"),
        max_length=20,
        required=False,
        help_text=_("Per exemple, E/2026/000123."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        _offer_organs_of(self, user)

    def clean_related_entry_number(self) -> RegistryEntry | None:
        number = self.cleaned_data["related_entry_number"].strip().upper()
        if not number:
            return None
        # Another organ's entry is answered as one that does not exist.
        entry = (
            scoped_to_staff(RegistryEntry.objects.all(), self.user)
            .filter(direction=Direction.IN, number=number)
            .first()
        )
        if entry is None:
            raise forms.ValidationError(
                _("No hi ha cap assentament d'entrada amb el número «%(number)s»."),
                code="unknown_entry",
                params={"number": number},
            )
        return entry


def show_refusal(form: forms.Form, refusal: inputs.InvalidEntry, fields: dict[str, str]) -> None:
    """A service's refusal (``registre.inputs.InvalidEntry``) on the fields of ``form``: each
    message next to the field it names (``fields`` renames the service's), the rest above."""
    for name, messages in refusal.errors.items():
        field = fields.get(name, name)
        for message in messages:
            form.add_error(field if field in form.fields else None, message)
