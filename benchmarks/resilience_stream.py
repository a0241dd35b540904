"""Long resilience run: a stream of intake messages (API, e-mail, Open311) while the web
server, the worker and the SMTP listener are killed with SIGKILL and PostgreSQL restarts.

Prints: messages sent, received (requests), lost, duplicated, notifications sent,
duplicate mails, restarts, wall time. Needs root-free local PostgreSQL admin access
(postgres@127.0.0.1) and permission to run pg_ctlcluster.

Run:   /work/main/.venv/bin/python benchmarks/resilience_stream.py --messages 100000 --workers 3
Fast:  /work/main/.venv/bin/python benchmarks/resilience_stream.py --messages 600

After the stream the script waits until every item is a request and every mail is sent,
for at most --drain-seconds; "lost" counts what had not arrived by then.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.resilience.harness import Fault, run_stream  # noqa: E402


def faults_for(kills: int, pg_restarts: int, workers: int = 1) -> list[Fault]:
    """Spread kills of web, a worker (each in turn) and SMTP listener, and PostgreSQL
    restarts, over 5–90 % of the stream."""
    names = ["worker"] + [f"worker{n + 1}" for n in range(1, workers)]
    kinds = ["kill:web", "kill:worker", "kill:smtp"]
    plan = [kinds[i % 3] for i in range(kills)]
    plan = [
        f"kill:{names[(i // 3) % len(names)]}" if kind == "kill:worker" else kind
        for i, kind in enumerate(plan)
    ] + ["postgres"] * pg_restarts
    plan.sort(key=lambda k: k == "postgres")
    order = plan[::2] + plan[1::2]  # interleave kills and restarts
    step = 0.85 / max(len(order), 1)
    return [Fault(0.05 + step * i, kind) for i, kind in enumerate(order)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--kills", type=int, default=9, help="SIGKILLs (web/worker/smtp in turn)")
    parser.add_argument("--pg-restarts", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--workers", type=int, default=1, help="worker processes")
    parser.add_argument(
        "--drain-seconds", type=float, default=3600, help="longest wait for the backlog"
    )
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    faults = faults_for(args.kills, args.pg_restarts, args.workers)
    started = time.monotonic()
    figures, outcomes, log = run_stream(
        args.pg_url,
        messages=args.messages,
        faults=faults,
        threads=args.threads,
        drain_seconds=args.drain_seconds,
        workers=args.workers,
        progress=lambda line: print(f"[{time.monotonic() - started:7.0f}s] {line}", flush=True),
    )
    print("\n".join(log[:40]))
    print(figures.lines())
    for line in outcomes.unexpected[:20]:
        print("unexpected:", line)
    print("RESULT:", "OK" if figures.ok() and not outcomes.unexpected else "FAILED")
    sys.exit(0 if figures.ok() else 1)


if __name__ == "__main__":
    main()
