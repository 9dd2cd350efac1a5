from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


class SeuAdminSite(admin.AdminSite):
    """The staff back-office, headed with the town hall's name."""

    site_title = _("Seu electrònica — gestió")
    index_title = _("Gestió de la seu electrònica")

    def each_context(self, request: HttpRequest) -> dict[str, Any]:
        from seu.models import TownHall

        context = super().each_context(request)
        context["site_header"] = _("%(name)s — gestió de la seu") % {
            "name": TownHall.objects.current().name
        }
        return context
