from django.urls import URLPattern, URLResolver, path

from expedients import folder, views

app_name = "expedients"

urlpatterns: list[URLPattern | URLResolver] = [
    # The catalogue of procedures (art. 21) and filing one (art. 24.1).
    path("tramits/", views.catalogue, name="catalogue"),
    path("tramits/<slug:code>/", views.procedure, name="procedure"),
    path("tramits/<slug:code>/formulari/", views.fill, name="fill"),
    path("tramits/<slug:code>/revisio/", views.review, name="review"),
    path("tramits/<slug:code>/confirmar/", views.confirm, name="confirm"),
    # La meva carpeta > Expedients (art. 27.3-4).
    path("carpeta/expedients/", folder.cases, name="cases"),
    path("carpeta/expedients/<int:pk>/", folder.case, name="case"),
    path(
        "carpeta/expedients/<int:pk>/documents/<int:position>/",
        folder.case_document,
        name="case_document",
    ),
    path("carpeta/expedients/<int:pk>/esmena/", folder.answer_remedy, name="answer_remedy"),
    path("carpeta/expedients/<int:pk>/ampliacio/", folder.extend_remedy, name="extend_remedy"),
    path("carpeta/expedients/<int:pk>/silenci/", folder.silence_certificate, name="silence"),
]
