from kent360.core.scheduling import periodic
from kent360.routing.tasks import retrain_all, sweep_escalations


@periodic("routing.escalations", every_seconds=300)
def enqueue_escalations() -> object:
    return sweep_escalations.enqueue()


@periodic("routing.retrain", every_seconds=7 * 24 * 3600)
def enqueue_retrain() -> object:
    return retrain_all.enqueue()
