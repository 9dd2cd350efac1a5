from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView

from documents import api as documents_api
from seu import views

# Addresses printed on documents (the QR code's /verificar/<csv>/) must never change: Catalan
# paths without a prefix, Spanish and English under /es/ and /en/.
urlpatterns: list[URLPattern | URLResolver] = [
    path("health/", views.health, name="health"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/registre/", include("registre.api_urls")),
    path("api/v1/notificacions/", include("notificacions.api_urls")),
    path("api/v1/expedients/", include("expedients.api_urls")),
    path(
        "api/v1/verificacio/<str:code>/",
        documents_api.VerificationView.as_view(),
        name="api-verification",
    ),
]

urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("accessibilitat/", views.accessibility, name="accessibility"),
    path("avis-legal/", views.legal_notice, name="legal_notice"),
    path("", include("documents.urls")),
    path("", include("registre.urls")),
    path("", include("notificacions.urls")),
    path("", include("tauler.urls")),
    path("", include("informacio.urls")),
    path("", include("cites.urls")),
    path("", include("expedients.urls")),
    path("gestio/", admin.site.urls),
    path("identificacio/", include("seu.identity.urls")),
    path("certificats/", views.accepted_certificates, name="accepted_certificates"),
    path("<slug:slug>/", views.section, name="section"),
    prefix_default_language=False,
)

# Requests refused before a view runs get the portal's page in the person's language.
handler400 = "seu.error_views.bad_request"
handler403 = "seu.error_views.permission_denied"
