"""URL map. Staff pages under /requests/, citizen pages at the root, API under /api/."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from kent360.core import views as core_views
from kent360.reports import views as report_views
from kent360.requests import views as request_views

api_v1 = [
    path("", include("kent360.requests.api.urls")),
    path("", include("kent360.organizations.api.urls")),
    path("intake/", include("kent360.intake.api.urls")),
]

urlpatterns = [
    path(
        "",
        lambda request: redirect("requests:inbox" if request.user.is_authenticated else "track"),
        name="home",
    ),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("requests/", include("kent360.requests.urls")),
    path("intake/", include("kent360.intake.urls")),
    path("citizens/", include("kent360.citizens.urls")),
    path("open311/v2/", include("kent360.intake.open311.urls")),
    path("press/", include("kent360.press.urls")),
    path("network/", include("kent360.network.urls")),
    path("social/", include("kent360.social.urls")),
    path("", include("kent360.press.public_urls")),
    path("reports/", include("kent360.reports.urls")),
    path("transparency/<slug:slug>/", report_views.transparency, name="transparency"),
    path("track/", request_views.track, name="track"),
    path("track/<str:code>/", request_views.track, name="track_code"),
    path("feedback/", include("kent360.notifications.feedback_urls")),
    path("notifications/", include("kent360.notifications.urls")),
    path("routing/", include("kent360.routing.urls")),
    path("health/", core_views.health, name="health"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]

handler404 = "kent360.core.views.not_found"
handler403 = "kent360.core.views.forbidden"
