from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistreConfig(AppConfig):
    name = "registre"
    verbose_name = _("Registre electrònic")
