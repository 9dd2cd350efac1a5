"""The seu electrònica (art. 9): settings, identity, the working-day calendar and portal pages."""

from seu.celery import app as celery_app

__all__ = ["celery_app"]
