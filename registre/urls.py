"""Addresses of the electronic registry and the citizen's folder."""

from django.urls import URLPattern, URLResolver, path

from registre import views

app_name = "registre"

urlpatterns: list[URLPattern | URLResolver] = [
    path("registre/", views.file_request, name="file"),
    path("registre/revisio/", views.review, name="review"),
    path("registre/confirmar/", views.confirm, name="confirm"),
    path("registre/presentat/<int:pk>/", views.entry_detail, {"just_filed": True}, name="filed"),
    path("carpeta/", views.folder, name="folder"),
    path("carpeta/registre/<int:pk>/", views.entry_detail, name="entry"),
    path("carpeta/registre/<int:pk>/rebut.pdf", views.receipt, name="receipt"),
]
