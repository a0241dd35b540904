from django.utils.translation import gettext_lazy as _

from kent360.core.registry import NavItem
from kent360.press.permissions import PRESS_ROLES

ITEMS = [
    NavItem(_("Network"), "network:overview", roles=PRESS_ROLES, order=46),
    NavItem(_("Crisis room"), "network:crises", roles=PRESS_ROLES, order=47),
]
