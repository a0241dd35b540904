"""EXPLAIN ANALYZE of every statement the inbox runs for each filter the benchmark times
(page 1 and the next page, with their capped counts), as the demo PR manager, against
DATABASE_URL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/k360_bench \\
        python benchmarks/explain_inbox.py [--brief]

--brief prints only each plan's top node, the indexes used and the execution time.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from _common import machine, setup_django

FILTERS = {
    "open, newest": {"state": "open"},
    "all states, newest": {"state": ""},
    "channel=phone": {"state": "open", "channel": "phone"},
    "directorate": {"state": "open", "directorate": "fen-isleri"},
    "category, all states": {"state": "", "category": "cop-toplama"},
    "state=closed": {"state": "closed"},
    "neighbourhood": {"state": "open", "neighbourhood": "Erzene"},
    "overdue": {"state": "open", "overdue": True},
    "open, due soonest": {"state": "open", "sort": "due"},
    "search 'çöp', all states": {"state": "", "q": "çöp konteyner"},
    "search 'kırık çöp'": {"state": "", "q": "kırık çöp"},
    "search 'ankara caddesi 12 numara'": {"state": "", "q": "ankara caddesi 12 numara"},
    "search a word no request has": {"state": "", "q": "konteynır bozuk"},
    "search tracking code": {"state": "", "q": "__CODE__"},
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--brief", action="store_true")
    args = parser.parse_args()
    setup_django()
    from kent360.organizations.models import Category, Directorate, Staff
    from kent360.requests import selectors
    from kent360.requests.models import Request

    print(machine())
    pr = Staff.objects.get(user__username="pr")
    org = pr.organisation
    code = (
        Request.objects.filter(organisation=org)
        .order_by("-id")
        .values_list("tracking_code", flat=True)[5000]
    )
    for name, spec in FILTERS.items():
        spec = dict(spec)
        if "directorate" in spec:
            spec["directorate"] = Directorate.objects.get(
                organisation=org, code=spec["directorate"]
            ).pk
        if "category" in spec:
            spec["category"] = Category.objects.get(organisation=org, code=spec["category"]).pk
        if spec.get("q") == "__CODE__":
            spec["q"] = code
        filters = selectors.InboxFilters(**spec)
        with captured() as page1:
            page = selectors.request_inbox_page(staff=pr, filters=filters, cursor=None)
        plans = {"page 1": page1}
        if page.next_cursor:
            with captured() as page2:
                selectors.request_inbox_page(staff=pr, filters=filters, cursor=page.next_cursor)
            plans["next page"] = page2
        print(f"\n=== {name} ({page.count}{'+' if page.count_capped else ''} rows)")
        for label, queries in plans.items():
            for n, (sql, params) in enumerate(queries, 1):
                plan = explain(sql, params)
                if args.brief:
                    print(f"  {label:<10} q{n} {brief(plan)}")
                else:
                    print(f"--- {label}, query {n}\n{sql}\n{params}\n{plan}")


@contextmanager
def captured() -> Iterator[list[tuple[str, list[Any]]]]:
    """Every SQL statement (with its parameters) run inside the block, in order."""
    from django.db import connection

    seen: list[tuple[str, list[Any]]] = []

    def keep(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        seen.append((sql, list(params or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        yield seen


def explain(sql: str, params: list[Any]) -> str:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        return "\n".join(r[0] for r in cur.fetchall())


def brief(plan: str) -> str:
    """The plan's top node, the indexes it used and its execution time, on one line."""
    lines = plan.splitlines()
    used = re.findall(
        r"(?:Index|Index Only|Bitmap Index) Scan(?: Backward)? using (\w+)|on (\w+_idx)", plan
    )
    idx = sorted({a or b for a, b in used})
    took = next((ln for ln in lines if "Execution Time" in ln), "").strip()
    top = lines[0].split("(")[0].strip()
    return f"{top:<12} {', '.join(idx) or 'no index'}  {took}"


if __name__ == "__main__":
    main()
