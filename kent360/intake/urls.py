from django.urls import path

from kent360.intake import views

app_name = "intake"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("items/<int:inbound>/", views.message_detail, name="message"),
    path("items/<int:inbound>/raw/", views.message_raw, name="message_raw"),
    path("items/<int:inbound>/discard/", views.message_discard, name="message_discard"),
    path("items/<int:inbound>/retry/", views.message_retry, name="message_retry"),
    path("field/", views.field, name="field"),
    path("petition/", views.petition, name="petition"),
    path("import/", views.national_import, name="import"),
    path("keys/", views.api_keys, name="keys"),
    path("caller/", views.caller_lookup, name="caller_lookup"),
    path("requests/<str:code>/same-issue/", views.same_issue, name="same_issue"),
    path("requests/<str:code>/duplicates/", views.duplicates, name="duplicates"),
    path("requests/<str:code>/merge/", views.merge_duplicate, name="merge_duplicate"),
    path("report/", views.report_start, name="report_start"),
    path("report/<slug:org>/", views.report, name="report"),
]
