"""A press officer's morning, in a real browser: open the media desk, filter the news,
read an article with its mentions highlighted, and preview the digest — in Turkish and
in Persian (right-to-left)."""

from __future__ import annotations

import re

import pytest

from kent360.media.tests.factories import make_media
from kent360.organizations.models import Role

from .test_request_flow import set_language, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("lang", ["tr", "fa"])
def test_media_desk_filter_read_and_digest(page, live_server, world, lang):
    officer = world.staff[Role.PRESS_OFFICER]
    m = make_media(world.org, officer, host="bornova")
    base = live_server.url
    sign_in(page, base, officer.user.username)
    set_language(page, lang)
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "fa" else "ltr")

    # The navbar's press-office menu leads to the desk.
    page.locator("nav [data-section=press] > a.dropdown-toggle").click()
    page.locator("nav a[href='/media-desk/']").first.click()
    page.wait_for_url(re.compile(r"/media-desk/$"))
    rows = page.locator("#articles tbody tr[data-article]")
    assert rows.count() == 2

    # Filtering swaps the table in place (HTMX) and pushes the filter into the address.
    page.select_option("#id_tone", "negative")
    page.wait_for_url(re.compile(r"tone=negative"))
    page.wait_for_function(
        "document.querySelectorAll('#articles tbody tr[data-article]').length === 1"
    )
    assert rows.first.get_attribute("data-article") == str(m.article.pk)
    assert page.locator("#article-count").count() == 1

    # The article: mentions are marked, the text's own markup is shown as text.
    rows.first.locator("a").first.click()
    page.wait_for_url(re.compile(rf"/media-desk/articles/{m.article.pk}/$"))
    marks = page.locator("#article-text mark.mention")
    assert marks.count() == 2
    assert {marks.nth(i).inner_text() for i in range(2)} == {"İduğ’a", "Bornova Belediyesi"}
    assert "<script>alert(1)</script>" in page.locator("#article-text").inner_text()
    assert page.locator("#article-text").get_attribute("dir") == "auto"
    assert page.locator("#rebuttal-form button").count() == 1

    # The digest preview shows the story in the frame and offers the PDF.
    page.locator("#media-tabs a[href='/media-desk/digest/']").click()
    page.wait_for_url(re.compile(r"/media-desk/digest/$"))
    frame = page.frame_locator("#digest-frame")
    titles = frame.locator("h3")
    titles.first.wait_for()
    assert "Bornova’da çöp sorunu büyüyor" in titles.all_inner_texts()
    href = page.locator("#digest-pdf").get_attribute("href")
    assert href.startswith("/media-desk/digest/pdf/?date=")
    response = page.request.get(base + href)
    assert response.ok and response.body().startswith(b"%PDF")
    if lang == "fa":
        # Dates on the desk are Jalali with Persian digits.
        assert re.search("[۰-۹]", page.locator("#digest-form").inner_text())
