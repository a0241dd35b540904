from django.urls import path

from kent360.citizens import views

app_name = "citizens"

urlpatterns = [
    path("", views.search, name="search"),
    path("<int:citizen>/", views.detail, name="detail"),
    path("<int:citizen>/export.json", views.export_json, name="export_json"),
    path("<int:citizen>/export.pdf", views.export_pdf, name="export_pdf"),
    path("<int:citizen>/merge/", views.merge, name="merge"),
    path("<int:citizen>/anonymise/", views.anonymise, name="anonymise"),
]
