"""Public addresses of the tauler app."""

from django.urls import URLPattern, URLResolver

app_name = "tauler"

urlpatterns: list[URLPattern | URLResolver] = []
