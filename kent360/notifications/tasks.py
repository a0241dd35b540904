from __future__ import annotations

from django_tasks import task

from kent360.notifications import services


@task(queue_name="notifications")
def deliver_notification(notification_id: int) -> None:
    services.notification_deliver(notification_id=notification_id)


@task(queue_name="notifications")
def sweep_notifications() -> int:
    return services.notification_sweep()


@task(queue_name="notifications")
def queue_follower_notifications(event_id: int) -> int:
    return services.notification_queue_followers_of_event(event_id=event_id)
