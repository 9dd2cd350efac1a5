"""API of case files for the town hall's other systems (``expedients.api``), under
``/api/v1/expedients/``. A case file is addressed by its number, whose slashes are the address's:
``<procedure code>/<year>/<n>/``; its documents by their position."""

from django.urls import URLPattern, URLResolver, path

from expedients import api

app_name = "expedients_api"

CASE = "<slug:code>/<int:year>/<int:sequence>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", api.ExpedientCollectionView.as_view(), name="cases"),
    path(CASE, api.ExpedientDetailView.as_view(), name="case"),
    path(f"{CASE}documents/", api.ExpedientDocumentCollectionView.as_view(), name="documents"),
    path(f"{CASE}documents/<int:position>/", api.ExpedientDocumentView.as_view(), name="document"),
]
