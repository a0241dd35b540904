"""Reference rows kept per process: reused inside HTTP requests while the generation token
holds, dropped the moment any watched table changes, never kept outside requests."""

from __future__ import annotations

import threading

import pytest
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from kent360.core import refcache
from kent360.core.api_auth import find_api_key
from kent360.core.models import ApiKey, hash_api_key
from kent360.organizations import services as org_services
from kent360.organizations.models import Category, Role, Staff
from kent360.organizations.selectors import category_by_code
from kent360.testing import staff_api_key


@pytest.fixture(autouse=True)
def _empty_cache():
    refcache.clear()
    yield
    refcache.clear()


def _key(world, staff=None) -> str:
    return staff_api_key(staff or world.staff[Role.AGENT], name="Çağrı merkezi", recently_used=True)


class _InRequest:
    """What Django does around a request: the signals that open and close its scope.

    As Django's test client does, the connection is not closed by them (it holds the
    test's transaction).
    """

    def __enter__(self):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        request_started.send(sender=None, environ={})
        return self

    def __exit__(self, *exc):
        request_finished.send(sender=None)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _in_request():
    return _InRequest()


def test_every_watched_table_has_its_trigger_after_migrate(db):
    counts = refcache.installed_triggers()
    per_table = 1 if connection.vendor == "postgresql" else 3
    assert counts == dict.fromkeys(refcache.WATCHED_TABLES, per_table)
    assert refcache.current_token() is not None


@pytest.mark.parametrize(
    "change",
    [
        "insert category",
        "rename category (ORM)",
        "deactivate category (raw SQL)",
        "delete category",
        "revoke key",
        "deactivate user",
        "change staff role",
        "rename organisation",
        "rename directorate",
    ],
)
def test_any_write_to_a_watched_table_gives_a_new_token(world, change):
    raw = _key(world)
    before = refcache.current_token()
    if change == "insert category":
        org_services.category_create(
            organisation=world.org, name="Kaldırım", code="kaldirim", default_directorate=world.fen
        )
    elif change == "rename category (ORM)":
        Category.objects.filter(pk=world.cat_cop.pk).update(name="Çöp ve atık")
    elif change == "deactivate category (raw SQL)":
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE organizations_category SET is_active = %s WHERE id = %s",
                [False, world.cat_cop.pk],
            )
    elif change == "delete category":
        Category.objects.filter(pk=world.other_cat.pk).delete()
    elif change == "revoke key":
        ApiKey.objects.filter(key_hash=hash_api_key(raw)).update(revoked_at=timezone.now())
    elif change == "deactivate user":
        user = world.staff[Role.AGENT].user
        type(user).objects.filter(pk=user.pk).update(is_active=False)
    elif change == "change staff role":
        Staff.objects.filter(pk=world.staff[Role.AGENT].pk).update(role=Role.PR_MANAGER)
    elif change == "rename organisation":
        type(world.org).objects.filter(pk=world.org.pk).update(name="Bornova")
    elif change == "rename directorate":
        type(world.fen).objects.filter(pk=world.fen.pk).update(name="Fen")
    assert refcache.current_token() != before


def test_a_write_to_another_table_keeps_the_token(world, make_request):
    before = refcache.current_token()
    make_request()  # a citizen, a request, its event and audit rows
    assert refcache.current_token() == before


def test_inside_a_request_rows_are_read_once_and_instances_are_new_each_time(world):
    raw = _key(world)
    with _in_request(), CaptureQueriesContext(connection) as first:
        a = find_api_key(raw)
        cat_a = category_by_code(staff=world.staff[Role.AGENT], code="cop")
    # (read now: the next request's start empties the connection's query log)
    first_sql = [q["sql"] for q in first.captured_queries]
    with _in_request():
        with CaptureQueriesContext(connection) as second:
            b = find_api_key(raw)
            cat_b = category_by_code(staff=world.staff[Role.AGENT], code="cop")
        second_sql = [q["sql"] for q in second.captured_queries]
    assert len(first_sql) == 3  # the token, the key, the category
    assert len(second_sql) == 1 and "refgeneration" in second_sql[0]  # the token only
    assert a is not None and b is not None and a is not b and a.user is not b.user
    assert b.user.staff.organisation.slug == world.org.slug
    assert cat_a is not None and cat_b is not None and cat_a is not cat_b
    assert cat_b.default_directorate.code == "temizlik"
    a.user.username = "değiştirildi"  # a caller's change to its instance stays its own
    with _in_request():
        c = find_api_key(raw)
    assert c is not None and c.user.username == world.staff[Role.AGENT].user.username


def test_outside_requests_nothing_is_kept(world):
    raw = _key(world)
    find_api_key(raw)
    with CaptureQueriesContext(connection) as queries:
        assert find_api_key(raw) is not None
        assert category_by_code(staff=world.staff[Role.AGENT], code="cop") is not None
    assert len(queries) == 2
    assert not any("refgeneration" in q["sql"] for q in queries)


def test_an_unknown_key_is_kept_as_unknown_until_a_key_is_added(world):
    raw = ApiKey.generate()
    with _in_request():
        assert find_api_key(raw) is None
    with _in_request():
        with CaptureQueriesContext(connection) as queries:
            assert find_api_key(raw) is None
        assert len(queries) == 1
    ApiKey.objects.create(
        organisation=world.org,
        user=world.staff[Role.AGENT].user,
        name="yeni",
        prefix=raw[:12],
        key_hash=hash_api_key(raw),
        last_used_at=timezone.now(),
    )
    with _in_request():
        assert find_api_key(raw) is not None


def test_the_api_sees_a_revocation_a_deactivation_and_a_retired_category_at_once(world):
    raw = _key(world)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    body = {"subject": "Çöp", "text": "Konteyner dolu.", "category": "cop"}
    assert api.post("/api/v1/requests/", body, format="json").status_code == 201
    with CaptureQueriesContext(connection) as queries:
        assert api.post("/api/v1/requests/", body, format="json").status_code == 201
    statements = " ".join(q["sql"] for q in queries)
    assert "core_apikey" not in statements and "organizations_category" not in statements

    Category.objects.filter(pk=world.cat_cop.pk).update(is_active=False)  # as the admin does
    response = api.post("/api/v1/requests/", body, format="json")
    assert response.status_code == 400 and response.json()["error"]["message"]

    Staff.objects.filter(pk=world.staff[Role.AGENT].pk).update(is_active=False)
    assert api.get("/api/v1/requests/").status_code == 403

    ApiKey.objects.filter(key_hash=hash_api_key(raw)).update(revoked_at=timezone.now())
    assert api.get("/api/v1/requests/").status_code == 401


def test_another_organisations_category_is_not_served_from_the_cache(world):
    raw = _key(world)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    # Both organisations have a category "asfalt": each is looked up under its own key.
    mine = {"subject": "Çukur", "text": "Derin çukur.", "category": "asfalt"}
    assert api.post("/api/v1/requests/", mine, format="json").json()["directorate"] == "fen"
    theirs = _key(world, world.other_staff[Role.AGENT])
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Token {theirs}")
    created = other.post("/api/v1/requests/", mine, format="json")
    assert created.status_code == 201
    from kent360.requests.models import Request

    request = Request.objects.get(tracking_code=created.json()["tracking_code"])
    assert request.organisation_id == world.other_org.pk
    assert request.category_id == world.other_cat.pk


def test_migrate_puts_back_a_trigger_that_a_table_rebuild_dropped(db):
    name = "k360_refgen" if connection.vendor == "postgresql" else "k360_refgen_"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER {name} ON organizations_category")
        else:
            cursor.execute(f"DROP TRIGGER {name}organizations_category_update")
    assert refcache.installed_triggers().get("organizations_category", 0) < (
        1 if connection.vendor == "postgresql" else 3
    )
    call_command("migrate", verbosity=0)
    counts = refcache.installed_triggers()
    assert counts["organizations_category"] == (1 if connection.vendor == "postgresql" else 3)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="two open transactions at once: PostgreSQL"
)
def test_the_token_changes_for_readers_only_when_the_change_commits():
    org = org_services.organisation_create(name="Buca Belediyesi", slug="buca", code_prefix="BCA")
    park = org_services.directorate_create(organisation=org, name="Park", code="park")
    org_services.category_create(
        organisation=org, name="Park", code="park", default_directorate=park
    )
    before = refcache.current_token()
    started, release, done = threading.Event(), threading.Event(), threading.Event()

    def writer() -> None:
        try:
            with transaction.atomic():
                Category.objects.filter(code="park").update(name="Park ve bahçe")
                started.set()
                release.wait(30)
        finally:
            connections["default"].close()
            done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    assert started.wait(30)
    # Uncommitted: a reader still sees the old token and the old row, which agree.
    assert refcache.current_token() == before
    assert Category.objects.get(code="park").name == "Park"
    release.set()
    assert done.wait(30)
    thread.join(30)
    assert refcache.current_token() != before
    assert Category.objects.get(code="park").name == "Park ve bahçe"
