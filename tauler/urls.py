"""Public addresses of the tauler app. ``/tauler/<year>/<number>/`` is an edict's address for
good: it is printed in the sealed edict and in its exposure certificate."""

from django.urls import URLPattern, URLResolver, path

from tauler import api, feeds, views
from tauler.caching import cached_for_anonymous

app_name = "tauler"

urlpatterns: list[URLPattern | URLResolver] = [
    path("tauler/", views.board, name="board"),
    path("tauler/feed/", cached_for_anonymous(feeds.EdictFeed()), name="feed"),
    path(
        "tauler/feed/<slug:category>/",
        cached_for_anonymous(feeds.EdictFeed()),
        name="feed_category",
    ),
    path("tauler/<int:year>/<int:number>/", views.edict, name="edict"),
    path(
        "tauler/<int:year>/<int:number>/documents/<int:position>/",
        views.attachment,
        name="attachment",
    ),
    path("tauler/<int:year>/<int:number>/diligencia.pdf", views.certificate, name="certificate"),
    path("api/v1/tauler/edictes/", api.EdictListView.as_view(), name="api_edicts"),
    path(
        "api/v1/tauler/edictes/<int:year>/<int:number>/",
        api.EdictDetailView.as_view(),
        name="api_edict",
    ),
]
