"""A desk agent's day, in a real browser: sign in, register a request with the keyboard
alone, move it through its states, and find it as a citizen by tracking code."""

from __future__ import annotations

import re

import pytest

from kent360.organizations.models import Role
from kent360.requests.models import Request
from kent360.testing import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url(re.compile(r"/requests/"))


def set_language(page, code: str) -> None:
    with page.expect_navigation():
        page.select_option("#language-form select", code)


def register_with_keyboard(page, base: str, subject: str, text: str) -> str:
    page.goto(f"{base}/requests/new/")
    # The channel field has focus; everything else is reached with Tab.
    assert page.evaluate("document.activeElement.name") == "channel"
    page.keyboard.press("Tab")  # kind
    page.keyboard.press("Tab")  # category
    page.keyboard.press("ArrowDown")  # first category
    page.keyboard.press("Tab")
    page.keyboard.type(subject)
    page.keyboard.press("Tab")
    page.keyboard.type(text)
    page.keyboard.press("Tab")
    page.keyboard.type("Gülşen Işık")
    page.keyboard.press("Tab")
    page.keyboard.type("0532 444 55 66")
    page.keyboard.press("Enter")  # Enter in a text input submits the form
    page.wait_for_url(re.compile(r"/requests/[0-9A-Z]{4}-[0-9A-Z]{4}/$"))
    return page.locator("#tracking-code").inner_text().strip()


def click_action(page, action: str, text: str | None = None) -> None:
    form = page.locator(f"form[action$='/{action}/']")
    if text is not None:
        summary = form.locator("xpath=ancestor::details/summary")
        if summary.count():
            summary.click()
        form.locator("textarea").first.fill(text)
    with page.expect_navigation():
        form.locator("button").first.click()


def state_of(page) -> str:
    return page.locator("#state-badge").get_attribute("data-state")


@pytest.mark.parametrize("lang", ["tr", "fa"])
def test_desk_to_public_tracking(page, live_server, world, lang):
    base = live_server.url
    sign_in(page, base, world.staff[Role.PR_MANAGER].user.username)
    set_language(page, lang)
    html_dir = page.locator("html").get_attribute("dir")
    assert html_dir == ("rtl" if lang == "fa" else "ltr")
    assert page.locator("html").get_attribute("lang") == lang

    subject = "Kazımdirik'te çöp" if lang == "tr" else "زباله‌ها جمع‌آوری نشده"
    code = register_with_keyboard(page, base, subject, "Konteyner üç gündür boşaltılmadı. ÇĞİÖŞÜ")
    request = Request.objects.get(tracking_code=code)
    assert request.subject == subject and request.contact_name == "Gülşen Işık"
    assert request.citizen.phone == "+905324445566"
    assert state_of(page) == "received"

    click_action(page, "assign")
    assert state_of(page) == "assigned"
    click_action(page, "start")
    assert state_of(page) == "in_progress"
    click_action(page, "note", "İç not — vatandaş görmemeli")
    click_action(page, "answer", "Konteyner boşaltıldı, teşekkür ederiz.")
    assert state_of(page) == "answered"
    click_action(page, "close")
    assert state_of(page) == "closed"
    assert page.locator("#timeline .event").count() >= 6

    # the citizen, signed out, finds it by code typed in lower case with a space
    page.locator("form[action$='/logout/'] button").click()
    page.goto(f"{base}/track/")
    page.fill("input[name=code]", code.lower().replace("-", " "))
    page.press("input[name=code]", "Enter")
    page.wait_for_selector("#public-request")
    assert page.locator("#public-state").get_attribute("data-state") == "closed"
    body = page.locator("body").inner_text()
    assert "Konteyner boşaltıldı, teşekkür ederiz." in body
    assert "İç not" not in body and "0532" not in body
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "fa" else "ltr")
