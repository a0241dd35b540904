from __future__ import annotations

from django_tasks import task

from kent360.network import services


@task()
def send_crisis_message(message_id: int) -> int:
    return services.crisis_message_send(message_id=message_id)


@task()
def sweep_dispatches() -> int:
    """Due crisis dispatches, and SMS replies stored but not yet handled."""
    from kent360.network.alerts import sms_reply_sweep

    return services.dispatch_sweep() + sms_reply_sweep()
