from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CitesConfig(AppConfig):
    name = "cites"
    verbose_name = _("Cita prèvia")

    def ready(self) -> None:
        from cites import caching

        caching.connect()
