from django.conf import settings
from django.core.management.base import BaseCommand

from devtools.pki import ensure_dev_pki


class Command(BaseCommand):
    help = "Generate the development PKI (root CA, seal, TSA) under var/dev-pki unless present."

    def handle(self, *args: object, **options: object) -> None:
        if settings.PRODUCTION:
            self.stderr.write("refusing to generate a development PKI with SEU_ENV=production")
            raise SystemExit(2)
        pki = ensure_dev_pki(settings.DEV_PKI_DIR)
        self.stdout.write(f"development PKI in {pki.directory}")
