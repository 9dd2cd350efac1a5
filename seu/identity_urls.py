"""Addresses of identification. Each method adds its own paths here."""

from django.urls import path

from seu import identity_views

app_name = "identity"

urlpatterns = [
    path("", identity_views.login, name="login"),
    path("sortir/", identity_views.logout, name="logout"),
    path("les-meves/", identity_views.my_identifications, name="mine"),
    path("les-meves-dades/", identity_views.my_data, name="my_data"),
]
