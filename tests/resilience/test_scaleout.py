"""Scale-out: two web hosts, three worker hosts and two scheduler hosts (network
namespaces joined by veth pairs when this runs as root, else separate processes) share
one PostgreSQL: no task runs twice, no sweep slot fires twice, nothing is sent twice."""

import pytest

from tests.resilience.harness import netns_available, run_scaleout

pytestmark = pytest.mark.resilience


def test_two_webs_three_workers_two_schedulers_do_everything_once(pg_admin_url):
    figures, outcomes, checks = run_scaleout(
        pg_admin_url, messages=240, min_seconds=20, use_netns=netns_available()
    )
    report = figures.lines()
    assert outcomes.unexpected == [], report
    assert figures.ok(), report
    assert figures.requests == 240 and figures.notifications == 240, report
    # Without crashes "once" is strict: no second delivery at all, not just a same-ID one.
    assert figures.duplicate_mails == 0 and figures.mails_received == 240, report
    assert checks["tasks_claimed_twice"] == 0 and checks["tasks_failed"] == 0, report
    assert checks["inbound_processed_twice"] == 0, report
    assert checks["notifications_sent_twice"] == 0, report
    assert checks["workers_that_ran_tasks"] == 3, report
    # Two schedulers, one enqueue per slot: as many sweeps as claimed slots, and some.
    assert checks["periodic_slots_claimed_twice"] == 0, report
    assert checks["notification_sweep_slots"] >= 5, report
    assert checks["notification_sweeps_enqueued"] == checks["notification_sweep_slots"], report
    assert checks["intake_sweeps_enqueued"] == checks["intake_sweep_slots"], report
