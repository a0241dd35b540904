from django.urls import path

from kent360.social import views

app_name = "social"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("compose/", views.compose, name="compose"),
    path("calendar/", views.calendar_view, name="calendar"),
    path("accounts/new/", views.account_new, name="account_new"),
    path("posts/<int:post>/", views.post_detail, name="post"),
    path("posts/<int:post>/do/<str:action>/", views.post_action, name="post_action"),
]
