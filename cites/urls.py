"""Public addresses of the cites app."""

from django.urls import URLPattern, URLResolver

app_name = "cites"

urlpatterns: list[URLPattern | URLResolver] = []
