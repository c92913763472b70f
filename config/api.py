"""The REST API under /api/v1/: every app contributes its routes; the schema and docs are here."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from wpsnap.accounts.permissions import gate

urlpatterns = [
    path("schema/", gate("api.schema")(SpectacularAPIView.as_view()), name="schema"),
    path(
        "docs/", gate("api.schema")(SpectacularSwaggerSplitView.as_view(url_name="api:schema")), name="docs"
    ),
    path("", include("wpsnap.accounts.api_urls")),
    path("", include("wpsnap.plan.api_urls")),
    path("", include("wpsnap.reporting.api_urls")),
    path("", include("wpsnap.registries.api_urls")),
    path("", include("wpsnap.analytics.api_urls")),
    path("", include("wpsnap.publishing.api_urls")),
]
