"""The API key lookup written as one statement must give what the ORM would give."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kent360.core.api_auth import find_api_key
from kent360.core.models import ApiKey, hash_api_key
from kent360.organizations.models import Role, Staff


def _key(org, user=None, scope=ApiKey.Scope.STAFF) -> tuple[str, ApiKey]:
    raw = ApiKey.generate()
    key = ApiKey.objects.create(
        organisation=org,
        user=user,
        name="Çağrı merkezi",
        scope=scope,
        prefix=raw[:12],
        key_hash=hash_api_key(raw),
        last_used_at=timezone.now(),  # recently used: the lookup writes nothing
    )
    return raw, key


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_a_staff_key_comes_with_its_organisation_user_and_staff_in_one_query(world):
    staff = world.staff[Role.AGENT]
    raw, key = _key(world.org, staff.user)
    with CaptureQueriesContext(connection) as queries:
        found = find_api_key(raw)
        assert found is not None
        # Everything the API needs afterwards is already there: no further query.
        assert found.user.staff.organisation.slug == world.org.slug
        assert found.user.staff.role == Role.AGENT
        assert found.organisation.name == world.org.name
    assert len(queries) == 1
    orm = ApiKey.objects.select_related("organisation", "user", "user__staff__organisation").get(
        pk=key.pk
    )
    assert _fields(found) == _fields(orm)
    assert _fields(found.organisation) == _fields(orm.organisation)
    assert _fields(found.user) == _fields(orm.user)  # datetimes, booleans converted alike
    assert _fields(found.user.staff) == _fields(orm.user.staff)
    assert _fields(found.user.staff.organisation) == _fields(orm.user.staff.organisation)
    assert found.user.staff.user is found.user


def test_a_service_key_has_no_user_and_a_user_without_staff_has_no_staff(world):
    raw, _key_obj = _key(world.org, None, ApiKey.Scope.OPEN311)
    found = find_api_key(raw)
    assert found is not None and found.user is None and found.scope == ApiKey.Scope.OPEN311
    loner = get_user_model().objects.create_user("yalnız-kullanıcı", password="x-1-Güçlü")
    raw, _key_obj = _key(world.org, loner)
    with CaptureQueriesContext(connection) as queries:
        found = find_api_key(raw)
        assert found is not None and found.user.username == "yalnız-kullanıcı"
        with pytest.raises(Staff.DoesNotExist):
            found.user.staff  # noqa: B018 (known to be missing; no query to find out)
    assert len(queries) == 1


def test_revoked_and_unknown_keys_are_not_found_and_a_revocation_counts_at_once(world):
    raw, key = _key(world.org, world.staff[Role.AGENT].user)
    assert find_api_key(raw) is not None
    ApiKey.objects.filter(pk=key.pk).update(revoked_at=timezone.now())
    assert find_api_key(raw) is None
    assert find_api_key("k360_" + "0" * 40) is None


def test_a_deactivated_staff_member_is_seen_at_once(world, client):
    from rest_framework.test import APIClient

    staff = world.staff[Role.AGENT]
    raw, _key_obj = _key(world.org, staff.user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    assert api.get("/api/v1/requests/").status_code == 200
    Staff.objects.filter(pk=staff.pk).update(is_active=False)
    assert api.get("/api/v1/requests/").status_code == 403
