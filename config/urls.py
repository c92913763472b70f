from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path, register_converter

from wpsnap.accounts.permissions import gate
from wpsnap.accounts.views.language import language_set
from wpsnap.core.health import healthz
from wpsnap.plan import views as plan_views
from wpsnap.portal import views as portal_views
from wpsnap.portal.converters import LanguageConverter

# The public portal's language segment: /az/, /en/, /ru/ (wpsnap/portal, docs/portal.md).
register_converter(LanguageConverter, "lang")


@gate("portal.view")
def home(request: HttpRequest) -> HttpResponse:
    """``/``: the public portal in Azerbaijani for a visitor (an address without a language is
    Azerbaijani); signed-in staff keep their list of plans, in their own language."""
    if request.user.is_authenticated:
        return plan_views.home(request)
    return portal_views.home(request, lang="az")


urlpatterns = [
    # For load balancers and monitors: open to all, nothing written, never cached (core.health).
    path("healthz", gate("health.view")(healthz), name="healthz"),
    path("admin/", admin.site.urls),
    # The language switcher (accounts.views.language): stores a signed-in person's choice, sets the cookie.
    path("i18n/setlang/", language_set, name="set_language"),
    path("accounts/", include("wpsnap.accounts.urls")),
    path("reports/", include("wpsnap.reporting.urls")),
    path("events/", include("wpsnap.registries.urls")),
    path("registries/", include("wpsnap.registries.kinds.urls")),
    path("publishing/", include("wpsnap.publishing.urls")),
    path("exports/", include("wpsnap.exports.urls")),
    # A registry's records as CSV or XLSX (issue 14): /exports/registries/<name>/.
    path("exports/registries/", include("wpsnap.exports.registry_views")),
    path("jobs/", include("wpsnap.accounts.job_urls")),
    path("api/v1/", include(("config.api", "api"))),
    path("", home, name="home"),
    path("<lang:lang>/", include("wpsnap.portal.urls")),
    path("", include("wpsnap.dashboards.urls")),
    path("", include("wpsnap.plan.urls")),
]

handler400 = "wpsnap.core.views.bad_request"
handler403 = "wpsnap.core.views.permission_denied"
handler404 = "wpsnap.core.views.page_not_found"
handler500 = "wpsnap.core.views.server_error"
