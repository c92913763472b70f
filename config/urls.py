from django.contrib import admin
from django.urls import include, path

from wpsnap.accounts.permissions import gate
from wpsnap.core.health import healthz

urlpatterns = [
    # For load balancers and monitors: open to all, nothing written, never cached (core.health).
    path("healthz", gate("health.view")(healthz), name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("wpsnap.accounts.urls")),
    path("reports/", include("wpsnap.reporting.urls")),
    path("events/", include("wpsnap.registries.urls")),
    path("publishing/", include("wpsnap.publishing.urls")),
    path("exports/", include("wpsnap.exports.urls")),
    path("jobs/", include("wpsnap.accounts.job_urls")),
    path("api/v1/", include(("config.api", "api"))),
    path("", include("wpsnap.dashboards.urls")),
    path("", include("wpsnap.plan.urls")),
]

handler400 = "wpsnap.core.views.bad_request"
handler403 = "wpsnap.core.views.permission_denied"
handler404 = "wpsnap.core.views.page_not_found"
handler500 = "wpsnap.core.views.server_error"
