"""URL map. Staff pages under /requests/, citizen pages at the root, API under /api/."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from kent360.core import views as core_views
from kent360.ops import views as ops_views
from kent360.reports import views as report_views
from kent360.requests import views as request_views

api_v1 = [
    path("", include("kent360.requests.api.urls")),
    path("", include("kent360.organizations.api.urls")),
    path("intake/", include("kent360.intake.api.urls")),
    path("media/", include("kent360.media.api.urls")),
    path("press/", include("kent360.press.api.urls")),
    path("social/", include("kent360.social.api.urls")),
    path("network/", include("kent360.network.api.urls")),
]

urlpatterns = [
    # Machine clients first: the resolver tries patterns in order, and these are the
    # busiest routes (an empty-prefix include further down is tried pattern by pattern).
    path("api/v1/", include(api_v1)),
    path("open311/v2/", include("kent360.intake.open311.urls")),
    path(
        "",
        lambda request: redirect("requests:inbox" if request.user.is_authenticated else "track"),
        name="home",
    ),
    path("login/", ops_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("requests/", include("kent360.requests.urls")),
    path("intake/", include("kent360.intake.urls")),
    path("citizens/", include("kent360.citizens.urls")),
    path("press/", include("kent360.press.urls")),
    path("network/", include("kent360.network.urls")),
    path("social/", include("kent360.social.urls")),
    path("", include("kent360.press.public_urls")),
    path("reports/", include("kent360.reports.urls")),
    path("transparency/<slug:slug>/", report_views.transparency, name="transparency"),
    path("media-desk/", include("kent360.media.urls")),
    path("track/", request_views.track, name="track"),
    path("track/<str:code>/", request_views.track, name="track_code"),
    path("feedback/", include("kent360.notifications.feedback_urls")),
    path("notifications/", include("kent360.notifications.urls")),
    path("routing/", include("kent360.routing.urls")),
    path("health/", core_views.health, name="health"),
    path("ready/", ops_views.ready, name="ready"),
    path("metrics", ops_views.metrics_view, name="metrics"),
    path("account/", include("kent360.ops.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]

handler404 = "kent360.core.views.not_found"
handler403 = "kent360.core.views.forbidden"
handler500 = "kent360.core.views.server_error"
