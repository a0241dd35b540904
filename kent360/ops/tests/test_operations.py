"""Readiness, metrics, structured logs, production checks, retention, deployment files."""

from __future__ import annotations

import configparser
import json
import logging
import os
import re
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kent360.core.models import AuditEvent
from kent360.organizations.models import Role
from kent360.requests.models import Request, State

ROOT = Path(__file__).resolve().parents[3]


# ------------------------------------------------------------------ /ready/


def test_ready_reports_each_check(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = Client().get(reverse("ready"))
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok", "task_queue": "ok", "storage": "ok"},
    }
    assert list(tmp_path.rglob("*")) in ([], [tmp_path / ".ready"])  # probe file removed


def test_ready_is_503_when_storage_is_not_writable(db, settings, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    settings.MEDIA_ROOT = blocker / "media"
    response = Client().get(reverse("ready"))
    assert response.status_code == 503
    assert response.json()["checks"]["storage"].startswith("not writable")


def test_ready_is_503_with_unapplied_migrations(db, settings, tmp_path):
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    settings.MEDIA_ROOT = tmp_path
    MigrationRecorder(connection).migration_qs.filter(app="ops").delete()
    body = Client().get(reverse("ready")).json()
    assert body["status"] == "error" and "not applied" in body["checks"]["migrations"]


# ------------------------------------------------------------------ /metrics


def test_metrics_need_the_token_or_localhost(world, make_request, settings):
    settings.KENT360_METRICS_TOKEN = ""
    assert Client(REMOTE_ADDR="10.0.0.5").get("/metrics").status_code == 403
    assert Client().get("/metrics").status_code == 200  # test client is 127.0.0.1
    settings.KENT360_METRICS_TOKEN = "s3cret-token"
    assert Client().get("/metrics").status_code == 403
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    ok = Client(REMOTE_ADDR="10.0.0.5").get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert ok.status_code == 200 and ok["Content-Type"].startswith("text/plain")


def _sample(text: str, name: str, **labels: str) -> float:
    for line in text.splitlines():
        if not line.startswith(name + "{") and line.split(" ")[0] != name:
            continue
        if all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} {labels} not in metrics")


def test_metrics_count_requests_tasks_and_sla(world, make_request, settings):
    from django_tasks_db.models import DBTaskResult

    settings.KENT360_METRICS_TOKEN = ""
    overdue = make_request()
    Request.objects.filter(pk=overdue.pk).update(due_at=timezone.now() - timedelta(hours=1))
    soon = make_request(subject="yakında")
    Request.objects.filter(pk=soon.pk).update(due_at=timezone.now() + timedelta(hours=2))
    later = make_request(subject="sonra")
    Request.objects.filter(pk=later.pk).update(due_at=timezone.now() + timedelta(days=5))
    make_request(organisation=world.other_org, actor=world.other_staff[Role.AGENT], category=None)
    now = timezone.now()
    common = {"task_path": "x.y", "args_kwargs": {}, "backend_name": "default", "priority": 0}
    DBTaskResult.objects.create(status="READY", queue_name="notifications", **common)
    DBTaskResult.objects.create(status="READY", queue_name="notifications", **common)
    DBTaskResult.objects.create(status="FAILED", queue_name="media", finished_at=now, **common)
    client = login_client(world)
    client.get(reverse("requests:inbox"))
    client.get("/no-such-page/")
    text = Client().get("/metrics").content.decode()
    assert _sample(text, "kent360_sla_overdue_requests", organisation="bornova") == 1
    assert _sample(text, "kent360_sla_at_risk_requests", organisation="bornova") == 1
    assert _sample(text, "kent360_sla_overdue_requests", organisation="karsiyaka") == 0
    assert _sample(text, "kent360_task_queue_depth", queue="notifications", status="READY") == 2
    assert _sample(text, "kent360_task_failures", queue="media") == 1
    assert _sample(text, "kent360_http_request_duration_seconds_count", view="requests:inbox") >= 1
    assert _sample(text, "kent360_http_responses_total", status_class="4xx") >= 1
    assert _sample(text, "kent360_http_responses_total", status_class="2xx") >= 1


def login_client(world):
    from kent360.testing import login

    return login(Client(), world.staff[Role.PR_MANAGER])


# ------------------------------------------------------------------ logs


def test_json_log_lines_carry_the_request_id(db, caplog):
    from kent360.core.logging import JsonFormatter, RequestIdFilter, request_id_var

    formatter = JsonFormatter()
    token = request_id_var.set("abcdef0123456789")
    try:
        record = logging.LogRecord(
            "kent360.x", logging.WARNING, "f.py", 1, "çukur %s", ("ü",), None
        )
        record.org = "bornova"
        RequestIdFilter().filter(record)
        line = json.loads(formatter.format(record))
    finally:
        request_id_var.reset(token)
    assert line["message"] == "çukur ü" and line["level"] == "WARNING"
    assert line["request_id"] == "abcdef0123456789" and line["org"] == "bornova"
    assert line["time"].endswith("+00:00")
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("k", logging.ERROR, "f", 1, "failed", (), sys.exc_info())
    assert "ValueError: boom" in json.loads(formatter.format(record))["exception"]


def test_a_request_logs_its_id_which_the_response_echoes(db, caplog):
    from django.http import HttpResponse

    from kent360.ops.middleware import RequestIdMiddleware

    def view(request):
        logging.getLogger("kent360.test").warning("inside")
        return HttpResponse("ok")

    from django.test import RequestFactory

    from kent360.core.logging import RequestIdFilter

    caplog.handler.addFilter(RequestIdFilter())
    response = RequestIdMiddleware(view)(
        RequestFactory().get("/", HTTP_X_REQUEST_ID="req-12345678")
    )
    assert response["X-Request-ID"] == "req-12345678"
    assert [r.request_id for r in caplog.records if r.getMessage() == "inside"] == ["req-12345678"]
    hostile = RequestIdMiddleware(view)(RequestFactory().get("/", HTTP_X_REQUEST_ID="x\n<script>"))
    assert re.fullmatch(r"[0-9a-f]{16}", hostile["X-Request-ID"])


# ------------------------------------------------------------------ production settings


def _production_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KENT360_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    env.update(
        {
            "KENT360_ENV": "production",
            "KENT360_SECRET_KEY": "x" * 20 + "Zq9-production-secret-key-0123456789abcdefgh",
            "KENT360_HASH_KEY": "hash-key-for-the-check-0123456789",
            "KENT360_FIELD_KEY": "field-key-for-the-check-0123456789",
            "KENT360_ALLOWED_HOSTS": "belediye.example.org",
            "KENT360_SITE_URL": "https://belediye.example.org",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "KENT360_VAR_DIR": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "kent360.settings",
        }
    )
    return env


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_collectstatic_works_with_the_production_storage(tmp_path):
    # whitenoise's manifest storage refuses a vendored file that points to a missing
    # source map; a deployment must be able to run collectstatic as the guide says
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = json.loads((tmp_path / "staticfiles" / "staticfiles.json").read_text())
    assert "vendor/bootstrap/bootstrap.rtl.min.css" in manifest["paths"]
    assert "press/vendor/trix/trix.umd.min.js" in manifest["paths"]


def test_production_serves_hsts_secure_cookies_and_json_logs(tmp_path):
    script = """
import django, json, logging, io
django.setup()
from django.conf import settings
from django.test import Client
stream = io.StringIO()
handler = logging.getLogger().handlers[0]
handler.stream = stream
r = Client().get("/health/", secure=True, HTTP_HOST="belediye.example.org")
plain = Client().get("/health/", HTTP_HOST="belediye.example.org")
logging.getLogger("kent360.probe").warning("probe")
print(json.dumps({
  "hsts": r.get("Strict-Transport-Security"), "redirect": plain.status_code,
  "location": plain.get("Location"), "session_secure": settings.SESSION_COOKIE_SECURE,
  "csrf_secure": settings.CSRF_COOKIE_SECURE, "log": stream.getvalue().strip().splitlines()[-1],
}))
"""
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["hsts"] == "max-age=31536000; includeSubDomains"
    assert out["redirect"] == 301 and out["location"].startswith("https://")
    assert out["session_secure"] and out["csrf_secure"]
    log = json.loads(out["log"])
    assert log["message"] == "probe" and log["logger"] == "kent360.probe"


# ------------------------------------------------------------------ retention


def test_retention_anonymises_old_finished_requests_and_keeps_statistics(world, make_request):
    from kent360.citizens.models import Citizen
    from kent360.ops import services
    from kent360.ops.tasks import apply_retention

    pr = world.staff[Role.PR_MANAGER]
    old = make_request(contact_phone="0532 000 00 01", contact_email="eski@example.org")
    recent = make_request(contact_phone="0532 000 00 02", contact_email="yeni@example.org")
    open_old = make_request(contact_phone="0532 000 00 03", contact_email="acik@example.org")
    other_org = make_request(
        organisation=world.other_org,
        actor=world.other_staff[Role.AGENT],
        category=None,
        contact_email="baska@example.org",
    )
    long_ago = timezone.now() - timedelta(days=800)
    Request.objects.filter(pk__in=[old.pk, other_org.pk]).update(
        state=State.CLOSED, closed_at=long_ago
    )
    Request.objects.filter(pk=recent.pk).update(state=State.CLOSED, closed_at=timezone.now())
    Request.objects.filter(pk=open_old.pk).update(created_at=long_ago)

    def stats(org):
        qs = Request.objects.filter(organisation=org)
        return sorted(
            qs.values_list(
                "kind",
                "channel",
                "state",
                "category_id",
                "directorate_id",
                "neighbourhood",
                "created_at",
                "closed_at",
                "due_at",
            )
        )

    before = stats(world.org)
    services.retention_policy_set(
        organisation=world.org,
        actor=world.staff[Role.ORG_ADMIN],
        anonymise_after_days=365,
        redact_text=True,
    )
    assert apply_retention.enqueue().return_value == 1
    old.refresh_from_db()
    assert (old.contact_name, old.contact_phone, old.contact_email, old.citizen) == (
        "",
        "",
        "",
        None,
    )
    assert old.text == services.REDACTED and old.subject == services.REDACTED
    assert not old.events.exclude(text="").exclude(text=services.REDACTED).exists()
    orphan = Citizen.objects.get(email="", anonymised_at__isnull=False, organisation=world.org)
    assert orphan.phone == "" and orphan.name == ""
    for untouched in (recent, open_old, other_org):
        untouched.refresh_from_db()
        assert untouched.contact_email and untouched.citizen_id
    assert stats(world.org) == before
    event = AuditEvent.objects.get(action="retention.applied")
    assert event.data["requests"] == 1 and event.organisation == world.org
    assert services.retention_apply(organisation=world.org) == 0  # idempotent
    with pytest.raises(Exception, match="30 days"):
        services.retention_policy_set(organisation=world.org, actor=pr, anonymise_after_days=5)


def test_retention_job_is_registered():
    from kent360.core.scheduling import jobs

    assert "ops.retention" in {j.name for j in jobs()}


# ------------------------------------------------------------------ deployment files


def test_systemd_units_have_the_required_keys():
    for name, command in [
        ("kent360-web.service", "gunicorn kent360.wsgi:application"),
        ("kent360-worker.service", "kent360 db_worker"),
        ("kent360-scheduler.service", "kent360 scheduler"),
    ]:
        parser = configparser.ConfigParser(strict=True, interpolation=None)
        parser.optionxform = str  # type: ignore[assignment,method-assign]
        parser.read(ROOT / "deploy" / name)
        assert {"Unit", "Service", "Install"} <= set(parser.sections()), name
        service = parser["Service"]
        assert command in service["ExecStart"], name
        assert (
            service["User"] == "kent360"
            and service["EnvironmentFile"] == "/etc/kent360/kent360.env"
        )
        assert service["Restart"] in ("always", "on-failure")
        assert parser["Install"]["WantedBy"] == "multi-user.target"
        assert parser["Unit"]["Description"]


def test_env_example_lists_every_setting_read_from_the_environment():
    source = "\n".join(
        p.read_text() for p in (ROOT / "kent360").rglob("*.py") if "tests" not in p.parts
    )
    read = set(
        re.findall(
            r"(?:env_(?:str|bool|int|list)\(|os\.environ\.get\(|environ\[)\s*\"(KENT360_\w+|DATABASE_URL)\"",
            source,
        )
    )
    example = (ROOT / "deploy" / "kent360.env.example").read_text()
    listed = set(re.findall(r"^(KENT360_\w+|DATABASE_URL)=", example, re.MULTILINE))
    assert len(read) > 25
    assert read <= listed, sorted(read - listed)


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_nginx_configuration_is_valid(tmp_path):
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=belediye.example.org",
            "-keyout",
            str(tmp_path / "privkey.pem"),
            "-out",
            str(tmp_path / "fullchain.pem"),
        ],
        check=True,
        capture_output=True,
    )
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    site = site.replace("/etc/letsencrypt/live/belediye.example.org", str(tmp_path))
    site = site.replace("/var/log/nginx", str(tmp_path))
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        "events {}\nhttp {\n include /etc/nginx/mime.types;\n"
        f" include {tmp_path}/site.conf;\n}}\n"
    )
    result = subprocess.run(
        ["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr and "test is successful" in result.stderr
