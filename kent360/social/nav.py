from django.utils.translation import gettext_lazy as _

from kent360.core.registry import NavItem
from kent360.press.permissions import PRESS_ROLES

ITEMS = [NavItem(_("Social media"), "social:queue", roles=PRESS_ROLES, order=45)]
