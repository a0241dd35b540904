"""Shared helpers of the benchmark scripts: Django set-up, machine description, figures."""

from __future__ import annotations

import os
import platform
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(database_url: str | None = None) -> None:
    sys.path.insert(0, str(ROOT))
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kent360.settings")
    import django

    django.setup()


def machine() -> str:
    cores = os.cpu_count()
    with open("/proc/meminfo") as fh:
        mem_kb = int(fh.readline().split()[1])
    db = "?"
    try:
        from django.db import connection

        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                cur.execute("SHOW server_version")
                db = "PostgreSQL " + cur.fetchone()[0]
            else:
                db = connection.vendor
    except Exception as exc:  # the description is best effort
        db = f"unknown database ({exc.__class__.__name__})"
    return (
        f"machine: {cores} cores, {mem_kb / 1024 / 1024:.1f} GiB RAM, "
        f"{platform.python_implementation()} {platform.python_version()}, {db}"
    )


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, round(p * (len(ordered) - 1))))
    return ordered[k]


def summary(name: str, ms: list[float]) -> str:
    return (
        f"{name:<40} n={len(ms):>4}  p50={percentile(ms, 0.5):7.1f} ms  "
        f"p95={percentile(ms, 0.95):7.1f} ms  max={max(ms):7.1f} ms  "
        f"mean={statistics.mean(ms):7.1f} ms"
    )
