"""Memory of the streaming CSV export: RSS every 100,000 rows of a 1M-row export.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/k360_bench \\
        python benchmarks/export_memory.py [--rows 1000000]

Iterates kent360.reports.exports.csv_stream (the generator behind the streamed CSV
response) over the first N requests of the demo district and prints the current RSS
(from /proc) and ru_maxrss every 100,000 rows: flat figures mean constant memory.
"""

from __future__ import annotations

import argparse
import os
import resource
import time

from _common import machine, setup_django


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 1024 / 1024


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    setup_django()
    from kent360.organizations.models import Organisation
    from kent360.reports import exports
    from kent360.requests.models import Request

    print(machine())
    org = Organisation.objects.get(slug="bornova")
    ids = Request.objects.filter(organisation=org).order_by("id").values_list("id", flat=True)
    upto = ids[args.rows - 1 : args.rows].first() or 10**12
    pieces = exports.csv_stream(Request.objects.filter(organisation=org, id__lte=upto))
    print(f"before: RSS {rss_mb():.1f} MB, ru_maxrss {max_rss_mb():.1f} MB")
    print(f"{'rows':>10} {'RSS MB':>8} {'maxRSS MB':>10} {'rows/s':>8}")
    rows = size = 0
    mark = 100_000
    t0 = time.perf_counter()
    for piece in pieces:
        rows += piece.count("\n")
        size += len(piece)
        if rows >= mark:
            took = time.perf_counter() - t0
            print(f"{rows:>10,} {rss_mb():>8.1f} {max_rss_mb():>10.1f} {rows / took:>8,.0f}")
            mark += 100_000
    took = time.perf_counter() - t0
    print(
        f"done: {rows - 1:,} data rows, {size / 1e6:.0f} MB of CSV in {took:.1f} s; "
        f"RSS {rss_mb():.1f} MB, ru_maxrss {max_rss_mb():.1f} MB; "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )


if __name__ == "__main__":
    main()
