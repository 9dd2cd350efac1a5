"""Addresses of the electronic registry and the citizen's folder (filled by the registry views)."""

from django.urls import URLPattern, URLResolver

app_name = "registre"

urlpatterns: list[URLPattern | URLResolver] = []
