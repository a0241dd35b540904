from django.utils.translation import gettext_lazy as _

from kent360.core.registry import NavItem

ITEMS = [
    NavItem(
        _("Media"),
        "media:articles",
        roles=frozenset({"press_officer", "pr_manager", "org_admin"}),
        order=30,
    )
]
