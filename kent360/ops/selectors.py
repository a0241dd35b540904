from __future__ import annotations

from django.db.models import Q, QuerySet

from kent360.core.models import ApiKey
from kent360.ops.models import PersonalDataAccess
from kent360.organizations.models import Staff


def api_keys_of(*, staff: Staff) -> QuerySet[ApiKey]:
    """The staff member's own keys in their organisation, newest first."""
    return ApiKey.objects.filter(user=staff.user, organisation=staff.organisation).order_by(
        "revoked_at", "-created_at"
    )


def access_log(*, staff: Staff, q: str = "") -> QuerySet[PersonalDataAccess]:
    """The organisation's personal-data access log; ``q`` matches staff or tracking code."""
    qs = PersonalDataAccess.objects.filter(organisation=staff.organisation).select_related(
        "request", "citizen"
    )
    q = q.strip()
    if q:
        qs = qs.filter(
            Q(staff_label__icontains=q) | Q(request__tracking_code__icontains=q) | Q(what=q)
        )
    return qs
