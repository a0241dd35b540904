from django.urls import path

from kent360.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("map/", views.map_page, name="map"),
    path("map/data/", views.map_data, name="map_data"),
    path("map/boundaries/", views.boundaries_upload, name="boundaries_upload"),
    path("export/", views.export, name="export"),
    path("export/<int:pk>/", views.export_job, name="export_job"),
    path("export/<int:pk>/download/", views.export_download, name="export_download"),
    path("report.pdf", views.report_pdf, name="report_pdf"),
    path("achievement/", views.achievement, name="achievement"),
    path("settings/", views.settings_page, name="settings"),
    path(
        "settings/subscriptions/<int:pk>/delete/",
        views.subscription_delete,
        name="subscription_delete",
    ),
]
