"""The registry's back-office (art. 33, 17.1): the entry book, non-admission, paper entries, exits,
planned interruptions and the SICRES 3 export.

Entries are evidence: the book shows them read-only and never deletes them. Every change of an
entry goes through ``registre.services`` from an admin view with its own form (POST, CSRF), each
guarded by a Django model permission: ``change_registryentry`` to mark an entry not admitted,
``add_registryentry`` to register a paper entry or an exit, ``view_registryentry`` to read the book,
download what it holds and export it.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from documents import services as documents
from registre import attachments, services, sicres
from registre.models import (
    Direction,
    EntryAttachment,
    EntryTransition,
    RegistryEntry,
)
from seu import calendar
from seu.errors import NotFound, SeuError
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


# --- Forms of the staff actions ------------------------------------------------------------------


WIDE = forms.TextInput(attrs={"class": "vTextField"})


class PersonIdField(forms.CharField):
    """A NIF, NIE or CIF, returned compact and upper-case (``seu.people``)."""

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        return normalise_person_id(text) if text else ""


def _default_not_admitted_reason() -> str:
    return gettext(
        "L'escrit no està relacionat amb els procediments i assumptes de competència municipal "
        "que es poden tramitar pel registre telemàtic, i per això no produeix cap efecte i es té "
        "per no presentat (art. 33.b de l'ordenança reguladora de l'administració electrònica)."
    )


def _default_alternatives() -> str:
    return gettext(
        "Podeu presentar-lo, adreçat a l'Administració competent, en el seu registre electrònic "
        "o en qualsevol dels llocs que preveu l'article 16.4 de la Llei 39/2015, d'1 d'octubre, "
        "del procediment administratiu comú de les administracions públiques: el registre "
        "electrònic de qualsevol administració, les oficines de Correus, les representacions "
        "diplomàtiques o consulars d'Espanya a l'estranger o les oficines d'assistència en "
        "matèria de registres."
    )


class NotAdmittedForm(forms.Form):
    reason = forms.CharField(
        label=_("Motiu de la no admissió"),
        widget=forms.Textarea(attrs={"rows": 4, "class": "vLargeTextField"}),
        max_length=4000,
        error_messages={"required": _("Cal indicar el motiu pel qual no s'admet.")},
        help_text=_("La persona interessada el veurà a la seva carpeta (art. 33.b)."),
    )
    alternatives = forms.CharField(
        label=_("On es pot presentar"),
        widget=forms.Textarea(attrs={"rows": 6, "class": "vLargeTextField"}),
        max_length=4000,
        error_messages={"required": _("Cal indicar on es pot presentar.")},
        help_text=_("Els registres i llocs habilitats per presentar-lo (art. 16.4 Llei 39/2015)."),
    )


class InPersonEntryForm(forms.Form):
    """A request presented on paper at the office (channel: in person), with its scans."""

    nif = PersonIdField(label=_("NIF/NIE de la persona interessada"), max_length=20)
    given_name = forms.CharField(label=_("Nom"), max_length=100, required=False)
    surnames = forms.CharField(label=_("Llinatges"), max_length=200, required=False)
    legal_name = forms.CharField(
        label=_("Raó social"),
        max_length=300,
        required=False,
        help_text=_("Només si la persona interessada és una entitat (CIF)."),
    )
    email = forms.EmailField(label=_("Adreça electrònica"), required=False)
    representative_nif = PersonIdField(
        label=_("NIF/NIE del representant"), max_length=20, required=False
    )
    representative_given_name = forms.CharField(
        label=_("Nom del representant"), max_length=100, required=False
    )
    representative_surnames = forms.CharField(
        label=_("Llinatges del representant"), max_length=200, required=False
    )
    representative_legal_name = forms.CharField(
        label=_("Raó social del representant"), max_length=300, required=False
    )
    organ = forms.ModelChoiceField(
        label=_("Òrgan destinatari"), queryset=Organ.objects.filter(is_active=True)
    )
    subject = forms.CharField(label=_("Assumpte"), max_length=300, widget=WIDE)
    exposition = forms.CharField(
        label=_("Exposa"),
        widget=forms.Textarea(attrs={"rows": 6, "class": "vLargeTextField"}),
        max_length=20000,
    )
    request = forms.CharField(
        label=_("Sol·licita"),
        widget=forms.Textarea(attrs={"rows": 4, "class": "vLargeTextField"}),
        max_length=20000,
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
        self.limits = attachments.Limits.from_settings()
        self.fields["scans"].help_text = _(
            "Formats admesos: %(formats)s. Fins a %(file)s per document i %(total)s en total, "
            "%(count)s documents com a màxim."
        ) % {
            "formats": attachments.ALLOWED_FORMATS,
            "file": filesizeformat(self.limits.max_file_bytes),
            "total": filesizeformat(self.limits.max_entry_bytes),
            "count": self.limits.max_files,
        }

    def clean_scans(self) -> list[attachments.CheckedFile]:
        """The same checks as the electronic registry's (``registre.attachments``): content, not
        name, decides the format; a damaged file or one over the limits is refused. Nothing is
        stored until every file has passed and the entry is registered."""
        uploads: list[UploadedFile] = self.cleaned_data.get("scans") or []
        limits = self.limits
        if len(uploads) > limits.max_files:
            raise forms.ValidationError(
                _("Com a màxim es poden adjuntar %(count)s documents."),
                params={"count": limits.max_files},
            )
        if sum(upload.size or 0 for upload in uploads) > limits.max_entry_bytes:
            raise forms.ValidationError(
                _("Els documents superen en conjunt el límit de %(limit)s."),
                params={"limit": filesizeformat(limits.max_entry_bytes)},
            )
        checked = []
        errors = []
        for upload in uploads:
            try:
                checked.append(attachments.check_upload(upload, limits=limits))
            except attachments.AttachmentRefused as refusal:
                errors.append(forms.ValidationError(str(refusal.message), code=refusal.rule))
        if errors:
            raise forms.ValidationError(errors)
        return checked

    def _require_names(self, prefix: str, nif: str) -> None:
        if person_kind(nif) == "legal":
            if not self.cleaned_data.get(f"{prefix}legal_name"):
                self.add_error(
                    f"{prefix}legal_name", _("Cal la raó social d'una entitat (NIF d'entitat).")
                )
            return
        for name in ("given_name", "surnames"):
            if not self.cleaned_data.get(f"{prefix}{name}"):
                self.add_error(f"{prefix}{name}", _("Cal el nom i els llinatges de la persona."))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("nif"):
            self._require_names("", cleaned["nif"])
        if cleaned.get("representative_nif"):
            if cleaned["representative_nif"] == cleaned.get("nif"):
                self.add_error(
                    "representative_nif",
                    _("El representant ha de ser una persona diferent de la interessada."),
                )
            else:
                self._require_names("representative_", cleaned["representative_nif"])
        elif "representative_nif" in cleaned and any(
            cleaned.get(f"representative_{name}")
            for name in ("given_name", "surnames", "legal_name")
        ):
            self.add_error("representative_nif", _("Cal el NIF/NIE del representant."))
        return cleaned

    def person(self, prefix: str = "") -> PersonData | None:
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


class ExitForm(forms.Form):
    """An exit (art. 33.g): origin organ, addressee, summary and, if any, the related entry."""

    organ = forms.ModelChoiceField(
        label=_("Òrgan de procedència"), queryset=Organ.objects.filter(is_active=True)
    )
    addressee = forms.CharField(label=_("Persona destinatària"), max_length=300, widget=WIDE)
    addressee_nif = PersonIdField(
        label=_("NIF/NIE de la persona destinatària"), max_length=20, required=False
    )
    subject = forms.CharField(label=_("Extracte del contingut"), max_length=300, widget=WIDE)
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


def _offer_organs_of(form: forms.Form, user: Any) -> None:
    field = cast(forms.ModelChoiceField[Organ], form.fields["organ"])
    field.queryset = organs_to_offer(user)


# --- Helpers -------------------------------------------------------------------------------------


def _acting_user(request: HttpRequest) -> AbstractBaseUser:
    return cast(AbstractBaseUser, request.user)


def _require(request: HttpRequest, action: str) -> None:
    """A Django model permission on registry entries, or 403 (a clerk without it gets nothing)."""
    if not request.user.has_perm(f"registre.{action}_registryentry"):
        raise PermissionDenied


def _local(instant: dt.datetime | None) -> str:
    return calendar.format_instant(instant)


def _entry_url(entry: RegistryEntry) -> str:
    return reverse("admin:registre_registryentry_change", args=[entry.pk])


def _human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _download(data_file: Any, *, filename: str, content_type: str) -> FileResponse:
    # Always as an attachment: files people sent are never rendered in the back-office's origin.
    return FileResponse(data_file, as_attachment=True, filename=filename, content_type=content_type)


# --- The entry book ------------------------------------------------------------------------------


class _ReadOnlyInline:
    """Inlines of the book: shown to whoever may read the book, never edited."""

    extra = 0
    can_delete = False
    show_change_link = False
    template = "admin/readonly_tabular.html"

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("registre.view_registryentry") or request.user.has_perm(
            "registre.change_registryentry"
        )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AttachmentInline(_ReadOnlyInline, admin.TabularInline[EntryAttachment, RegistryEntry]):
    model = EntryAttachment
    fields = readonly_fields = (
        "number",
        "name",
        "size_display",
        "format_label",
        "content_type",
        "hash",
        "file",
    )
    verbose_name = _("document adjunt")
    verbose_name_plural = _("documents adjunts")

    @admin.display(description=_("núm."))
    def number(self, obj: EntryAttachment) -> int:
        return obj.position

    @admin.display(description=_("mida"))
    def size_display(self, obj: EntryAttachment) -> str:
        return _human_size(obj.size)

    @admin.display(description=_("SHA-256"))
    def hash(self, obj: EntryAttachment) -> SafeString:
        return format_html('<code style="word-break: break-all">{}</code>', obj.sha256)

    @admin.display(description=_("fitxer"))
    def file(self, obj: EntryAttachment) -> SafeString:
        url = reverse("admin:registre_registryentry_attachment", args=[obj.entry_id, obj.position])
        return format_html('<a href="{}">{}</a>', url, gettext("Descarrega"))


class TransitionInline(_ReadOnlyInline, admin.TabularInline[EntryTransition, RegistryEntry]):
    model = EntryTransition
    fields = readonly_fields = (
        "instant",
        "from_state_display",
        "to_state_display",
        "by",
        "why",
    )
    verbose_name = _("canvi d'estat")
    verbose_name_plural = _("canvis d'estat")

    @staticmethod
    def _label(state: str) -> str:
        return str(RegistryEntry.State(state).label) if state else "—"

    @admin.display(description=_("data i hora"))
    def instant(self, obj: EntryTransition) -> str:
        return _local(obj.at)

    @admin.display(description=_("per"))
    def by(self, obj: EntryTransition) -> str:
        return str(obj.actor) if obj.actor else "—"

    @admin.display(description=_("motiu"))
    def why(self, obj: EntryTransition) -> str:
        return obj.reason

    @admin.display(description=_("de"))
    def from_state_display(self, obj: EntryTransition) -> str:
        return self._label(obj.from_state)

    @admin.display(description=_("a"))
    def to_state_display(self, obj: EntryTransition) -> str:
        return self._label(obj.to_state)


@admin.register(RegistryEntry)
class RegistryEntryAdmin(admin.ModelAdmin[RegistryEntry]):
    """The entry and exit books (art. 33): read-only, searchable, with the staff actions."""

    list_display = [
        "number_display",
        "direction",
        "channel",
        "state",
        "presented",
        "effective",
        "organ",
        "person_display",
        "subject",
    ]
    list_display_links = ["number_display"]
    list_filter = [
        "direction",
        ("organ", admin.RelatedOnlyFieldListFilter),  # the organs of the book this user sees
        "state",
        "channel",
        ("effective_at", admin.DateFieldListFilter),
    ]
    date_hierarchy = "effective_at"
    # The persons as each entry recorded them at filing (art. 33.f-g), not as they are now.
    search_fields = [
        "number",
        "interested_nif",
        "interested_given_name",
        "interested_surnames",
        "interested_legal_name",
        "representative_nif",
        "addressee",
    ]
    search_help_text = _("Número de registre, o NIF/NIE o nom de la persona interessada.")
    list_select_related = ["organ"]
    list_per_page = 50
    inlines = [AttachmentInline, TransitionInline]
    actions = ["export_sicres"]

    # -- Evidence: read-only, never deleted ------------------------------------------------------

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # entries are made by the registry's own actions, below

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # registered data is never edited

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[RegistryEntry]:
        """The book of the organs the user works for (``seu.staff``), and the entries the user
        registered themselves at the office for any organ: every page and action on an entry
        looks it up here first, so another organ's entry is a 404."""
        entries = (
            super()
            .get_queryset(request)
            .select_related("organ", "receipt", "related_entry", "created_by", "identification")
        )
        return scoped_to_staff(entries, request.user) | entries.filter(
            created_by_id=request.user.pk
        )

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> RegistryEntry | None:
        # Django redirects to the index with a message for an object outside the queryset,
        # which tells that the number exists: answer as for one that does not.
        entry = super().get_object(request, object_id, from_field)
        if entry is None:
            raise Http404
        return entry

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[RegistryEntry], search_term: str
    ) -> tuple[QuerySet[RegistryEntry], bool]:
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term:
            # A NIF typed with spaces, dashes or in lower case still finds its person.
            try:
                nif = normalise_person_id(term)
            except ValidationError:  # not a NIF: the plain search stands
                nif = ""
            if nif:
                found = found | queryset.filter(Q(interested_nif=nif) | Q(representative_nif=nif))
        return found, may_have_duplicates

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        instants = ["presented", "effective", "registered"]
        if obj is not None and obj.state == RegistryEntry.State.PENDING:
            instants.append("due")
        fieldsets: list[Any] = [
            (None, {"fields": ["number_display", "direction", "channel", "state"]}),
            (
                _("Dates i hores (art. 33.h, 33.i)"),
                {"fields": instants},
            ),
            (
                _("Persones"),
                {"fields": ["interested_display", "representative_display", "addressee"]},
            ),
            (
                _("Contingut"),
                {"fields": ["organ", "subject", "exposition", "request", "related_entry"]},
            ),
            (
                _("Rebut i anotació"),
                {"fields": ["receipt_links", "language", "created_by", "identification_display"]},
            ),
        ]
        if obj is not None and obj.state == RegistryEntry.State.NOT_ADMITTED:
            fieldsets.append(
                (
                    _("No admissió (art. 33.b)"),
                    {"fields": ["not_admitted_reason", "alternative_registries"]},
                )
            )
        return fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [
            "number_display",
            "presented",
            "effective",
            "registered",
            "due",
            "receipt_links",
            "interested_display",
            "representative_display",
            "identification_display",
        ]

    # -- Columns ---------------------------------------------------------------------------------

    @admin.display(description=_("número"), ordering="number")
    def number_display(self, obj: RegistryEntry) -> str:
        return str(obj)

    # Legal instants to the second, in the seu's time (art. 33.h, 33.i).
    @admin.display(description=_("data i hora de presentació"), ordering="presented_at")
    def presented(self, obj: RegistryEntry) -> str:
        return _local(obj.presented_at)

    @admin.display(description=_("data i hora d'entrada"), ordering="effective_at")
    def effective(self, obj: RegistryEntry) -> str:
        return _local(obj.effective_at) or "—"

    @admin.display(description=_("anotada el"), ordering="registered_at")
    def registered(self, obj: RegistryEntry) -> str:
        return _local(obj.registered_at) or "—"

    @admin.display(description=_("es registrarà el"))
    def due(self, obj: RegistryEntry) -> str:
        return _local(obj.due_at) or "—"

    # The persons as the entry recorded them at filing (art. 33.f-g), not their current data.
    @admin.display(description=_("persona interessada o destinatària"))
    def person_display(self, obj: RegistryEntry) -> str:
        party = obj.interested_party
        return str(party) if party else obj.addressee

    @admin.display(description=_("persona interessada"))
    def interested_display(self, obj: RegistryEntry) -> str:
        party = obj.interested_party
        return str(party) if party else "—"

    @admin.display(description=_("representant"))
    def representative_display(self, obj: RegistryEntry) -> str:
        party = obj.representative_party
        return str(party) if party else "—"

    @admin.display(description=_("identificació"))
    def identification_display(self, obj: RegistryEntry) -> str:
        # Method, level and instant; not the person's current name (it may differ from the
        # entry's, above).
        identification = obj.identification
        if identification is None:
            return "—"
        return gettext("%(method)s, nivell %(level)s, %(at)s") % {
            "method": identification.get_method_display(),
            "level": identification.level.label,
            "at": _local(identification.at),
        }

    @admin.display(description=_("rebut"))
    def receipt_links(self, obj: RegistryEntry) -> str:
        if obj.receipt is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a> · {} <a href="{}">{}</a>',
            reverse("admin:registre_registryentry_receipt", args=[obj.pk]),
            gettext("Descarrega el rebut (PDF)"),
            gettext("CSV:"),
            reverse("documents:verify_code", args=[obj.receipt.csv]),
            obj.receipt.csv_display,
        )

    # -- Addresses of the staff actions --------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        def view(function: Any) -> Any:
            return self.admin_site.admin_view(function)

        prefix = "registre_registryentry"
        return [
            path("entrada-presencial/", view(self.in_person_view), name=f"{prefix}_in_person"),
            path("sortida/", view(self.exit_view), name=f"{prefix}_exit"),
            path(
                "<int:object_id>/no-admetre/",
                view(self.not_admitted_view),
                name=f"{prefix}_not_admitted",
            ),
            path(
                "<int:object_id>/adjunts/<int:position>/",
                view(self.attachment_view),
                name=f"{prefix}_attachment",
            ),
            path("<int:object_id>/rebut/", view(self.receipt_view), name=f"{prefix}_receipt"),
            path("<int:object_id>/sicres3/", view(self.sicres_view), name=f"{prefix}_sicres"),
            *super().get_urls(),
        ]

    def _render_action(
        self,
        request: HttpRequest,
        *,
        form: forms.Form,
        title: str,
        submit: str,
        entry: RegistryEntry | None = None,
        notice: str = "",
    ) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "form": form,
            "entry": entry,
            "notice": notice,
            "submit_label": submit,
            "opts": self.model._meta,
            "cancel_url": _entry_url(entry)
            if entry
            else reverse("admin:registre_registryentry_changelist"),
        }
        return TemplateResponse(request, "admin/registre/registryentry/action_form.html", context)

    # -- Not admitted (art. 33.b) ------------------------------------------------------------------

    def not_admitted_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        _require(request, "change")
        entry = get_object_or_404(self.get_queryset(request), pk=object_id)
        if entry.direction != Direction.IN or entry.state != RegistryEntry.State.REGISTERED:
            messages.error(request, gettext("Només es pot inadmetre una entrada registrada."))
            return HttpResponseRedirect(_entry_url(entry))
        form = NotAdmittedForm(
            request.POST or None,
            initial={
                "reason": _default_not_admitted_reason(),
                "alternatives": _default_alternatives(),
            },
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.mark_not_admitted(
                    entry=entry,
                    reason=form.cleaned_data["reason"],
                    alternatives=form.cleaned_data["alternatives"],
                    acting_user=_acting_user(request),
                )
            except SeuError as exc:
                messages.error(request, str(exc.message))
            else:
                messages.success(
                    request,
                    gettext(
                        "L'assentament %(number)s consta com a no admès; la persona interessada "
                        "en veurà el motiu a la seva carpeta."
                    )
                    % {"number": entry.number},
                )
                return HttpResponseRedirect(_entry_url(entry))
        return self._render_action(
            request,
            form=form,
            entry=entry,
            title=gettext("No admetre l'assentament %(number)s") % {"number": entry.number},
            submit=gettext("No admetre"),
            notice=gettext(
                "Un escrit que no està relacionat amb els procediments del registre no produeix "
                "cap efecte i es té per no presentat: cal dir-ne el motiu a la persona interessada "
                "i on el pot presentar (art. 33.b de l'ordenança)."
            ),
        )

    # -- Paper entries (channel: in person) ------------------------------------------------------

    def in_person_view(self, request: HttpRequest) -> HttpResponse:
        _require(request, "add")
        form = InPersonEntryForm(request.POST or None, request.FILES or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    stored = [attachments.store(checked) for checked in data["scans"]]
                    interested = form.person()
                    assert interested is not None  # the field is required
                    entry = services.register_entry(
                        organ=data["organ"],
                        subject=data["subject"],
                        exposition=data["exposition"],
                        request=data["request"],
                        interested=interested,
                        representative=form.person("representative_"),
                        attachments=stored,
                        channel=RegistryEntry.Channel.IN_PERSON,
                        presented_at=calendar.now(),
                        language=data["language"],
                        acting_user=_acting_user(request),
                    )
            except SeuError as exc:
                messages.error(
                    request,
                    gettext("No s'ha registrat res: %(error)s") % {"error": exc.message},
                )
            else:
                messages.success(request, self._receipt_message(entry))
                return HttpResponseRedirect(_entry_url(entry))
        return self._render_action(
            request,
            form=form,
            title=gettext("Registrar una entrada presencial"),
            submit=gettext("Registra i emet el rebut"),
            notice=gettext(
                "Per a sol·licituds presentades en paper a l'oficina: s'anoten al llibre d'entrada "
                "amb canal presencial i se n'emet el rebut segellat, que cal lliurar a la persona."
            ),
        )

    def _receipt_message(self, entry: RegistryEntry) -> SafeString:
        assert entry.receipt is not None
        return format_html(
            '{} <a href="{}">{}</a> · <a href="{}">{}</a>',
            gettext("Entrada registrada amb el número %(number)s.") % {"number": entry.number},
            reverse("admin:registre_registryentry_receipt", args=[entry.pk]),
            gettext("Descarrega el rebut"),
            reverse("documents:verify_code", args=[entry.receipt.csv]),
            gettext("Verificació %(csv)s") % {"csv": entry.receipt.csv_display},
        )

    # -- Exits (art. 33.g, 33.h) -------------------------------------------------------------------

    def exit_view(self, request: HttpRequest) -> HttpResponse:
        _require(request, "add")
        form = ExitForm(request.POST or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                entry = services.register_exit(
                    organ=data["organ"],
                    addressee=data["addressee"],
                    addressee_person=PersonData(nif=data["addressee_nif"])
                    if data["addressee_nif"]
                    else None,
                    subject=data["subject"],
                    related_entry=data["related_entry_number"],
                    acting_user=_acting_user(request),
                )
            except SeuError as exc:
                messages.error(
                    request,
                    gettext("No s'ha registrat res: %(error)s") % {"error": exc.message},
                )
            else:
                if entry.state == RegistryEntry.State.PENDING:
                    messages.warning(
                        request,
                        gettext(
                            "Avui és dia inhàbil i el registre no anota sortides en dies inhàbils "
                            "(art. 33.h): la sortida queda pendent i es registrarà el %(when)s, "
                            "a l'inici del primer dia hàbil següent."
                        )
                        % {"when": _local(entry.due_at)},
                    )
                else:
                    messages.success(
                        request,
                        gettext("Sortida registrada amb el número %(number)s.")
                        % {"number": entry.number},
                    )
                return HttpResponseRedirect(_entry_url(entry))
        return self._render_action(
            request,
            form=form,
            title=gettext("Registrar una sortida"),
            submit=gettext("Registra la sortida"),
            notice=self._exit_notice(),
        )

    @staticmethod
    def _exit_notice() -> str:
        now = calendar.now()
        working_calendar = calendar.WorkingCalendar()
        reason = working_calendar.non_working_reason(calendar.to_local(now).date())
        if reason is None:
            return ""
        return gettext(
            "Avui és dia inhàbil (%(reason)s): el registre no anota sortides en dies inhàbils "
            "(art. 33.h). La sortida quedarà pendent i es registrarà el %(when)s, a l'inici del "
            "primer dia hàbil següent."
        ) % {"reason": reason, "when": _local(working_calendar.next_working_day_start(now))}

    # -- Downloads -----------------------------------------------------------------------------

    def attachment_view(
        self, request: HttpRequest, object_id: int, position: int
    ) -> HttpResponseBase:
        _require(request, "view")
        entry = get_object_or_404(self.get_queryset(request), pk=object_id)
        attachment = get_object_or_404(
            EntryAttachment.objects.select_related("blob"), entry=entry, position=position
        )
        return _download(
            attachment.blob.file.open("rb"),
            filename=attachment.name,
            content_type=attachment.content_type,
        )

    def receipt_view(self, request: HttpRequest, object_id: int) -> HttpResponseBase:
        _require(request, "view")
        entry = get_object_or_404(self.get_queryset(request), pk=object_id)
        try:
            receipt = services.receipt_file(entry=entry)
        except NotFound:
            raise Http404 from None
        except documents.IntegrityFailure as failure:
            return render(
                request,
                "documents/integrity_failure.html",
                {"document": entry.receipt, "message": failure.message},
                status=failure.http_status,
            )
        return _download(
            io.BytesIO(receipt.data), filename=receipt.filename, content_type="application/pdf"
        )

    # -- SICRES 3 ------------------------------------------------------------------------------

    def sicres_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        _require(request, "view")
        entry = get_object_or_404(self.get_queryset(request), pk=object_id)
        try:
            xml = sicres.export_entry(entry, include_content=request.GET.get("contingut") == "1")
        except SeuError as exc:
            messages.error(request, str(exc.message))
            return HttpResponseRedirect(_entry_url(entry))
        return _xml_response(xml, sicres.file_name(entry))

    @admin.action(description=_("Exporta SICRES 3 (XML)"), permissions=["view"])
    def export_sicres(
        self, request: HttpRequest, queryset: QuerySet[RegistryEntry]
    ) -> HttpResponse | None:
        entries = list(queryset.order_by("direction", "year", "sequence"))
        if not entries:  # what was selected is another organ's (``get_queryset``), or gone
            messages.error(request, gettext("No hi ha cap assentament per exportar."))
            return None
        files: list[tuple[str, bytes]] = []
        for entry in entries:
            try:
                files.append((sicres.file_name(entry), sicres.export_entry(entry)))
            except SeuError as exc:
                messages.error(request, f"{entry}: {exc.message}")
                return None
        if len(files) == 1:
            return _xml_response(files[0][1], files[0][0])
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, xml in files:
                archive.writestr(name, xml)
        response = HttpResponse(buffer.getvalue(), content_type="application/zip")
        response["Content-Disposition"] = 'attachment; filename="sicres3.zip"'
        return response


def _xml_response(xml: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(xml, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
