"""Periodic jobs: a registry of (name, interval, task) and a sweep that enqueues due ones.

Timers in kent360 are sweeps over database state (SLA, notification retries, source
fetching). Each job fires at most once per time slot however many schedulers run: the
slot is claimed by inserting a PeriodicRun row under a unique constraint.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from kent360.core.models import PeriodicRun

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: int
    enqueue: Callable[[], object]


_JOBS: dict[str, Job] = {}


def periodic(
    name: str, every_seconds: int
) -> Callable[[Callable[[], object]], Callable[[], object]]:
    def register(func: Callable[[], object]) -> Callable[[], object]:
        _JOBS[name] = Job(name, every_seconds, func)
        return func

    return register


def jobs() -> list[Job]:
    """Registered jobs, with the intervals set in KENT360_PERIODIC_INTERVALS applied."""
    _load_job_modules()
    overrides = interval_overrides(getattr(settings, "KENT360_PERIODIC_INTERVALS", ""))
    return [
        replace(job, every_seconds=overrides.get(job.name, job.every_seconds))
        for job in _JOBS.values()
    ]


def interval_overrides(spec: str) -> dict[str, int]:
    """Parse "intake.sweep=5,notifications.sweep=10" into {name: seconds}."""
    out: dict[str, int] = {}
    for item in spec.split(","):
        name, sep, seconds = item.strip().partition("=")
        if sep and seconds.strip().isdigit() and int(seconds) > 0:
            out[name.strip()] = int(seconds)
    return out


def _load_job_modules() -> None:
    import importlib

    from django.apps import apps
    from django.utils.module_loading import module_has_submodule

    for config in apps.get_app_configs():
        if config.name.startswith("kent360.") and module_has_submodule(config.module, "periodic"):
            importlib.import_module(f"{config.name}.periodic")


def slot_for(job: Job, now: datetime) -> str:
    return str(int(now.timestamp()) // job.every_seconds)


def run_due(now: datetime | None = None) -> list[str]:
    """Enqueue every job whose current slot has not been claimed yet; returns their names."""
    now = now or timezone.now()
    fired = []
    for job in jobs():
        try:
            with transaction.atomic():
                PeriodicRun.objects.create(job=job.name, slot=slot_for(job, now))
                transaction.on_commit(job.enqueue)
        except IntegrityError:
            continue
        fired.append(job.name)
    return fired
