"""Public addresses of the cites app."""

from django.urls import URLPattern, URLResolver, path

from cites import views

app_name = "cites"

urlpatterns: list[URLPattern | URLResolver] = [
    path("cita-previa/", views.index, name="index"),
    path("cita-previa/sollicitada/", views.requested, name="requested"),
    path("cita-previa/enllacos/", views.resend_links, name="resend_links"),
    path("cita-previa/enllacos/enviats/", views.links_sent, name="links_sent"),
    path("cita-previa/confirmar/<str:token>/", views.confirm, name="confirm"),
    path("cita-previa/cita/<str:token>/", views.manage, name="manage"),
    path("cita-previa/cita/<str:token>/anullar/", views.cancel, name="cancel"),
    path("cita-previa/cita/<str:token>/canvi/", views.change_days, name="change_days"),
    path("cita-previa/cita/<str:token>/canvi/<str:day>/", views.change_time, name="change_time"),
    path("cita-previa/<slug:service>/", views.days, name="days"),
    path("cita-previa/<slug:service>/<str:day>/", views.book, name="book"),
]
