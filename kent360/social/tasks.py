from __future__ import annotations

from django_tasks import task

from kent360.social import services


@task()
def publish_post(post_id: int) -> int:
    return services.post_publish(post_id=post_id)


@task()
def sweep_social() -> int:
    return services.social_sweep()
