"""A kept connection the server dropped is reopened before use; a healthy one is kept
and costs no round trip to check."""

from __future__ import annotations

import time

import psycopg
import pytest
from django.conf import settings
from django.db import connection

pytestmark = [
    pytest.mark.skipif(
        "postgres" not in settings.DATABASES["default"]["ENGINE"],
        reason="the backend is kent360's PostgreSQL one; SQLite keeps no connection",
    ),
    pytest.mark.django_db(transaction=True),  # an idle connection, as between requests
]


def _admin() -> psycopg.Connection:
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg.connect(autocommit=True, **params)


def _start_of_request() -> None:
    connection.health_check_done = False  # what close_old_connections() does per request
    connection.close_if_health_check_failed()


def test_a_healthy_kept_connection_is_kept_without_a_query(monkeypatch):
    assert connection.settings_dict["ENGINE"] == "kent360.core.postgresql"
    connection.settings_dict["CONN_HEALTH_CHECKS"] = True
    connection.health_check_enabled = True
    connection.ensure_connection()
    raw = connection.connection
    asked = []
    monkeypatch.setattr(connection, "is_usable", lambda: asked.append(1) or True)
    _start_of_request()
    assert connection.connection is raw and asked == []  # looked at the socket only
    with connection.cursor() as cursor:
        cursor.execute("SELECT 41 + 1")
        assert cursor.fetchone() == (42,)


def test_a_connection_the_server_dropped_is_reopened_before_the_next_request():
    connection.settings_dict["CONN_HEALTH_CHECKS"] = True
    connection.health_check_enabled = True
    connection.ensure_connection()
    raw = connection.connection
    pid = raw.info.backend_pid
    with _admin() as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    for _ in range(50):  # the server's goodbye reaches our socket within milliseconds
        if raw.pgconn.socket and _readable(raw):
            break
        time.sleep(0.02)
    _start_of_request()
    assert connection.connection is None  # closed here, not at the first statement
    with connection.cursor() as cursor:  # reconnects: the request goes through
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid


def _readable(raw: psycopg.Connection) -> bool:
    import select

    return bool(select.select([raw.pgconn.socket], [], [], 0)[0])
