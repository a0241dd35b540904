from django.urls import path

from kent360.network import views

app_name = "network"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("calendar/", views.calendar_view, name="calendar"),
    path("directory/", views.directory, name="directory"),
    path("campaigns/new/", views.campaign_new, name="campaign_new"),
    path("campaigns/<int:campaign>/", views.campaign_detail, name="campaign"),
    path("campaigns/<int:campaign>/respond/", views.campaign_respond, name="campaign_respond"),
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/<int:meeting>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:meeting>/actions/<int:item>/done/", views.action_done, name="action_done"),
    path("crisis/", views.crisis_list, name="crises"),
    path("crisis/<int:crisis>/", views.crisis_room, name="crisis"),
    path("crisis/<int:crisis>/live/", views.crisis_live, name="crisis_live"),
    path("crisis/<int:crisis>/do/<str:action>/", views.crisis_action, name="crisis_action"),
]
