from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kent360.core"
    label = "core"
    verbose_name = _("Platform")

    def ready(self) -> None:
        from kent360.core import refcache  # noqa: F401 (connects its request signals)

        post_migrate.connect(
            _install_refcache_triggers, sender=self, dispatch_uid="kent360.refcache"
        )


def _install_refcache_triggers(*, using: str = "default", **_kwargs: Any) -> None:
    # After every migrate and flush (idempotent): SQLite drops a table's triggers when
    # Django rebuilds the table to alter it.
    from kent360.core.refcache import install_triggers

    install_triggers(using)
