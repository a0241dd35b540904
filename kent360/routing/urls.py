from django.urls import path

from kent360.routing import views

app_name = "routing"

urlpatterns = [
    path("", views.status, name="status"),
    path("triage/", views.triage, name="triage"),
]
