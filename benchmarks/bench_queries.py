"""Read-side figures at scale: staff inbox pages, the Open311 90-day query, the KPI
dashboard and a constant-memory CSV export, against the database in DATABASE_URL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/k360_bench \
        python benchmarks/bench_queries.py [--runs 40] [--export-rows 0]

Pages are fetched through Django's test client as the demo PR manager ("pr"), so the
figures include the view, the templates and every query the page makes.
"""

from __future__ import annotations

import argparse
import html
import os
import resource
import time
from datetime import timedelta

from _common import machine, percentile, setup_django, summary


def timed(fn, runs: int) -> list[float]:  # type: ignore[no-untyped-def]
    fn()  # warm caches once
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def load() -> str:
    return "  load " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 1024 / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument(
        "--export-rows", type=int, default=0, help="also time a CSV export (export_memory.py)"
    )
    parser.add_argument(
        "--only",
        choices=["all", "inbox", "dashboard"],
        default="all",
        help="time only the inbox pages and Open311 query, or only the dashboard",
    )
    args = parser.parse_args()
    setup_django()
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from kent360.organizations.models import Category, Directorate, Organisation, Staff
    from kent360.reports import exports
    from kent360.requests.models import OPEN_STATES, Request

    setup_test_environment()
    from django.conf import settings

    print(machine() + f", DEBUG={settings.DEBUG} (templates parsed per request when True)")
    org = Organisation.objects.get(slug="bornova")
    total = Request.objects.filter(organisation=org).count()
    print(f"bornova requests: {total:,}")
    pr = Staff.objects.get(user__username="pr")
    client = Client()
    client.force_login(pr.user)
    fen = Directorate.objects.get(organisation=org, code="fen-isleri")
    cat = Category.objects.get(organisation=org, code="cop-toplama")

    def page(url: str):  # type: ignore[no-untyped-def]
        def go() -> None:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return go

    next_link = search_next = ""
    if args.only != "dashboard":
        first = client.get("/requests/?state=").content.decode()
        next_link = html.unescape(first.split('rel="next" href="')[1].split('"')[0])
        found = client.get("/requests/?state=&q=çöp+konteyner").content.decode()
        search_next = html.unescape(found.split('rel="next" href="')[1].split('"')[0])
    code = (
        Request.objects.filter(organisation=org)
        .order_by("-id")
        .values_list("tracking_code", flat=True)[5000]
    )
    pages = {
        "inbox first page (open, newest)": "/requests/",
        "inbox: all states, next page (cursor)": f"/requests/{next_link}",
        "inbox: channel=phone": "/requests/?channel=phone",
        f"inbox: directorate={fen.code}": f"/requests/?directorate={fen.pk}",
        f"inbox: category={cat.code}, all states": f"/requests/?state=&category={cat.pk}",
        "inbox: state=closed": "/requests/?state=closed",
        "inbox: neighbourhood=Erzene": "/requests/?neighbourhood=Erzene",
        "inbox: overdue": "/requests/?overdue=on",
        "inbox: open, due soonest": "/requests/?state=open&sort=due",
        "inbox: search 'çöp konteyner', all states": "/requests/?state=&q=çöp+konteyner",
        "inbox: search 'çöp konteyner', next page": f"/requests/{search_next}",
        # two words that never stand side by side, each in a tenth of the requests
        "inbox: search 'kırık çöp' (words apart)": "/requests/?state=&q=kırık+çöp",
        # in one request in ~100: found partly near the top, partly through the index
        "inbox: search 'ankara caddesi 12 numara'": "/requests/?state=&q=ankara+caddesi+12+numara",
        "inbox: search a word no request has": "/requests/?state=&q=konteynır+bozuk",
        "inbox: search a tracking code": f"/requests/?state=&q={code}",
    }
    if args.only == "dashboard":
        pages = {}
    for name, url in pages.items():
        print(summary(name, timed(page(url), args.runs)) + load())

    since = timezone.now() - timedelta(days=90)

    def open311() -> None:
        list(
            Request.objects.filter(
                organisation=org,
                category__code="cop-toplama",
                state__in=OPEN_STATES,
                created_at__gte=since,
            )
            .order_by("created_at")
            .values_list("tracking_code", "state", "created_at", "latitude", "longitude")[:1000]
        )

    def open311_closed() -> None:
        list(
            Request.objects.filter(
                organisation=org,
                category__code="cop-toplama",
                state__in=["answered", "closed"],
                created_at__gte=since,
            )
            .order_by("created_at")
            .values_list("tracking_code", "state", "created_at", "latitude", "longitude")[:1000]
        )

    if args.only != "dashboard":
        print(summary("Open311 90-day query (status=open)", timed(open311, args.runs)) + load())
        print(
            summary("Open311 90-day query (status=closed)", timed(open311_closed, args.runs))
            + load()
        )
    if args.only == "inbox":
        return
    today = timezone.localdate()
    for label, days in (("30 days", 30), ("365 days", 365), ("5 years", 5 * 365)):
        url = f"/reports/?date_from={today - timedelta(days=days - 1)}&date_to={today}"
        runs = max(10, args.runs // 2)
        print(summary(f"KPI dashboard ({label})", timed(page(url), runs)) + load())
    url = f"/reports/?date_from={today - timedelta(days=29)}&date_to={today}&directorate={fen.pk}"
    print(
        summary("KPI dashboard (30 days, directorate)", timed(page(url), args.runs // 2)) + load()
    )
    url = f"/reports/?date_from={today - timedelta(days=5 * 365 - 1)}&date_to={today}&channel=phone"
    print(summary("KPI dashboard (5 years, channel)", timed(page(url), args.runs // 2)) + load())
    if not args.export_rows:
        return

    first_ids = Request.objects.filter(organisation=org).order_by("id").values_list("id", flat=True)
    upto = first_ids[args.export_rows - 1 : args.export_rows].first() or 10**12
    qs = Request.objects.filter(organisation=org, id__lte=upto)
    before = rss_mb()
    peak = before
    rows = 0
    size = 0
    t0 = time.perf_counter()
    for piece in exports.csv_stream(qs):
        rows += 1
        size += len(piece)
        if rows % 50_000 == 0:
            peak = max(peak, rss_mb())
    took = time.perf_counter() - t0
    print(
        f"CSV export: {rows - 1:,} rows, {size / 1e6:.0f} MB in {took:.1f} s "
        f"({(rows - 1) / took:,.0f} rows/s); RSS {before:.0f} MB → peak {peak:.0f} MB"
    )
    _ = percentile


if __name__ == "__main__":
    main()
