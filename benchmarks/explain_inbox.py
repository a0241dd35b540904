"""EXPLAIN ANALYZE of every inbox filter the benchmark times: the page query, the next
page (keyset) and the capped count, as the demo PR manager, against DATABASE_URL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/k360_bench \\
        python benchmarks/explain_inbox.py [--brief]

--brief prints only each plan's top node, the indexes used and the execution time.
"""

from __future__ import annotations

import argparse
import re

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
    "search tracking code": {"state": "", "q": "__CODE__"},
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--brief", action="store_true")
    args = parser.parse_args()
    setup_django()
    from kent360.organizations.models import Category, Directorate, Staff
    from kent360.requests import pagination, selectors
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
        qs = selectors.request_list(staff=pr, filters=filters)
        page = selectors.request_inbox_page(staff=pr, filters=filters, cursor=None)
        field, desc = pagination.parse_sort(selectors.request_sort(filters))
        plans = {"page 1": qs[:26]}
        if page.next_cursor:
            _d, value, pk = pagination.decode_cursor(page.next_cursor)  # type: ignore[misc]
            nullable = Request._meta.get_field(field).null
            plans["next page"] = qs.filter(pagination.after(field, desc, value, pk, nullable))[:26]
        plans["capped count"] = qs.order_by()[: pagination.COUNT_CAP + 1]
        print(f"\n=== {name} ({page.count}{'+' if page.count_capped else ''} rows)")
        for label, query in plans.items():
            if label == "capped count":
                sql, params = query.values("id").query.sql_with_params()
                from django.db import connection

                with connection.cursor() as cur:
                    cur.execute(
                        f"EXPLAIN (ANALYZE, BUFFERS) SELECT COUNT(*) FROM ({sql}) s",  # noqa: S608
                        params,
                    )
                    plan = "\n".join(r[0] for r in cur.fetchall())
            else:
                plan = query.explain(analyze=True, buffers=True)
            if args.brief:
                lines = plan.splitlines()
                used = sorted(
                    set(
                        re.findall(
                            r"(?:Index|Index Only|Bitmap Index) Scan(?: Backward)? "
                            r"using (\w+)|on (\w+_idx)",
                            plan,
                        )
                    )
                )
                idx = sorted({a or b for a, b in used})
                took = next((ln for ln in lines if "Execution Time" in ln), "").strip()
                top = lines[0].split("(")[0].strip()
                print(f"  {label:<13} {top:<12} {', '.join(idx) or 'no index'}  {took}")
            else:
                print(f"--- {label}\n{plan}")


if __name__ == "__main__":
    main()
