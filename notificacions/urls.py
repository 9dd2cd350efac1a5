"""Addresses of "Les meves notificacions"."""

from django.urls import URLPattern, URLResolver, path

from notificacions import views

app_name = "notificacions"

urlpatterns: list[URLPattern | URLResolver] = [
    path("notificacions/preferencies/", views.preferences, name="preferences"),
    path("notificacions/preferencies/adreca/", views.change_address, name="change_address"),
    path("notificacions/preferencies/revocar/", views.revoke, name="revoke"),
]
