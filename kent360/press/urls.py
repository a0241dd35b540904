from django.urls import path

from kent360.press import views

app_name = "press"

urlpatterns = [
    path("", views.release_list, name="releases"),
    path("new/", views.release_new, name="release_new"),
    path("<int:release>/", views.release_detail, name="release"),
    path("<int:release>/text/", views.release_text, name="release_text"),
    path("<int:release>/do/<str:action>/", views.release_action, name="release_action"),
    path("<int:release>/details/", views.release_details, name="release_details"),
    path("<int:release>/diff/", views.release_diff, name="release_diff"),
    path("<int:release>/distribute/", views.release_distribute, name="release_distribute"),
    path("distributions/<int:distribution>/", views.distribution_detail, name="distribution"),
    path("contacts/", views.contact_list, name="contacts"),
    path("contacts/lists/", views.list_create, name="list_create"),
    path("contacts/export.csv", views.contacts_export, {"fmt": "csv"}, name="contacts_csv"),
    path("contacts/export.xlsx", views.contacts_export, {"fmt": "xlsx"}, name="contacts_xlsx"),
    path("calendar/", views.calendar_view, name="calendar"),
    path("calendar/new/", views.event_new, name="event_new"),
    path("calendar/export.ics", views.calendar_export, name="calendar_export"),
    path("calendar/<int:event>/", views.event_detail, name="event"),
    path("settings/", views.settings_view, name="settings"),
]
