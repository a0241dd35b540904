from django.urls import path

from kent360.notifications import views

app_name = "feedback"

urlpatterns = [
    path("<str:token>/", views.survey, name="survey"),
]
