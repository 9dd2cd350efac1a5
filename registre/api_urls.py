"""API of the registry for the town hall's other systems (``registre.api``), under
``/api/v1/registre/``. Numbers are written ``E-2026-000001`` in addresses (no slashes)."""

from django.urls import URLPattern, URLResolver, path, register_converter

from registre import api

app_name = "registre_api"

register_converter(api.EntryNumberConverter, "registry_entry_number")

urlpatterns: list[URLPattern | URLResolver] = [
    path("entrades/", api.EntryCollectionView.as_view(), name="entries"),
    path(
        "entrades/<registry_entry_number:number>/",
        api.EntryDetailView.as_view(),
        name="entry",
    ),
    path(
        "entrades/<registry_entry_number:number>/rebut.pdf",
        api.EntryReceiptView.as_view(),
        name="receipt",
    ),
]
