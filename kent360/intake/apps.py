from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "kent360.intake"
    label = "intake"
    verbose_name = _("Omnichannel intake")

    def ready(self) -> None:
        from kent360.intake.followers import follower_recipients
        from kent360.notifications.services import notification_register_follower_source

        notification_register_follower_source(follower_recipients)
