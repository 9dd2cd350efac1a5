"""The forms of the notifications' back-office. They parse what the clerk typed; the rules of a
notification are ``notificacions.sending``'s and ``notificacions.clock``'s for every channel, and
their refusals are shown on these fields by the views (``show_refusal``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from notificacions import sending
from notificacions.models import Notification
from seu import calendar
from seu.identity import PersonData
from seu.models import LoA, Organ
from seu.people import normalise_person_id, person_kind
from seu.staff import organs_to_offer

WIDE = {"class": "vTextField"}
LARGE = {"class": "vLargeTextField"}
# The browser's own date and time picker, in the seu's time (Europe/Madrid: the current zone).
# To the second: an outcome recorded in the minute it was sent is not "before" it.
INSTANT_FORMAT = "%Y-%m-%dT%H:%M:%S"
TEXT_MAX_LENGTH = 2000


def instant_field(**kwargs: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "step": "1"}, format=INSTANT_FORMAT
        ),
        input_formats=[INSTANT_FORMAT, "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        **kwargs,
    )


def reason_field(label: Any, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, **LARGE}),
        **kwargs,
    )


class PersonIdField(forms.CharField):
    """A NIF, NIE or CIF, returned compact and upper-case (``seu.people``)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        return normalise_person_id(text) if text else ""


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "application/pdf,.pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        items = data if isinstance(data, list | tuple) else ([data] if data else [])
        if not items:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


# --- Notifying -----------------------------------------------------------------------------------


class NotifyForm(forms.Form):
    """A notification or communication (art. 32, 33.b): its addressee (and representative), what
    it is, the level needed to open it and the PDFs to seal and send. With an entry, the organ is
    the entry's; without one, the clerk chooses among the organs they work for."""

    # The service's names for the fields this form calls otherwise (``show_refusal``).
    SERVICE_FIELDS = {"holder": "holder_nif", "representative": "representative_nif"}
    PERSON_NAMES = ("given_name", "surnames", "legal_name")

    organ = forms.ModelChoiceField(label=_("Òrgan que notifica"), queryset=Organ.objects.none())
    holder_nif = PersonIdField(
        label=_("NIF, NIE o CIF"),
        error_messages={"required": _("Indicau el NIF, NIE o CIF de la persona destinatària.")},
    )
    holder_given_name = forms.CharField(label=_("Nom"), max_length=100, required=False)
    holder_surnames = forms.CharField(label=_("Llinatges"), max_length=200, required=False)
    holder_legal_name = forms.CharField(
        label=_("Raó social"),
        max_length=300,
        required=False,
        help_text=_("Només si és una entitat (CIF)."),
    )
    representative_nif = PersonIdField(label=_("NIF, NIE o CIF del representant"), required=False)
    representative_given_name = forms.CharField(
        label=_("Nom del representant"), max_length=100, required=False
    )
    representative_surnames = forms.CharField(
        label=_("Llinatges del representant"), max_length=200, required=False
    )
    representative_legal_name = forms.CharField(
        label=_("Raó social del representant"), max_length=300, required=False
    )
    kind = forms.ChoiceField(
        label=_("Tipus"),
        choices=Notification.Kind.choices,
        initial=Notification.Kind.NOTIFICATION,
        widget=forms.RadioSelect,
        help_text=_(
            "Una notificació es considera rebutjada si no s'obre en deu dies naturals "
            "(art. 32.6); una comunicació no té aquest termini."
        ),
    )
    subject = forms.CharField(
        label=_("Assumpte"),
        max_length=sending.SUBJECT_MAX_LENGTH,
        widget=forms.TextInput(attrs=WIDE),
        help_text=_("La persona el veurà en obrir-la; l'avís per correu no el diu."),
    )
    required_loa = forms.ChoiceField(
        label=_("Nivell d'identificació per obrir-la"),
        choices=LoA.choices,
        initial=LoA.SUBSTANTIAL,
    )
    language = forms.ChoiceField(
        label=_("Llengua de l'avís i de l'evidència"), choices=settings.LANGUAGES, initial="ca"
    )
    documents = MultipleFileField(
        label=_("Documents (PDF)"),
        error_messages={"required": _("Triau com a mínim un document PDF per notificar.")},
    )

    def __init__(self, *args: Any, user: Any, organ: Organ | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organ is not None:
            del self.fields["organ"]  # the entry's organ
        else:
            field = cast(forms.ModelChoiceField[Organ], self.fields["organ"])
            field.queryset = organs_to_offer(user)
        self.fields["documents"].help_text = _(
            "Un o més PDF, fins a %(size)s cadascun i %(count)s com a màxim. Cada un es segella "
            "amb el segell de l'Ajuntament i rep el seu CSV."
        ) % {
            "size": filesizeformat(settings.REGISTRY_MAX_FILE_BYTES),
            "count": sending.MAX_DOCUMENTS,
        }

    def fieldsets(self) -> list[tuple[Any, list[forms.BoundField]]]:
        groups: list[tuple[Any, Sequence[str]]] = [
            (
                _("Persona destinatària"),
                ["holder_nif", "holder_given_name", "holder_surnames", "holder_legal_name"],
            ),
            (
                _("Representant (si n'hi ha)"),
                [
                    "representative_nif",
                    "representative_given_name",
                    "representative_surnames",
                    "representative_legal_name",
                ],
            ),
            (
                _("Notificació"),
                ["organ", "kind", "subject", "required_loa", "language", "documents"],
            ),
        ]
        return [
            (legend, [self[name] for name in names if name in self.fields])
            for legend, names in groups
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("representative_nif") and any(
            cleaned.get(f"representative_{name}") for name in self.PERSON_NAMES
        ):
            self.add_error("representative_nif", _("Cal el NIF, NIE o CIF del representant."))
        files = cleaned.get("documents") or []
        if len(files) > sending.MAX_DOCUMENTS:
            self.add_error(
                "documents",
                _("Una notificació pot dur com a màxim %(n)s documents.")
                % {"n": sending.MAX_DOCUMENTS},
            )
        return cleaned

    def person(self, prefix: str) -> PersonData | None:
        """The person as typed (``holder_`` or ``representative_``): a CIF's legal name, or a
        natural person's name and surnames."""
        nif = self.cleaned_data.get(f"{prefix}nif")
        if not nif:
            return None
        legal = person_kind(nif) == "legal"
        return PersonData(
            nif=nif,
            given_name="" if legal else self.cleaned_data[f"{prefix}given_name"].strip(),
            surnames="" if legal else self.cleaned_data[f"{prefix}surnames"].strip(),
            legal_name=self.cleaned_data[f"{prefix}legal_name"].strip() if legal else "",
        )


def entry_initial(entry: Any) -> dict[str, Any]:
    """The form's starting values from a registry entry: its interested person (NIF and name as
    the entry recorded them) and representative, and its language."""
    initial: dict[str, Any] = {"language": entry.language or "ca"}
    for role, prefix in (("interested", "holder"), ("representative", "representative")):
        for name in ("nif", *NotifyForm.PERSON_NAMES):
            initial[f"{prefix}_{name}"] = getattr(entry, f"{role}_{name}", "")
    return initial


# --- Actions on one notification -----------------------------------------------------------------


class ImpossibilityForm(forms.Form):
    """A declared impossibility of access (art. 32.6, last clause)."""

    SERVICE_FIELDS = {"not_pending": "", "reason": "reason", "new_expiry": "new_expiry"}

    reason = reason_field(
        _("Motiu"),
        help_text=_("Consta en l'evidència de la notificació."),
        error_messages={"required": _("Indicau el motiu de la impossibilitat d'accés.")},
    )
    requested_by = forms.ChoiceField(
        label=_("Declarada"),
        choices=[("office", _("d'ofici")), ("person", _("a petició de la persona"))],
        initial="office",
        widget=forms.RadioSelect,
    )
    new_expiry = instant_field(label=_("Nou venciment"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        default = calendar.notification_expiry(calendar.now())
        self.fields["new_expiry"].help_text = _(
            "Data i hora (Europa/Madrid). Si el deixau en blanc: %(default)s, deu dies naturals "
            "des d'avui."
        ) % {"default": calendar.format_instant(default)}


class AnnulForm(forms.Form):
    SERVICE_FIELDS = {"reason": "reason"}

    reason = reason_field(
        _("Motiu de l'anul·lació"),
        help_text=_("La persona el veurà a la notificació anul·lada."),
        error_messages={"required": _("Indicau el motiu de l'anul·lació.")},
    )


# What may follow each state of a paper notification (``sending.WORKFLOW``).
PAPER_NEXT: Mapping[str, Sequence[str]] = {
    Notification.State.TO_POST: [Notification.State.POSTED],
    Notification.State.POSTED: [
        Notification.State.DELIVERED,
        Notification.State.REJECTED,
        Notification.State.UNDELIVERED,
    ],
}


class PaperOutcomeForm(forms.Form):
    """What happened to a paper notification: posted, then delivered, rejected or not delivered."""

    SERVICE_FIELDS = {"outcome": "outcome", "at": "at", "details": "details"}

    outcome = forms.ChoiceField(label=_("Resultat"))
    at = instant_field(
        label=_("Data i hora"),
        help_text=_("Quan va passar (la del justificant de Correus), en hora de Madrid."),
    )
    details = forms.CharField(
        label=_("Detalls"),
        max_length=sending.PAPER_DETAILS_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 30}),
        help_text=_("Qui la va rebre, els intents de lliurament..."),
    )

    def __init__(
        self, *args: Any, state: str, available_at: dt.datetime | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.available_at = available_at
        outcomes: Iterable[str] = PAPER_NEXT.get(state, ())
        field = cast(forms.ChoiceField, self.fields["outcome"])
        field.choices = [(value, Notification.State(value).label) for value in outcomes]
        if not self.is_bound:
            self.initial.setdefault("at", calendar.now())

    def clean_at(self) -> dt.datetime:
        at: dt.datetime = self.cleaned_data["at"]
        # The form counts in whole seconds, the instant to the microsecond: an outcome in
        # the very second it was issued is not before it.
        issued = self.available_at
        if issued is not None and issued.replace(microsecond=0) <= at < issued:
            return issued
        return at
