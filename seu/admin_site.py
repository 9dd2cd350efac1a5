from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from django_otp.admin import OTPAdminSite

from seu.identity.staff_auth import StaffLoginForm

# Django's Catalan catalogue holds the admin's error note only as two singular entries, left from
# before it became a plural: the admin's forms ask for the plural, find none and print it in
# English. Our catalogue (LOCALE_PATHS come first) supplies it; naming it here keeps makemessages
# from dropping it as obsolete.
ADMIN_ERROR_NOTE = ngettext_lazy(
    "Please correct the error below.", "Please correct the errors below.", "count"
)


class SeuAdminSite(OTPAdminSite):
    """The staff back-office, headed with the town hall's name.

    Only staff verified by a second factor get in (django-otp's ``OTPAdminSite``): the login form
    asks for the password and the code of the staff member's authenticator app (issue 3.6).
    """

    site_title = _("Seu electrònica — gestió")
    index_title = _("Gestió de la seu electrònica")
    login_form = StaffLoginForm
    login_template = "seu/staff/login.html"
    index_template = "seu/staff/index.html"

    def __init__(self, name: str = "admin") -> None:
        # OTPAdminSite names itself "otpadmin"; the back-office keeps the "admin" namespace.
        super().__init__(name)

    def each_context(self, request: HttpRequest) -> dict[str, Any]:
        from seu.models import TownHall

        context = super().each_context(request)
        context["site_header"] = _("%(name)s — gestió de la seu") % {
            "name": TownHall.objects.current().name
        }
        return context

    def get_urls(self) -> list[URLResolver | URLPattern]:
        from seu.identity.officials import IdentifyPersonView

        identify = IdentifyPersonView.as_view(admin_site=self)
        return [
            path("identificar-persona/", self.admin_view(identify), name="identify_person"),
            *super().get_urls(),
        ]

    def index(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        from seu.identity import acting_official
        from seu.identity.officials import local_today

        official = acting_official(request.user, on=local_today())  # type: ignore[arg-type]
        return super().index(request, {**(extra_context or {}), "authorised_official": official})
