from __future__ import annotations

from django_tasks import task

from kent360.notifications import services


@task(queue_name="notifications")
def deliver_notification(notification_id: int) -> None:
    services.notification_deliver(notification_id=notification_id)


@task(queue_name="notifications")
def sweep_notifications() -> int:
    return services.notification_sweep()
