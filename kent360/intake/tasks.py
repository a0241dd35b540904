"""Background work of the intake: each task takes ids and calls a service."""

from __future__ import annotations

from django_tasks import task

from kent360.intake import services


@task(queue_name="intake")
def process_inbound(*, message_id: int) -> str:
    return services.inbound_process(message_id=message_id).status


@task(queue_name="intake")
def fetch_media(*, message_id: int) -> str:
    message = services.inbound_fetch_media(message_id=message_id)
    return str((message.parsed or {}).get("media", {}).get("status", ""))


@task(queue_name="intake")
def sweep_inbound() -> int:
    return services.inbound_sweep()


@task(queue_name="intake")
def poll_imap() -> int:
    from kent360.intake.mail import ImapConfig, imap_poll

    config = ImapConfig.from_settings()
    return len(imap_poll(config)) if config else 0


@task(queue_name="intake")
def poll_social() -> int:
    from kent360.intake.social.services import social_poll_all

    return social_poll_all()


@task(queue_name="intake")
def notify_followers() -> int:
    from kent360.intake.followers import followers_notify

    return followers_notify()
