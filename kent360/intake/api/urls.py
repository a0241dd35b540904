from django.urls import path

from kent360.intake.api import views

urlpatterns = [
    path("field/reports/", views.FieldReportView.as_view(), name="intake-field-report"),
    path("webhook/<slug:org>/", views.WebhookView.as_view(), name="intake-webhook"),
]
