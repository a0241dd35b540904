"""Background jobs of media monitoring; each takes ids, calls a service and is idempotent."""

from __future__ import annotations

from django_tasks import task

from kent360.media import services


@task(queue_name="media")
def fetch_source(source_id: int) -> int:
    return services.source_fetch(source_id=source_id)


@task(queue_name="media")
def media_fetch_due_sources() -> list[int]:
    return services.media_fetch_due_sources()


@task(queue_name="media")
def evaluate_alerts(article_id: int) -> int:
    return len(services.alerts_evaluate(article_id=article_id))


@task(queue_name="media")
def media_send_due_digests() -> list[int]:
    return services.media_send_due_digests()


@task(queue_name="media")
def media_rebuttal_reminders() -> int:
    return len(services.rebuttal_reminders())
