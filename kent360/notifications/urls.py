from django.urls import path

from kent360.notifications import views

app_name = "notifications"

urlpatterns = [
    path("templates/", views.templates, name="templates"),
]
