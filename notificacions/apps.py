from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificacionsConfig(AppConfig):
    name = "notificacions"
    verbose_name = _("Notificacions electròniques")

    def ready(self) -> None:
        # The lower layers tell this app of their facts through hooks (seu.core.hooks).
        from notificacions import listeners  # noqa: F401
