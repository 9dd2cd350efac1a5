from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExpedientsConfig(AppConfig):
    name = "expedients"
    verbose_name = _("Expedients i procediments")
