"""API of notifications for the town hall's other systems (``notificacions.api``), under
``/api/v1/notificacions/``. A notification is addressed by its public identifier (a UUID)."""

from django.urls import URLPattern, URLResolver, path

from notificacions import api

app_name = "notificacions_api"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", api.NotificationCollectionView.as_view(), name="notifications"),
    path("<uuid:public_id>/", api.NotificationDetailView.as_view(), name="notification"),
]
