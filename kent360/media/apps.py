from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediaConfig(AppConfig):
    """Media monitoring: sources, articles, mentions, stories, tone, alerts, digest, tekzip."""

    name = "kent360.media"
    label = "media"
    verbose_name = _("Media monitoring")
    default_auto_field = "django.db.models.BigAutoField"
