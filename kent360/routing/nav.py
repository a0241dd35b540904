from django.utils.translation import gettext_lazy as _

from kent360.core.registry import NavItem
from kent360.organizations.models import Role

ITEMS = [
    NavItem(
        _("Triage queue"),
        "routing:triage",
        frozenset({Role.AGENT, Role.PR_MANAGER, Role.ORG_ADMIN, Role.DIRECTORATE_MANAGER}),
        15,
    ),
    NavItem(_("Routing"), "routing:status", frozenset({Role.PR_MANAGER, Role.ORG_ADMIN}), 70),
]
