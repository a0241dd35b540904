from django.utils.translation import gettext_lazy as _

from kent360.core.registry import NavItem
from kent360.reports.selectors import REPORT_ROLES

ITEMS = [
    NavItem(_("Reports"), "reports:dashboard", roles=REPORT_ROLES, order=50),
    NavItem(_("Map"), "reports:map", roles=REPORT_ROLES, order=51),
]
