from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CitesConfig(AppConfig):
    name = "cites"
    verbose_name = _("Cita prèvia")

    def ready(self) -> None:
        from cites import caching, selectors
        from seu import office_hours, sections

        caching.connect()
        # The accepted-certificates page (seu) announces the days and hours of these services.
        office_hours.register(office_hours.CERTIFICATE_ACCREDITATION, selectors.accreditation_hours)
        # The home page names the services on offer now, never one switched off.
        sections.register_summary("cita-previa", selectors.home_summary)
