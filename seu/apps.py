from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SeuConfig(AppConfig):
    name = "seu"
    verbose_name = _("Seu electrònica")
    default_auto_field = "django.db.models.BigAutoField"
