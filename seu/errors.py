"""The domain errors services raise: a stable code and a message in the user's language.

They are mapped to HTTP once, in ``seu.api.exception_handler`` for the API, and to a form error or a
message in HTML views. A user never sees a stack trace.
"""

from __future__ import annotations

from django.utils.functional import Promise


class SeuError(Exception):
    """Base of every error a service raises on purpose."""

    code = "error"
    http_status = 400

    def __init__(self, message: str | Promise, *, code: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return str(self.message)


class InvalidInput(SeuError):
    code = "invalid"


class NotFound(SeuError):
    code = "not_found"
    http_status = 404


class RateLimited(SeuError):
    code = "rate_limited"
    http_status = 429


class Unavailable(SeuError):
    """A dependency (TSA, renderer, storage) failed; the operation left nothing behind."""

    code = "unavailable"
    http_status = 503
