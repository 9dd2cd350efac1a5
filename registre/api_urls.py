"""API of the registry for the town hall's other systems (filled by registre.api)."""

from django.urls import URLPattern, URLResolver

app_name = "registre_api"

urlpatterns: list[URLPattern | URLResolver] = []
