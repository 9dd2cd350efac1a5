from django.urls import path

from documents import views

app_name = "documents"

urlpatterns = [
    path("verificar/", views.verify, name="verify"),
    path("verificar/<str:code>/", views.verify_code, name="verify_code"),
    path("verificar/<str:code>/document.pdf", views.download, name="download"),
    path("segells/", views.seals, name="seals"),
    path("segells/<str:fingerprint>.pem", views.seal_certificate, name="seal_certificate"),
]
