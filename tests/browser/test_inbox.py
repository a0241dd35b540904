"""The inbox in a real browser: the search box and the filter selects narrow the list
in place (HTMX), in Turkish and Persian."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from kent360.organizations.models import Role
from tests.browser.test_request_flow import set_language, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("lang", ["tr", "fa"])
def test_search_and_filters_narrow_the_list_in_place(page, live_server, world, make_request, lang):
    make_request(subject="Konteyner", text="Çöp konteyneri kırık, kapağı yok.", channel="phone")
    make_request(subject="Kaldırım", text="Kaldırım taşı kırık.", channel="desk")
    make_request(subject="پیاده‌رو", text="پياده رو خراب است و كسي درست نكرده.", channel="web")
    user = world.staff[Role.PR_MANAGER].user
    sign_in(page, live_server.url, user.username)
    if lang != "tr":
        set_language(page, lang)
    page.goto(f"{live_server.url}/requests/?state=")
    table = page.locator("#inbox-table")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(3)

    with page.expect_response(re.compile(r"/requests/\?.*q=")):
        # typed key by key (the search follows keyup): words apart, other case and letters
        page.locator("#id_q").press_sequentially("KIRIK çöp")
    expect(rows).to_have_count(1)
    assert "Konteyner" in table.inner_text()

    page.fill("#id_q", "x")
    page.press("#id_q", "Backspace")
    expect(rows).to_have_count(3)
    with page.expect_response(re.compile(r"/requests/\?.*channel=web")):
        page.select_option("select[name=channel]", "web")
    expect(rows).to_have_count(1)
    assert "پیاده‌رو" in table.inner_text()
    count = page.locator("#inbox-count").inner_text()
    assert ("۱" in count) if lang == "fa" else ("1" in count)
    # the pushed address keeps the choice across a reload
    page.reload()
    assert page.locator("select[name=channel]").input_value() == "web"
    expect(rows).to_have_count(1)
