from django.utils.translation import gettext_lazy as _

from kent360.core.registry import NavItem
from kent360.organizations.models import Role

ITEMS = [
    NavItem(_("Message templates"), "notifications:templates", frozenset({Role.ORG_ADMIN}), 80),
]
