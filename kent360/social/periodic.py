from kent360.core.scheduling import periodic
from kent360.social.tasks import sweep_social


@periodic("social.sweep", every_seconds=60)
def enqueue_sweep() -> object:
    return sweep_social.enqueue()
