"""The citizens app's former access log is carried into the one personal-data access log."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import Client

from kent360.ops.models import PersonalDataAccess
from kent360.organizations.models import Role
from kent360.testing import login

migration = importlib.import_module("kent360.ops.migrations.0002_import_citizen_access_log")


@pytest.fixture
def old_log_apps(transactional_db):
    """The app registry as it was before the old table was dropped, with that table present."""
    loader = MigrationLoader(connection)
    apps = loader.project_state(("ops", "0002_import_citizen_access_log")).apps
    model = apps.get_model("citizens", "CitizenAccessLog")
    with connection.schema_editor() as editor:
        editor.create_model(model)
    yield apps
    with connection.schema_editor() as editor:
        editor.delete_model(model)


def test_old_citizen_access_rows_move_into_the_one_log(old_log_apps, world, make_request):
    old = old_log_apps.get_model("citizens", "CitizenAccessLog")
    r = make_request()
    agent, other_admin = world.staff[Role.AGENT], world.other_staff[Role.ORG_ADMIN]
    when = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
    for staff_id, org_id, action in [
        (agent.pk, world.org.pk, "view"),
        (agent.pk, world.org.pk, "export"),
        (None, world.org.pk, "desk_lookup"),
    ]:
        row = old.objects.create(
            organisation_id=org_id, citizen_id=r.citizen_id, staff_id=staff_id, action=action
        )
        old.objects.filter(pk=row.pk).update(created_at=when)
    PersonalDataAccess.objects.all().delete()

    migration.forwards(old_log_apps, None)

    moved = list(PersonalDataAccess.objects.order_by("id"))
    assert [(e.what, e.staff_id, e.staff_label, e.citizen_id) for e in moved] == [
        ("citizen.view", agent.pk, agent.user.username, r.citizen_id),
        ("citizen.export", agent.pk, agent.user.username, r.citizen_id),
        ("citizen.desk_lookup", None, "", r.citizen_id),
    ]
    assert {e.created_at for e in moved} == {when}
    assert {e.organisation_id for e in moved} == {world.org.pk}
    page = login(Client(), world.staff[Role.ORG_ADMIN]).get("/account/access-log/")
    assert page.content.decode().count("citizen.") == 3
    other_page = login(Client(), other_admin).get("/account/access-log/")
    assert other_page.status_code == 200 and "citizen." not in other_page.content.decode()

    # and back: unapplying citizens 0003 re-creates the old table empty; the entries return
    # to it with their times and leave the new one
    old.objects.all().delete()
    migration.backwards(old_log_apps, None)
    assert sorted(old.objects.values_list("action", flat=True)) == [
        "desk_lookup",
        "export",
        "view",
    ]
    assert set(old.objects.values_list("created_at", flat=True)) == {when}
    assert not PersonalDataAccess.objects.exists()
