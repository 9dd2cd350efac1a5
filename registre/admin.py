"""The registry's back-office (art. 33, 17.1): the entry and exit books, read-only, with the staff
actions that change them through ``registre.services``.

This module registers the book and its columns, filters and search; the actions' forms, views and
the inlines live in ``registre.backoffice``, by what they do. Entries are evidence: the book shows
them read-only and never deletes them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from registre import hooks
from registre.backoffice.inlines import AttachmentInline, TransitionInline
from registre.backoffice.powers import PowerPaperAdmin, PowerPaperInline
from registre.backoffice.views import EntryBookActions
from registre.models import PowerPaper, RegistryEntry
from seu import calendar
from seu.admin import POWER_INLINES
from seu.identity.representation import Representation, RepresentationCheck
from seu.people import normalise_person_id
from seu.staff import scoped_to_staff


@admin.register(RegistryEntry)
class RegistryEntryAdmin(EntryBookActions):
    """The entry and exit books (art. 33): read-only, searchable, with the staff actions."""

    # Seven columns fit a 1,280 px screen beside the filters (issue 13.11): the book, channel and
    # state share one column, and the instants another (the entry's, and the presentation's only
    # when it differs, art. 33.h), so that the organ, the person and the subject are never cut.
    list_display = [
        "number_display",
        "kind_display",
        "instants_display",
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
        "subject",
    ]
    search_help_text = _(
        "Número de registre, NIF/NIE o nom de la persona interessada, o paraules de l'assumpte."
    )
    list_select_related = ["organ"]
    list_per_page = 50
    inlines = [AttachmentInline, TransitionInline]
    actions = EntryBookActions.actions

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
        # Whether the representation's power links to the register of powers (read-only fields
        # see the entry, not the request).
        entry._may_view_powers = request.user.has_perm("seu.view_power")  # type: ignore[attr-defined]
        return entry

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: RegistryEntry | None = None,
    ) -> Any:
        # The apps above offer their own actions on the entry (``hooks.ENTRY_ACTIONS``).
        if obj is not None:
            context["entry_actions"] = hooks.entry_actions(request=request, entry=obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

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
                {
                    "fields": [
                        "interested_display",
                        "representative_display",
                        "representation_display",
                        "representation_check_display",
                        "addressee",
                        "contact_display",
                    ]
                },
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
            "representation_display",
            "representation_check_display",
            "identification_display",
            "contact_display",
        ]

    # -- Columns ---------------------------------------------------------------------------------

    @admin.display(description=_("número"), ordering="number")
    def number_display(self, obj: RegistryEntry) -> str:
        return str(obj)

    @admin.display(description=_("llibre, canal i estat"), ordering="direction")
    def kind_display(self, obj: RegistryEntry) -> SafeString:
        return format_html(
            "{} · {}<br>{}",
            obj.get_direction_display(),
            obj.get_channel_display(),
            obj.get_state_display(),
        )

    @admin.display(description=_("data i hora d'entrada"), ordering="effective_at")
    def instants_display(self, obj: RegistryEntry) -> SafeString:
        if obj.effective_at is None:  # an exit waiting for a working day
            return format_html(
                "{}<br>{}", gettext("presentada:"), calendar.format_instant(obj.presented_at)
            )
        if not obj.counts_later:
            return format_html("{}", calendar.format_instant(obj.effective_at))
        return format_html(
            "{}<br>{} {}",
            calendar.format_instant(obj.effective_at),
            gettext("presentada:"),
            calendar.format_instant(obj.presented_at),
        )

    # Legal instants to the second, in the seu's time (art. 33.h, 33.i).
    @admin.display(description=_("data i hora de presentació"), ordering="presented_at")
    def presented(self, obj: RegistryEntry) -> str:
        return calendar.format_instant(obj.presented_at)

    @admin.display(description=_("data i hora d'entrada"), ordering="effective_at")
    def effective(self, obj: RegistryEntry) -> str:
        return calendar.format_instant(obj.effective_at) or "—"

    @admin.display(description=_("anotada el"), ordering="registered_at")
    def registered(self, obj: RegistryEntry) -> str:
        return calendar.format_instant(obj.registered_at) or "—"

    @admin.display(description=_("es registrarà el"))
    def due(self, obj: RegistryEntry) -> str:
        return calendar.format_instant(obj.due_at) or "—"

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

    @admin.display(description=_("representació"))
    def representation_display(self, obj: RegistryEntry) -> str:
        """How the representative acts for the interested person (art. 26.2): a power of the
        register of powers (linked for who may read it, with its end), a representative's
        certificate, or a declaration."""
        if obj.representative_id is None and not obj.representative_nif:
            return gettext("en nom propi")
        kind = Representation(obj.representation)
        if kind == Representation.NONE:
            return "—"
        power = obj.power
        if power is None:
            return str(kind.label)
        ends_on = calendar.format_date(calendar.last_day(power.ends_at))
        details = gettext("%(scope)s; %(state)s, fins al %(day)s") % {
            "scope": power.get_scope_display(),
            "state": power.get_state_display(),
            "day": ends_on,
        }
        if getattr(obj, "_may_view_powers", False):
            return format_html(
                '<a href="{}">{}</a> ({})',
                reverse("admin:seu_power_change", args=[power.pk]),
                kind.label,
                details,
            )
        return f"{kind.label} ({details})"

    @admin.display(description=_("comprovació de la representació"))
    def representation_check_display(self, obj: RegistryEntry) -> str:
        """The organ's check of a declared representation (art. 26.2.c), with its reason; the
        case file's page is where it is decided."""
        if obj.representation != Representation.DECLARED:
            return "—"
        state = str(RepresentationCheck(obj.representation_check).label)
        if obj.representation_reason:
            return f"{state}: {obj.representation_reason}"
        return state

    @admin.display(description=_("dades de contacte"))
    def contact_display(self, obj: RegistryEntry) -> str:
        # As given with the request (art. 33.f-g).
        contact = obj.contact
        lines = [contact.email, contact.phone, contact.postal_address.replace("\n", ", ")]
        return " · ".join(line for line in lines if line) or "—"

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
            "at": calendar.format_instant(identification.at),
        }

    @admin.display(description=_("rebut"))
    def receipt_links(self, obj: RegistryEntry) -> str:
        if obj.receipt is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a> · {} <a href="{}">{}</a>',
            reverse("admin:registre_registryentry_receipt", args=[obj.pk]),
            gettext("Descarregar el rebut (PDF)"),
            gettext("CSV:"),
            reverse("documents:verify_code", args=[obj.receipt.csv]),
            obj.receipt.csv_display,
        )


# --- Powers granted in person at the office (art. 26.2.a) -----------------------------------------

admin.site.register(PowerPaper, PowerPaperAdmin)
# The paper on the power's page in the register of powers, which seu's admin shows without
# importing the registry.
if PowerPaperInline not in POWER_INLINES:
    POWER_INLINES.append(PowerPaperInline)
