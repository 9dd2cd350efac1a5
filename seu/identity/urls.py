"""Addresses of identification. Each method adds its own paths here."""

from django.urls import path

from seu.identity import clave_views
from seu.identity import representation_views as powers
from seu.identity import views as identity_views
from seu.identity.certificate_views import certificate_login

app_name = "identity"

urlpatterns = [
    path("", identity_views.login, name="login"),
    path("certificat/", certificate_login, name="certificate_login"),
    path("sortir/", identity_views.logout, name="logout"),
    path("les-meves/", identity_views.my_identifications, name="mine"),
    path("les-meves-dades/", identity_views.my_data, name="my_data"),
    path("clave/", clave_views.login, name="clave_login"),
    path("clave/acs/", clave_views.acs, name="clave_acs"),
    path("clave/metadata/", clave_views.metadata, name="clave_metadata"),
    path("apoderaments/", powers.powers, name="powers"),
    path("apoderaments/nou/", powers.grant_power, name="grant_power"),
    path("apoderaments/<uuid:public_id>/", powers.power, name="power"),
    path("apoderaments/<uuid:public_id>/acceptar/", powers.accept_power, name="accept_power"),
    path("apoderaments/<uuid:public_id>/rebutjar/", powers.decline_power, name="decline_power"),
    path("apoderaments/<uuid:public_id>/revocar/", powers.revoke_power, name="revoke_power"),
]
