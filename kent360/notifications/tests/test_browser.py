"""The citizen's survey and reopen flow in real Chromium on the public tracking page."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from kent360.notifications.models import SurveyInvitation
from kent360.notifications.services import survey_invite
from kent360.organizations.models import Role
from kent360.requests import services as req_services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page() -> Iterator:
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = browser.new_page()
        try:
            yield page
        finally:
            browser.close()


def test_citizen_rates_and_reopens_from_the_tracking_page(world, make_request, live_server, page):
    pr = world.staff[Role.PR_MANAGER]
    r = make_request(notify=False, contact_email="")
    req_services.request_assign(request=r, actor=pr, directorate=world.fen)
    req_services.request_answer(request=r, actor=pr, answer="Çukur asfaltla kapatıldı.")
    token = survey_invite(request=r, event=r.events.filter(to_state="answered").first())

    page.goto(f"{live_server.url}/track/{r.tracking_code}/?t={token}")
    assert page.locator("#public-state").get_attribute("data-state") == "answered"
    page.locator("label[for=rating-4]").click()
    page.fill("#survey-form textarea[name=comment]", "Hızlı döndünüz, teşekkürler")
    page.click("#survey-submit")
    page.wait_for_selector("#survey-done")
    assert "4/5" in page.inner_text("#survey-done")
    invitation = SurveyInvitation.objects.get(request=r)
    assert invitation.rating == 4 and invitation.comment == "Hızlı döndünüz, teşekkürler"

    page.fill("#reopen-form textarea[name=reason]", "Çukur iki gün sonra yine açıldı")
    page.click("#reopen-submit")
    page.wait_for_selector("#public-state[data-state=reopened]")
    r.refresh_from_db()
    assert r.state == "reopened"
    assert page.locator("#reopen-form").count() == 0  # a link reopens only once

    page.goto(f"{live_server.url}/track/{r.tracking_code}/?t=not-the-token")
    assert page.locator("#survey-form").count() == 0
