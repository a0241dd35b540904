from django.utils.translation import gettext_lazy as _

from kent360.core.registry import NavItem
from kent360.press.permissions import PRESS_ROLES

ITEMS = [
    NavItem(_("Press releases"), "press:releases", roles=PRESS_ROLES, order=40),
    NavItem(_("Media contacts"), "press:contacts", roles=PRESS_ROLES, order=41),
    NavItem(_("Press calendar"), "press:calendar", roles=PRESS_ROLES, order=42),
]
