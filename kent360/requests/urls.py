from django.urls import path

from kent360.requests import views

app_name = "requests"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("new/", views.desk_entry, name="desk"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/files/<int:pk>/", views.attachment, name="attachment"),
    path("<str:code>/<slug:action>/", views.act, name="act"),
]
