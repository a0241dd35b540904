from django.urls import path

from kent360.press import feeds, views

app_name = "press_public"

urlpatterns = [
    path("newsroom/<slug:org>/", views.newsroom, name="newsroom"),
    path("newsroom/<slug:org>/rss/", feeds.NewsroomRss(), name="rss"),
    path("newsroom/<slug:org>/atom/", feeds.NewsroomAtom(), name="atom"),
    path("newsroom/<slug:org>/events.ics", views.newsroom_ical, name="ical"),
    path("newsroom/<slug:org>/<slug:slug>/", views.newsroom_release, name="release"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
