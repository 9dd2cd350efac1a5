"""The register of consents to electronic notification, read only (art. 32.1-32.4): what each
person agreed to, when, through which identification, word for word. Rows are written only by
``notificacions.services``; staff with the view permission consult them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from notificacions.models import NotificationConsent


@admin.register(NotificationConsent)
class NotificationConsentAdmin(admin.ModelAdmin[NotificationConsent]):
    list_display = ["at", "person", "change", "state", "scope", "email", "identification"]
    list_filter = ["change", "state", "scope"]
    search_fields = ["person__nif", "person__surnames", "person__legal_name", "email"]
    date_hierarchy = "at"
    list_select_related = ["person", "identification__person"]
    readonly_fields = [field.name for field in NotificationConsent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the history is evidence of what the person consented to
