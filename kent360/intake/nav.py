from django.utils.translation import gettext_lazy as _

from kent360.core.registry import NavItem
from kent360.organizations.models import Role
from kent360.requests.workflow import CREATE_ROLES

ITEMS = [
    NavItem(_("Inbound"), "intake:queue", roles=frozenset(CREATE_ROLES), order=20),
    NavItem(_("API keys"), "intake:keys", roles=frozenset({Role.ORG_ADMIN}), order=90),
]
