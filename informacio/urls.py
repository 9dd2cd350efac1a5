"""Public addresses of the information sections: ``/informacio/`` is one of the portal's sections
(``seu.sections``), served here before the portal's catch-all route for sections."""

from django.urls import URLPattern, URLResolver, path

from informacio import views

app_name = "informacio"

urlpatterns: list[URLPattern | URLResolver] = [
    path("informacio/", views.information, name="information"),
    path("informacio/documents/<int:pk>/", views.information_file, name="information_file"),
]
