from kent360.core.scheduling import periodic
from kent360.ops.tasks import apply_retention


@periodic("ops.retention", every_seconds=24 * 60 * 60)
def enqueue_retention() -> object:
    return apply_retention.enqueue()
