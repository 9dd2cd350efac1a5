"""Addresses of "Les meves notificacions"."""

from django.urls import URLPattern, URLResolver, path

from notificacions import views

app_name = "notificacions"

urlpatterns: list[URLPattern | URLResolver] = [
    path("notificacions/", views.inbox, name="list"),
    path("notificacions/preferencies/", views.preferences, name="preferences"),
    path("notificacions/preferencies/adreca/", views.change_address, name="change_address"),
    path("notificacions/preferencies/revocar/", views.revoke, name="revoke"),
    path("notificacions/<uuid:public_id>/", views.detail, name="detail"),
    path("notificacions/<uuid:public_id>/obrir/", views.accept, name="accept"),
    path("notificacions/<uuid:public_id>/rebutjar/", views.reject, name="reject"),
    path(
        "notificacions/<uuid:public_id>/documents/<int:position>/",
        views.document,
        name="document",
    ),
    path("notificacions/<uuid:public_id>/evidencia/", views.evidence, name="evidence"),
    path("notificacions/<uuid:public_id>/certificat/", views.certificate, name="certificate"),
    path("notificacions/<uuid:public_id>/paper/", views.case_paper, name="case_paper"),
]
