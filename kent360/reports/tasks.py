from __future__ import annotations

from django_tasks import task

from kent360.reports import rollups, services


@task(queue_name="reports")
def refresh_rollups() -> int:
    return rollups.rollup_refresh()


@task(queue_name="reports")
def send_report_subscriptions() -> list[int]:
    return services.subscription_send_due()


@task(queue_name="reports")
def run_export(job_id: int) -> int:
    return services.export_job_run(job_id=job_id).done
