"""What an entry of the book shows below it, read-only: its attachments and its changes of state.

Entries are evidence: whoever may read the book sees these, nobody edits or deletes them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from registre.models import EntryAttachment, EntryTransition, RegistryEntry
from seu import calendar


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
        # The public pages' formatter (Django's, in the active language: "1,4 KB" in Catalan and
        # Spanish, "1.4 KB" in English), so that a clerk and the person read the same size.
        return str(filesizeformat(obj.size))

    @admin.display(description=_("SHA-256"))
    def hash(self, obj: EntryAttachment) -> SafeString:
        return format_html('<code style="word-break: break-all">{}</code>', obj.sha256)

    @admin.display(description=_("fitxer"))
    def file(self, obj: EntryAttachment) -> SafeString:
        url = reverse("admin:registre_registryentry_attachment", args=[obj.entry_id, obj.position])
        return format_html('<a href="{}">{}</a>', url, gettext("Descarregar"))


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
        return calendar.format_instant(obj.at)

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
