from django.utils.translation import gettext_lazy as _

from kent360.citizens.selectors import CITIZEN_ROLES
from kent360.core.registry import NavItem

ITEMS = [NavItem(_("Citizens"), "citizens:search", roles=frozenset(CITIZEN_ROLES), order=30)]
