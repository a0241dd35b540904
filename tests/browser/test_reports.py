"""Reports in a real browser, in Persian: the map's clusters, controls and empty state,
and the dashboard's charts (canvas drawn, Jalali labels), with no request leaving the
server."""

from __future__ import annotations

import pytest

from kent360.organizations.models import Role
from kent360.reports import rollups
from tests.browser.test_request_flow import set_language, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PERSIAN_DIGITS = set("۰۱۲۳۴۵۶۷۸۹")


def test_map_and_dashboard_in_persian(page, live_server, world, make_request):
    for _ in range(12):  # one spot: always one cluster, whatever the zoom
        make_request(latitude=38.4612, longitude=27.2201, neighbourhood="Erzene")
    rollups.rollup_refresh()  # the scheduler's sweep, run now
    base = live_server.url
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url))
    sign_in(page, base, world.staff[Role.PR_MANAGER].user.username)
    set_language(page, "fa")

    page.goto(f"{base}/reports/map/")
    page.wait_for_selector("#map[data-ready='1']")
    assert page.locator(".marker-cluster span").first.inner_text() == "۱۲"
    assert page.locator(".leaflet-control-zoom-in").get_attribute("title") == "بزرگ‌نمایی"
    assert page.locator("#map-empty").count() == 0
    hood = page.locator("#hood-table tbody tr").first.inner_text()
    assert "Erzene" in hood and "۱۲" in hood

    page.goto(f"{base}/reports/")
    page.wait_for_function("document.querySelectorAll('canvas[data-chart]').length > 0")
    drawn = page.evaluate(
        """() => [...document.querySelectorAll('canvas[data-chart]')].map(c => {
             const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
             return d.some(v => v !== 0);
           })"""
    )
    assert drawn and all(drawn)
    labels = page.evaluate("JSON.parse(document.getElementById('chart-data').textContent)")
    assert all(set(label) & PERSIAN_DIGITS for label in labels["series"]["labels"])
    assert page.locator('[data-kpi="created"]').inner_text() == "۱۲"
    assert not any(url.endswith("/favicon.ico") for url in seen)  # the page names its icon
    assert all(url.startswith(base) or url.startswith("data:") for url in seen), [
        url for url in seen if not url.startswith(base)
    ]


def test_a_map_without_data_says_so(page, live_server, world):
    base = live_server.url
    sign_in(page, base, world.other_staff[Role.PR_MANAGER].user.username)
    page.goto(f"{base}/reports/map/")
    page.wait_for_selector("#map[data-ready='1']")
    assert page.locator("#map-empty").is_visible()
    assert page.locator(".marker-cluster").count() == 0
