from __future__ import annotations

from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    name = "devtools"
    verbose_name = "Development tooling"

    def ready(self) -> None:
        from devtools.clave_idp import ensure_clave_keys
        from seu.identity import clave

        # The local identity provider's service-provider keys are made on first use.
        clave.register_key_maker(ensure_clave_keys)
