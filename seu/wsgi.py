"""WSGI entry point for gunicorn.

The seal is loaded here, once per process and before the first request, so that a missing file or a
wrong password stops the server at start-up with a message naming the setting.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seu.settings")

application = get_wsgi_application()

from documents.sealing import get_seal  # noqa: E402  (needs Django set up)

get_seal()
