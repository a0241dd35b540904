"""Prometheus metrics (text exposition format) for ``/metrics``.

HTTP metrics are counted in the web process as requests are served. Under gunicorn with
several workers set ``PROMETHEUS_MULTIPROC_DIR`` to an empty directory (see
docs/deploy.md) so every worker's counts are summed in one scrape. Queue depth, task
failures and SLA figures are read from the database at scrape time with a handful of
aggregate queries.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

HTTP_REGISTRY = CollectorRegistry(auto_describe=True)

REQUEST_LATENCY = Histogram(
    "kent360_http_request_duration_seconds",
    "Time to answer an HTTP request, by view name.",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=HTTP_REGISTRY,
)
RESPONSES = Counter(
    "kent360_http_responses",
    "HTTP responses by status class (2xx, 3xx, 4xx, 5xx).",
    ["status_class"],
    registry=HTTP_REGISTRY,
)


def observe_request(view: str, status: int, seconds: float) -> None:
    REQUEST_LATENCY.labels(view=view).observe(seconds)
    RESPONSES.labels(status_class=f"{status // 100}xx").inc()


class DatabaseCollector(Collector):
    """Figures read from the database when Prometheus scrapes."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield from self._tasks()
        yield from self._sla()

    def _tasks(self) -> Iterator[GaugeMetricFamily]:
        from django_tasks_db.models import DBTaskResult

        depth = GaugeMetricFamily(
            "kent360_task_queue_depth",
            "Background tasks by status (READY tasks wait for a worker).",
            labels=["queue", "status"],
        )
        failed = GaugeMetricFamily(
            "kent360_task_failures", "Background tasks that ended in failure.", labels=["queue"]
        )
        rows = DBTaskResult.objects.values("queue_name", "status").annotate(n=Count("id"))
        for row in rows:
            if row["status"] == "FAILED":
                failed.add_metric([row["queue_name"]], row["n"])
            else:
                depth.add_metric([row["queue_name"], row["status"]], row["n"])
        yield depth
        yield failed

    def _sla(self) -> Iterator[GaugeMetricFamily]:
        from kent360.organizations.models import Organisation
        from kent360.requests.models import OPEN_STATES

        now = timezone.now()
        soon = now + timedelta(hours=settings.KENT360_SLA_AT_RISK_HOURS)
        open_q = Q(requests__state__in=OPEN_STATES)
        orgs = Organisation.objects.annotate(
            overdue=Count("requests", filter=open_q & Q(requests__due_at__lt=now)),
            at_risk=Count(
                "requests",
                filter=open_q & Q(requests__due_at__gte=now, requests__due_at__lt=soon),
            ),
        ).values_list("slug", "overdue", "at_risk")
        overdue = GaugeMetricFamily(
            "kent360_sla_overdue_requests",
            "Open requests past their answer deadline.",
            labels=["organisation"],
        )
        at_risk = GaugeMetricFamily(
            "kent360_sla_at_risk_requests",
            "Open requests due within KENT360_SLA_AT_RISK_HOURS.",
            labels=["organisation"],
        )
        for slug, n_overdue, n_at_risk in orgs:
            overdue.add_metric([slug], n_overdue)
            at_risk.add_metric([slug], n_at_risk)
        yield overdue
        yield at_risk


def exposition() -> bytes:
    """The whole scrape: HTTP metrics (summed over processes if multiprocess) + database."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        http = CollectorRegistry()
        multiprocess.MultiProcessCollector(http)
    else:
        http = HTTP_REGISTRY
    db = CollectorRegistry()
    db.register(DatabaseCollector())
    return generate_latest(http) + generate_latest(db)
