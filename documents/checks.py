"""System check: the seal loads (file present, password right, not a development seal in
production). ``manage.py check`` and ``check --deploy`` report it naming the setting."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.core.exceptions import ImproperlyConfigured


@checks.register(checks.Tags.security, deploy=True)
def seal_loads(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from documents.sealing import get_seal

    try:
        get_seal()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="documents.E001")]
    return []
