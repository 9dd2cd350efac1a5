from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExpedientsConfig(AppConfig):
    name = "expedients"
    verbose_name = _("Expedients i procediments")

    def ready(self) -> None:
        # The lower layers tell case files of their facts through hooks (seu.core.hooks).
        from expedients import listeners  # noqa: F401
