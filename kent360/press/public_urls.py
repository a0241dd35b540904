from django.urls import path

from kent360.network import public_views as alerts
from kent360.press import feeds, views

app_name = "press_public"

urlpatterns = [
    path("newsroom/<slug:org>/", views.newsroom, name="newsroom"),
    path("newsroom/<slug:org>/rss/", feeds.NewsroomRss(), name="rss"),
    path("newsroom/<slug:org>/atom/", feeds.NewsroomAtom(), name="atom"),
    path("newsroom/<slug:org>/events.ics", views.newsroom_ical, name="ical"),
    path("newsroom/<slug:org>/alerts/", alerts.signup, name="alerts"),
    path("newsroom/<slug:org>/alerts/confirm/", alerts.confirm, name="alerts_confirm"),
    path("newsroom/<slug:org>/alerts/inbound/", alerts.inbound, name="alerts_inbound"),
    path("newsroom/<slug:org>/alerts/stop/<str:token>/", alerts.stop, name="alerts_stop"),
    path("newsroom/<slug:org>/<slug:slug>/", views.newsroom_release, name="release"),
    path("newsroom/<slug:org>/<slug:slug>/image/", views.newsroom_image, name="release_image"),
    path(
        "newsroom/<slug:org>/<slug:slug>/files/<int:attachment>/",
        views.newsroom_attachment,
        name="attachment",
    ),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
