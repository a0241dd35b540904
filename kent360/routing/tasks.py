from __future__ import annotations

from django_tasks import task

from kent360.organizations.models import Organisation
from kent360.routing import escalation, services


@task(queue_name="default")
def sweep_escalations() -> int:
    return escalation.escalation_sweep()


@task(queue_name="default")
def retrain_all() -> int:
    """Weekly retraining of every active organisation; returns how many got a new model."""
    accepted = 0
    for organisation in Organisation.objects.filter(is_active=True):
        result = services.routing_train(organisation=organisation, note="weekly")
        accepted += int(result.accepted)
    return accepted
