from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("wpsnap.accounts.urls")),
    path("reports/", include("wpsnap.reporting.urls")),
    path("events/", include("wpsnap.registries.urls")),
    path("api/v1/", include(("config.api", "api"))),
    path("", include("wpsnap.plan.urls")),
]

handler400 = "wpsnap.core.views.bad_request"
handler403 = "wpsnap.core.views.permission_denied"
handler404 = "wpsnap.core.views.page_not_found"
handler500 = "wpsnap.core.views.server_error"
