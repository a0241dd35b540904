from kent360.core.scheduling import periodic
from kent360.press.tasks import publish_due_releases, sweep_distributions


@periodic("press.publish_due", every_seconds=60)
def enqueue_publish_due() -> object:
    return publish_due_releases.enqueue()


@periodic("press.distribution_sweep", every_seconds=120)
def enqueue_distribution_sweep() -> object:
    return sweep_distributions.enqueue()
