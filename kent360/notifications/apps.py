from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "kent360.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from kent360.core import refcache

        # organisations' message templates are kept per process like other reference rows
        refcache.watch("notifications_notificationtemplate")
