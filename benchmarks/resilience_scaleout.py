"""Scale-out run: 2 web hosts (gunicorn + SMTP intake), 3 worker hosts and 2 scheduler
hosts, each in its own network namespace (veth pairs; falls back to separate processes on
127.0.0.1 when namespaces cannot be made), against one PostgreSQL.

Prints: messages sent, received (requests), lost, duplicated, notifications sent,
duplicate mails, tasks claimed twice, items processed twice, sweep slots vs sweeps
enqueued, restarts, wall time.

Run:   /work/main/.venv/bin/python benchmarks/resilience_scaleout.py --messages 3000
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.resilience.harness import netns_available, run_scaleout  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--min-seconds", type=float, default=60)
    parser.add_argument("--threads", type=int, default=12)
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--no-netns", action="store_true")
    args = parser.parse_args()
    figures, outcomes, checks = run_scaleout(
        args.pg_url,
        messages=args.messages,
        min_seconds=args.min_seconds,
        use_netns=not args.no_netns and netns_available(),
        threads=args.threads,
        drain_seconds=600,
    )
    print(figures.lines())
    for line in outcomes.unexpected[:20]:
        print("unexpected:", line)
    once = (
        figures.ok()
        and figures.duplicate_mails == 0
        and checks["tasks_claimed_twice"] == 0
        and checks["inbound_processed_twice"] == 0
        and checks["periodic_slots_claimed_twice"] == 0
        and checks["notification_sweeps_enqueued"] == checks["notification_sweep_slots"]
    )
    print("RESULT:", "OK" if once and not outcomes.unexpected else "FAILED")
    sys.exit(0 if once else 1)


if __name__ == "__main__":
    main()
