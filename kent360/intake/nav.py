from django.utils.translation import gettext_lazy as _

from kent360.core.registry import NavItem
from kent360.requests.workflow import CREATE_ROLES

ITEMS = [NavItem(_("Inbound"), "intake:queue", roles=frozenset(CREATE_ROLES), order=20)]
