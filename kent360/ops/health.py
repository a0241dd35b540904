"""Readiness checks: each returns "ok" or a short reason; none raises."""

from __future__ import annotations

import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        return f"unreachable: {type(exc).__name__}"
    return "ok"


def check_migrations() -> str:
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:
        return f"unknown: {type(exc).__name__}"
    return "ok" if not plan else f"{len(plan)} migrations not applied"


def check_task_queue() -> str:
    """The database task queue's table answers (other backends: they load)."""
    try:
        from django_tasks import default_task_backend

        backend_path = type(default_task_backend).__module__
        if backend_path.startswith("django_tasks_db"):
            from django_tasks_db.models import DBTaskResult

            DBTaskResult.objects.exists()
    except Exception as exc:
        return f"unreachable: {type(exc).__name__}"
    return "ok"


def check_storage() -> str:
    name = f".ready/{secrets.token_hex(8)}"
    try:
        saved = default_storage.save(name, ContentFile(b"ok"))
        default_storage.delete(saved)
    except Exception as exc:
        return f"not writable: {type(exc).__name__}"
    return "ok"


def readiness() -> dict[str, str]:
    return {
        "database": check_database(),
        "migrations": check_migrations(),
        "task_queue": check_task_queue(),
        "storage": check_storage(),
    }
