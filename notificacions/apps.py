from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificacionsConfig(AppConfig):
    name = "notificacions"
    verbose_name = _("Notificacions electròniques")
