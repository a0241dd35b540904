from django.urls import path

from kent360.ops import views

app_name = "ops"

urlpatterns = [
    path("two-factor/", views.two_factor_settings, name="two_factor"),
    path("two-factor/verify/", views.two_factor_verify, name="two_factor_verify"),
    path("api-keys/", views.api_keys, name="api_keys"),
    path("api-keys/<int:pk>/revoke/", views.api_key_revoke, name="api_key_revoke"),
    path("access-log/", views.access_log, name="access_log"),
]
