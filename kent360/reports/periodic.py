from kent360.core.scheduling import periodic
from kent360.reports.tasks import refresh_rollups, send_report_subscriptions


@periodic("reports.rollups", every_seconds=120)
def enqueue_rollups() -> object:
    return refresh_rollups.enqueue()


@periodic("reports.subscriptions", every_seconds=3600)
def enqueue_subscriptions() -> object:
    return send_report_subscriptions.enqueue()
