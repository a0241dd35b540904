"""The public web form in real Chromium: "use my location" fills the position, the citizen
gets a tracking code."""

import os

import pytest

from kent360.requests.models import Request

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_citizen_sends_the_form_with_their_location(world, live_server):
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        context = browser.new_context(
            geolocation={"latitude": 38.4581, "longitude": 27.2301},
            permissions=["geolocation"],
            locale="tr-TR",
        )
        page = context.new_page()
        page.goto(f"{live_server.url}/intake/report/bornova/")
        page.fill("#id_text", "Gençlik Caddesi'ndeki ağaç devrilmek üzere, İnönü parkının yanında.")
        page.click("#use-location")
        page.wait_for_function("document.getElementById('id_latitude').value !== ''")
        page.fill("#id_email", "vatandas@example.org")
        page.check("#id_consent")
        page.click("#report-send")
        code = page.text_content("#tracking-code", timeout=15000)
        browser.close()
    r = Request.objects.get()
    assert code == r.tracking_code
    assert abs(r.latitude - 38.4581) < 1e-5 and abs(r.longitude - 27.2301) < 1e-5
    assert r.channel == "web"
