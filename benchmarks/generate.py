"""Bulk-load N realistic requests (with their events) into PostgreSQL, then rollups.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/k360_bench \
        python benchmarks/generate.py --requests 1000000 [--fresh]

--fresh drops and recreates the database, migrates and loads the demo municipalities first.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from urllib.parse import urlparse

from _common import ROOT, machine, setup_django


def fresh_database(url: str) -> None:
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    subprocess.run(["psql", admin, "-qc", f'DROP DATABASE IF EXISTS "{name}"'], check=True)
    subprocess.run(["psql", admin, "-qc", f'CREATE DATABASE "{name}"'], check=True)
    env = {**os.environ, "DATABASE_URL": url}
    for cmd in (["migrate", "-v", "0"], ["demo", "--requests", "50"]):
        subprocess.run([sys.executable, str(ROOT / "manage.py"), *cmd], check=True, env=env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=0)
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--no-rollups", action="store_true", help="load rows only")
    parser.add_argument(
        "--rollups-only", action="store_true", help="rebuild every rollup table of the data there"
    )
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("set DATABASE_URL to a PostgreSQL database")
    t0 = time.monotonic()
    if args.fresh:
        fresh_database(url)
    setup_django()
    from kent360.reports.scale import generate

    print(machine())
    if args.rollups_only:
        from kent360.organizations.models import Organisation
        from kent360.reports.scale import rollups_rebuild_all

        r0 = time.monotonic()
        rollups_rebuild_all(Organisation.objects.get(slug="bornova"))
        print(f"rollups rebuilt in {time.monotonic() - r0:.1f} s")
        return
    figures = generate(n=args.requests, rollups=not args.no_rollups)
    print(f"generated {args.requests:,} requests: {figures} (wall {time.monotonic() - t0:.0f} s)")


if __name__ == "__main__":
    main()
