"""The Celery application: broker from settings, tasks discovered in every app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seu.settings")

app = Celery("seu")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
