"""Keyset pagination of the inbox: every row once, in order, both ways, for every sort."""

import base64
import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kent360.organizations.models import Role
from kent360.requests import pagination, selectors
from kent360.requests.models import Request
from kent360.testing import login


@pytest.fixture
def tricky(world, make_request):
    """Twelve requests with tied timestamps, tied priorities and some without a due date."""
    made = [make_request(subject=f"Talep {i}") for i in range(12)]
    base = timezone.now() - timedelta(days=3)
    for i, r in enumerate(made):
        Request.objects.filter(pk=r.pk).update(
            created_at=base + timedelta(hours=i // 3),  # groups of three share a timestamp
            updated_at=base + timedelta(hours=i % 4),
            due_at=None if i % 4 == 0 else base + timedelta(days=1, hours=i % 5),
            priority=1 + i % 3,
        )
    return made


def walk(staff, filters, size):  # type: ignore[no-untyped-def]
    forward, pages, cursor = [], [], None
    while True:
        page = selectors.request_inbox_page(staff=staff, filters=filters, cursor=cursor, size=size)
        pages.append([r.pk for r in page])
        forward += [r.pk for r in page]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    backward = [[r.pk for r in page]]
    while page.previous_cursor:
        page = selectors.request_inbox_page(
            staff=staff, filters=filters, cursor=page.previous_cursor, size=size
        )
        backward.insert(0, [r.pk for r in page])
    return forward, pages, backward


@pytest.mark.parametrize(
    "sort", ["-created", "created", "due", "-due", "-priority", "priority", "-updated", "state"]
)
def test_keyset_walk_matches_the_full_ordered_list(world, tricky, sort):
    staff = world.staff[Role.PR_MANAGER]
    filters = selectors.InboxFilters(state="", sort=sort)
    expected = list(
        selectors.request_list(staff=staff, filters=filters).values_list("pk", flat=True)
    )
    assert len(expected) == 12
    forward, pages, backward = walk(staff, filters, size=5)
    assert forward == expected  # every row exactly once, in the list's order
    assert [len(p) for p in pages] == [5, 5, 2]
    assert backward == pages  # "previous" retraces the same pages


def test_due_sort_puts_requests_without_deadline_last(world, tricky):
    staff = world.staff[Role.PR_MANAGER]
    filters = selectors.InboxFilters(state="", sort="due")
    forward, _pages, _back = walk(staff, filters, size=4)
    dues = dict(Request.objects.values_list("pk", "due_at"))
    assert [dues[pk] is None for pk in forward] == [False] * 9 + [True] * 3


def test_count_is_exact_below_the_cap_and_capped_above(world, tricky):
    qs = Request.objects.filter(organisation=world.org)
    assert pagination.capped_count(qs, cap=20) == (12, False)
    assert pagination.capped_count(qs, cap=12) == (12, False)
    assert pagination.capped_count(qs, cap=11) == (11, True)
    # counted in page order (what a text search does) the figures are the same
    order = pagination.ordering("created_at", True)
    assert pagination.capped_count(qs, cap=20, order=order) == (12, False)
    assert pagination.capped_count(qs, cap=11, order=order) == (11, True)


def test_malformed_cursor_gives_the_first_page(world, tricky):
    staff = world.staff[Role.PR_MANAGER]
    filters = selectors.InboxFilters(state="")
    first = selectors.request_inbox_page(staff=staff, filters=filters, cursor=None, size=5)
    for bad in ("!!", "eyJ4IjoxfQ", pagination.encode_cursor("x", 1, 2)):
        page = selectors.request_inbox_page(staff=staff, filters=filters, cursor=bad, size=5)
        assert [r.pk for r in page] == [r.pk for r in first]
        assert page.previous_cursor is None


def test_inbox_view_next_and_previous_links(client, world, make_request, monkeypatch):
    for i in range(28):
        make_request(subject=f"Sokak lambası {i}")
    monkeypatch.setattr(pagination, "COUNT_CAP", 26)
    login(client, world.staff[Role.PR_MANAGER])
    html = client.get(reverse("requests:inbox")).content.decode()
    assert 'rel="prev"' not in html and 'rel="next"' in html
    count = html.split('id="inbox-count">')[1].split("</p>")[0]
    assert "26" in count and "28" not in count
    assert "Sokak lambası 27" in html and "Sokak lambası 2<" not in html
    next_url = html.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    html2 = client.get(reverse("requests:inbox") + next_url).content.decode()
    assert "Sokak lambası 2<" in html2 and "Sokak lambası 0<" in html2
    assert "Sokak lambası 27" not in html2 and 'rel="next"' not in html2
    prev_url = html2.split('rel="prev" href="')[1].split('"')[0].replace("&amp;", "&")
    html3 = client.get(reverse("requests:inbox") + prev_url).content.decode()
    assert "Sokak lambası 27" in html3 and "Sokak lambası 0<" not in html3
    monkeypatch.setattr(pagination, "COUNT_CAP", 1000)
    html4 = client.get(reverse("requests:inbox")).content.decode()
    assert "28" in html4.split('id="inbox-count">')[1].split("</p>")[0]


@pytest.fixture
def wordy(world, make_request):
    """Twenty requests, tied timestamps and missing deadlines as in ``tricky``; the words
    searched for sit near the top of the list, far down it, or both."""
    texts = {
        0: "Çöp konteyneri taşıyor",
        1: "Sokak lambası yanmıyor",
        3: "ÇÖP KONTEYNERİ kırık",
        6: "پیاده‌رو خراب است",
        8: "Çöp konteynerinin kapağı",
        11: "Kaldırım taşı kırık",
        15: "çöp konteyneri yok",
        16: "پياده رو كثيف است",  # Arabic ي and ك, no ZWNJ: the same word to the search
        19: "Çöp konteyneri kokuyor",
    }
    made = [
        make_request(subject=f"Talep {i}", text=texts.get(i, "Mahallede bir sorun var."))
        for i in range(20)
    ]
    base = timezone.now() - timedelta(days=3)
    for i, r in enumerate(made):
        Request.objects.filter(pk=r.pk).update(
            created_at=base + timedelta(hours=i // 3),
            due_at=None if i % 4 == 0 else base + timedelta(days=1, hours=i % 5),
            priority=1 + i % 3,
        )
    return made


@pytest.mark.parametrize("scan_rows", [1, 3, 7, 50])
@pytest.mark.parametrize("sort", ["-created", "created", "due", "-due", "priority"])
@pytest.mark.parametrize("q", ["çöp konteyner", "پیاده رو", "kırık", "KIRIK çöp", "رو"])
def test_search_pages_are_the_matching_list_whatever_the_scan_window(
    world, wordy, monkeypatch, scan_rows, sort, q
):
    """Scanned near the top and looked up through the index beyond it, the pages hold
    exactly the list's matching rows, once each, in order, both ways; the count is exact."""
    monkeypatch.setattr(pagination, "SCAN_ROWS", scan_rows)
    staff = world.staff[Role.PR_MANAGER]
    filters = selectors.InboxFilters(state="", sort=sort, q=q)
    expected = list(
        selectors.request_list(staff=staff, filters=filters).values_list("pk", flat=True)
    )
    want = {"çöp konteyner": 5, "پیاده رو": 2, "kırık": 2, "KIRIK çöp": 1, "رو": 2}
    assert len(expected) == want[q]
    forward, pages, backward = walk(staff, filters, size=2)
    assert forward == expected
    assert backward == pages
    page = selectors.request_inbox_page(staff=staff, filters=filters, cursor=None, size=2)
    assert (page.count, page.count_capped) == (len(expected), False)


@pytest.mark.parametrize("scan_rows", [2, 4, 50])
def test_search_count_is_capped_wherever_the_matches_lie(world, wordy, monkeypatch, scan_rows):
    monkeypatch.setattr(pagination, "SCAN_ROWS", scan_rows)
    staff = world.staff[Role.PR_MANAGER]
    filters = selectors.InboxFilters(state="", q="çöp konteyner")
    for cap, want in ((10, (5, False)), (5, (5, False)), (4, (4, True)), (1, (1, True))):
        monkeypatch.setattr(pagination, "COUNT_CAP", cap)
        page = selectors.request_inbox_page(staff=staff, filters=filters, cursor=None, size=2)
        assert (page.count, page.count_capped) == want


def test_search_finds_an_old_request_by_tracking_code_beyond_the_scan(world, wordy, monkeypatch):
    monkeypatch.setattr(pagination, "SCAN_ROWS", 2)
    staff = world.staff[Role.PR_MANAGER]
    oldest = wordy[0]
    oldest.refresh_from_db()
    for typed in (oldest.tracking_code, oldest.tracking_code.lower()):
        filters = selectors.InboxFilters(state="", q=typed)
        page = selectors.request_inbox_page(staff=staff, filters=filters, cursor=None, size=5)
        assert [r.pk for r in page] == [oldest.pk]
        assert (page.count, page.count_capped) == (1, False)


def test_search_respects_the_other_filters_and_the_organisation(world, wordy):
    staff = world.staff[Role.PR_MANAGER]
    Request.objects.filter(pk=wordy[19].pk).update(state="closed")
    filters = selectors.InboxFilters(state="closed", q="çöp konteyner")
    page = selectors.request_inbox_page(staff=staff, filters=filters, cursor=None, size=5)
    assert [r.pk for r in page] == [wordy[19].pk]
    stranger = world.other_staff[Role.PR_MANAGER]
    filters = selectors.InboxFilters(state="", q="çöp konteyner")
    page = selectors.request_inbox_page(staff=stranger, filters=filters, cursor=None, size=5)
    assert list(page) == [] and page.count == 0


@pytest.mark.skipif(
    "not __import__('django.db').db.connection.vendor == 'postgresql'",
    reason="plans of PostgreSQL's trigram index",
)
def test_search_plans_cannot_turn_into_the_slow_ones(world, wordy):
    """The two plans that cost seconds at ten million rows are not open to the planner:
    the row-by-row test cannot use the trigram index, and the lookup beyond the scan
    cannot walk an index in the list's order (it collects the matches and sorts them)."""
    from django.db import connection

    staff = world.staff[Role.PR_MANAGER]
    match = selectors.text_match("çöp konteyner")
    qs = selectors.request_list(staff=staff, filters=selectors.InboxFilters(state=""))

    def plan(query) -> str:  # type: ignore[no-untyped-def]
        sql, params = query.query.sql_with_params()
        with connection.cursor() as cur:
            cur.execute("SET LOCAL enable_seqscan = off")
            cur.execute("EXPLAIN " + sql, params)
            return "\n".join(row[0] for row in cur.fetchall())

    scanned = plan(qs.filter(match.scanned).order_by(*pagination.ordering("created_at", True))[:26])
    assert "req_search_trgm_idx" not in scanned
    beyond = qs.filter(match.indexed).order_by(*pagination.unindexed_ordering("created_at", True))
    text = plan(beyond[:26])
    assert "Sort" in text.splitlines()[1], text
    # and the index form does use the trigram index when told not to read the table
    rows = Request.objects.order_by().values("pk")
    assert "req_search_trgm_idx" in plan(rows.filter(match.indexed))
    assert "req_search_trgm_idx" not in plan(rows.filter(match.scanned))


def test_a_common_word_beyond_the_scan_is_counted_as_at_least(client, world, wordy, monkeypatch):
    """A word found often in the scanned rows is not counted beyond them: the count says
    "at least" what they hold; a rarer one is counted through the index; a list that
    ends within the scan is counted exactly."""
    monkeypatch.setattr(pagination, "SCAN_ROWS", 7)  # the newest 7 hold 2 of the 5
    monkeypatch.setattr(pagination, "RARE_HITS", 2)
    staff = world.staff[Role.PR_MANAGER]

    def count(q):  # type: ignore[no-untyped-def]
        filters = selectors.InboxFilters(state="", q=q)
        page = selectors.request_inbox_page(staff=staff, filters=filters, cursor=None, size=25)
        return page.count, page.count_capped, page.count_partial, len(page)

    assert count("çöp konteyner") == (2, False, True, 5)  # the page still holds all 5
    assert count("kırık") == (2, False, False, 2)  # none in the newest 7: through the index
    monkeypatch.setattr(pagination, "SCAN_ROWS", 50)
    assert count("çöp konteyner") == (5, False, False, 5)
    monkeypatch.setattr(pagination, "SCAN_ROWS", 7)
    login(client, staff)
    html = client.get(reverse("requests:inbox"), {"state": "", "q": "çöp konteyner"}).content
    line = html.decode().split('id="inbox-count">')[1].split("</p>")[0]
    assert "2" in line and "7" in line
    client.cookies["django_language"] = "fa"
    html = client.get(reverse("requests:inbox"), {"state": "", "q": "çöp konteyner"}).content
    line = html.decode().split('id="inbox-count">')[1].split("</p>")[0]
    assert "۲" in line and "۷" in line


def test_search_pages_carry_the_first_pages_count(world, wordy, monkeypatch):
    """The next and previous links of a search carry page 1's count, so later pages do
    not count again; a link whose count was tampered with is clamped or ignored."""
    monkeypatch.setattr(pagination, "SCAN_ROWS", 7)
    staff = world.staff[Role.PR_MANAGER]
    filters = selectors.InboxFilters(state="", q="çöp konteyner")
    first = selectors.request_inbox_page(staff=staff, filters=filters, cursor=None, size=2)
    assert pagination.cursor_count(first.next_cursor) == (5, False, False)
    second = selectors.request_inbox_page(
        staff=staff, filters=filters, cursor=first.next_cursor, size=2
    )
    assert (second.count, second.count_capped, second.count_partial) == (5, False, False)
    _d, value, pk = pagination.decode_cursor(first.next_cursor)
    huge = pagination.encode_cursor("n", value, pk, (10**9, True, False))
    assert pagination.cursor_count(huge) == (pagination.COUNT_CAP, True, False)
    bogus = base64.urlsafe_b64encode(
        json.dumps(["n", {"t": value.isoformat()}, pk, ["x", 1, None]]).encode()
    ).decode()
    page = selectors.request_inbox_page(staff=staff, filters=filters, cursor=bogus, size=2)
    assert pagination.cursor_count(bogus) is None
    assert [r.pk for r in page] == [r.pk for r in second] and page.count == 5
