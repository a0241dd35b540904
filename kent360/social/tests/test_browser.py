"""Real Chromium through Playwright: the social composer and the press calendar, in Turkish
and in Persian (right-to-left, Persian digits, Jalali dates)."""

from __future__ import annotations

import os
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from kent360.organizations.models import Role
from kent360.press import services as press_services
from kent360.social import services as social_services
from kent360.testing import PASSWORD

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists("/usr/bin/chromium"):
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        yield b
        b.close()


def _page(browser, live_server, staff, lang):
    context = browser.new_context()
    context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", staff.user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit], form input[type=submit]")
    page.wait_for_load_state()
    return page


def _accounts(world):
    admin = world.staff[Role.ORG_ADMIN]
    social_services.account_create(
        organisation=world.org,
        actor=admin,
        network="mastodon",
        name="Bornova",
        api_base="http://127.0.0.1:9",
        access_token="t",
    )
    social_services.account_create(
        organisation=world.org,
        actor=admin,
        network="x",
        name="Bornova X",
        api_base="http://127.0.0.1:9",
        access_token="t",
    )


@pytest.mark.parametrize("lang", ["tr", "fa"])
def test_composer_counts_per_network_and_previews(world, live_server, browser, lang):
    _accounts(world)
    page = _page(browser, live_server, world.staff[Role.PRESS_OFFICER], lang)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server.url}/social/compose/")
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "fa" else "ltr")
    text = "اطلاعیه شهرداری" if lang == "fa" else "Bornova'da konser"
    page.fill("#text", text)
    x_card = page.locator('.preview[data-network="x"]')
    m_card = page.locator('.preview[data-network="mastodon"]')
    assert x_card.locator(".preview-text").inner_text() == text
    n = str(len(text))
    expected = n.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")) if lang == "fa" else n
    assert x_card.locator(".count").inner_text().startswith(expected)
    assert x_card.get_attribute("data-over") == "false"
    page.fill("#text", "ç" * 300)
    assert x_card.get_attribute("data-over") == "true"
    assert m_card.get_attribute("data-over") == "false"
    # unticking the X account removes its preview
    page.locator('.account[data-network="x"]').uncheck()
    assert page.locator('.preview[data-network="x"]').count() == 0
    page.fill("#text", text)
    assert errors == []
    page.click("button[name=submit_for_approval]")
    page.wait_for_url("**/social/posts/*/")
    assert page.locator("#state-badge").get_attribute("data-state") == "in_review"


@pytest.mark.parametrize("lang", ["tr", "fa"])
def test_calendar_views(world, live_server, browser, lang):
    officer = world.staff[Role.PRESS_OFFICER]
    start = datetime(2026, 12, 10, 14, 0, tzinfo=ZoneInfo("Europe/Istanbul"))
    press_services.event_create(
        organisation=world.org,
        actor=officer,
        title="Kütüphane açılışı",
        kind="opening",
        starts_at=start,
    )
    page = _page(browser, live_server, officer, lang)
    page.goto(f"{live_server.url}/press/calendar/?view=month&date=2026-12-10")
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "fa" else "ltr")
    assert (
        page.locator("#calendar .calendar-event").filter(has_text="Kütüphane açılışı").count() == 1
    )
    title = page.locator("#calendar-title").inner_text()
    assert title == ("۱۹ آذر ۱۴۰۵" if lang == "fa" else "10.12.2026")
    page.locator("#calendar-views a").nth(4).click()  # week
    page.wait_for_url("**view=week**")
    assert page.locator("#calendar").get_attribute("data-view") == "week"
    assert page.locator(".calendar-event").count() == 1
    page.locator("#calendar-views a").nth(5).click()  # list
    page.wait_for_url("**view=list**")
    assert page.locator("#calendar li.calendar-event").inner_text().find("Kütüphane açılışı") >= 0
    # a new event through the form appears in the list
    page.goto(f"{live_server.url}/press/calendar/?view=list&date=2026-12-01")
    page.fill("#id_title", "Basın toplantısı")
    page.fill("#id_starts_at", "2026-12-12T11:00")
    page.click("#event-form button")
    page.wait_for_url("**/press/calendar/*/")
    page.goto(f"{live_server.url}/press/calendar/?view=list&date=2026-12-01")
    assert page.locator("li.calendar-event").count() == 2
