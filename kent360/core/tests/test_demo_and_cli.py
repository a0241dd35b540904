import subprocess
import sys

import pytest
from django.core.management import call_command

from kent360.organizations.models import Category, Directorate, Organisation, Staff
from kent360.requests.models import Request, RequestEvent


@pytest.mark.django_db
def test_demo_loads_a_realistic_district_and_is_idempotent():
    call_command("demo", requests=60)
    bornova = Organisation.objects.get(slug="bornova")
    assert bornova.parent.slug == "izmir"
    assert Directorate.objects.filter(organisation=bornova).count() == 31
    assert Category.objects.filter(organisation=bornova).count() >= 20
    assert set(Staff.objects.filter(organisation=bornova).values_list("role", flat=True)) == {
        "agent",
        "directorate_staff",
        "directorate_manager",
        "pr_manager",
        "press_officer",
        "org_admin",
    }
    counts = (Request.objects.count(), RequestEvent.objects.count(), Staff.objects.count())
    assert counts[0] >= 60
    assert Request.objects.filter(organisation=bornova).values("state").distinct().count() >= 4
    call_command("demo", requests=60)
    assert (Request.objects.count(), RequestEvent.objects.count(), Staff.objects.count()) == counts


def test_console_script_wraps_management_commands(tmp_path):
    env = {"KENT360_VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-m", "kent360.cli", "help"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    for command in ("run", "demo", "migrate", "createsuperuser", "scheduler"):
        assert command in out


def test_production_refuses_to_start_without_its_settings(tmp_path):
    env = {"KENT360_VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin", "KENT360_ENV": "production"}
    result = subprocess.run(
        [sys.executable, "-m", "kent360.cli", "check"], capture_output=True, text=True, env=env
    )
    assert result.returncode != 0
    assert "KENT360_SECRET_KEY must be set" in result.stderr
