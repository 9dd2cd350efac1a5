from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistreConfig(AppConfig):
    name = "registre"
    verbose_name = _("Registre electrònic")

    def ready(self) -> None:
        from documents import services as documents
        from registre import services

        documents.keep_blobs(services.draft_blob_hashes)
