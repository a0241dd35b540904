from kent360.core.scheduling import periodic
from kent360.notifications.tasks import sweep_notifications


@periodic("notifications.sweep", every_seconds=60)
def enqueue_sweep() -> object:
    return sweep_notifications.enqueue()
