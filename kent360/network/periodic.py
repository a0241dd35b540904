from kent360.core.scheduling import periodic
from kent360.network.tasks import sweep_dispatches


@periodic("network.dispatch_sweep", every_seconds=60)
def enqueue_sweep() -> object:
    return sweep_dispatches.enqueue()
