from __future__ import annotations

from django_tasks import task

from kent360.press import distribution, services


@task(queue_name="notifications")
def send_distribution(distribution_id: int) -> int:
    return distribution.distribution_send(distribution_id=distribution_id)


@task(queue_name="notifications")
def sweep_distributions() -> int:
    return distribution.distribution_sweep()


@task()
def publish_due_releases() -> int:
    return services.release_publish_due()
