"""The board's health as a visitor sees it (art. 17.1, 18.4): asked over HTTP at the public
address, or by rendering the board's view in-process. A channel, like the views it asks: the
availability evidence only records what it answers
(``tauler.availability.record_board_health``)."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from django.conf import settings

logger = logging.getLogger(__name__)


def probe_board() -> bool:
    """The board's health as a visitor would see it: its first page answers 200.

    With ``TAULER_HEALTH_URL`` set (production: the public address through the proxy) it is an HTTP
    GET; otherwise the board view is rendered in-process (database, query and templates)."""
    url = settings.TAULER_HEALTH_URL
    try:
        if url:
            import requests

            response = requests.get(url, timeout=5)
            return response.status_code == 200
        from django.test import RequestFactory

        from tauler import views

        # As a visitor of the public address would ask (RequestFactory's own "testserver" is
        # not an allowed host outside the tests).
        base = urlsplit(settings.SEU_BASE_URL)
        request = RequestFactory().get(
            "/tauler/", HTTP_HOST=base.netloc, secure=base.scheme == "https"
        )
        request.LANGUAGE_CODE = "ca"
        return views.board(request).status_code == 200
    except Exception:
        logger.warning("tauler health probe failed", exc_info=True)
        return False
