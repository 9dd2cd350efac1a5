from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InformacioConfig(AppConfig):
    name = "informacio"
    verbose_name = _("Informació i transparència")
