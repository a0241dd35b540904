"""Several schedulers fire each job once per slot; intervals can be tuned per job."""

import pytest
from django.utils import timezone

from kent360.core import scheduling
from kent360.core.models import PeriodicRun

pytestmark = pytest.mark.django_db


def test_interval_overrides_are_parsed_leniently():
    assert scheduling.interval_overrides("intake.sweep=5, notifications.sweep=10,bad,x=0") == {
        "intake.sweep": 5,
        "notifications.sweep": 10,
    }


def test_overridden_interval_sets_the_slot(settings):
    settings.KENT360_PERIODIC_INTERVALS = "notifications.sweep=7"
    job = next(j for j in scheduling.jobs() if j.name == "notifications.sweep")
    assert job.every_seconds == 7
    now = timezone.now()
    assert scheduling.slot_for(job, now) == str(int(now.timestamp()) // 7)


def test_a_second_scheduler_in_the_same_slot_fires_nothing(world):
    now = timezone.now()
    first = scheduling.run_due(now)
    assert "notifications.sweep" in first
    assert scheduling.run_due(now) == []
    assert PeriodicRun.objects.filter(job="notifications.sweep").count() == 1
