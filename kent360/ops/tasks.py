from __future__ import annotations

from django_tasks import task

from kent360.ops import services


@task()
def apply_retention() -> int:
    """Anonymise what each organisation's retention policy says is due; idempotent."""
    from kent360.organizations.models import Organisation

    total = 0
    for organisation in Organisation.objects.filter(retention_policy__is_active=True):
        total += services.retention_apply(organisation=organisation)
    return total
