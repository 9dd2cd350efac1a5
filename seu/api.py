"""API plumbing shared by every app: domain errors become JSON with their code."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from seu.errors import SeuError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, SeuError):
        return Response({"code": exc.code, "detail": str(exc.message)}, status=exc.http_status)
    return drf_exception_handler(exc, context)


def has_perm(request: Request, permission: str) -> bool:
    """Whether the caller (a token's user, a staff session, or nobody) holds ``permission``."""
    checker = getattr(request.user, "has_perm", None)
    return bool(callable(checker) and checker(permission))
