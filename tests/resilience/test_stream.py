"""Kill -9 the web server, the worker and the SMTP listener, restart PostgreSQL, all in
the middle of a stream of intake messages: every message becomes exactly one request,
nothing is half-written, and every notification reaches the citizen once (by Message-ID).
"""

import pytest

from tests.resilience.harness import Fault, run_stream

pytestmark = pytest.mark.resilience


def test_stream_survives_kills_and_a_postgres_restart(pg_admin_url):
    figures, outcomes, log = run_stream(
        pg_admin_url,
        messages=600,
        faults=[
            Fault(0.15, "kill:web"),
            Fault(0.35, "kill:worker"),
            Fault(0.5, "kill:smtp"),
            Fault(0.65, "postgres"),
        ],
        drain_seconds=90,
    )
    report = figures.lines() + "\n" + "\n".join(log)
    assert outcomes.unexpected == [], report
    assert figures.requests == figures.sent == 600, report
    assert figures.lost == 0 and figures.duplicated == 0, report
    assert figures.half_written == 0 and figures.inbound_not_done == 0, report
    assert figures.notifications == 600 and figures.notifications_missing == 0, report
    assert figures.notifications_not_sent == 0 and figures.notifications_without_mail == 0, report
    # Exactly once as the citizen sees it: one distinct Message-ID per notification.
    assert figures.mails_unique == figures.notifications, report
    assert figures.extra["kills"] == 3 and figures.extra["postgres_restarts"] == 1, report
    # The restart was seen by clients as retryable refusals, not as failures.
    assert sum(figures.extra["client_retryable"].values()) > 0, report
