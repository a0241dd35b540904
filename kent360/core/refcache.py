"""Reference rows read on every API call, kept per process while nothing they come from
has changed.

Every API call reads the same few rows before it can start: the API key with its user,
staff membership and organisations, and the category or directorate named by code. They
change a few times a day; they are read hundreds of times a second. A process keeps the
rows it has read (the database's values, never shared instances: each caller gets new
instances built from them) for as long as the reference *generation* is unchanged.

The generation is a random token in ``core_refgeneration``. Database triggers
(``install_triggers``, run after every ``migrate``) give it a new value whenever a row of
a watched table is inserted, updated or deleted, or the table is truncated, whoever
writes: a service, the Django admin, raw SQL, another process or machine. The token is
a row written in the writer's transaction, so it changes for readers exactly when the
change itself becomes visible: a reader can never see a new token with old rows. (Writers
of reference data therefore take turns on that row until they commit; they are rare and
short: admin edits, key revocations, a key's ``last_used_at`` every five minutes.)

The rule: an HTTP request reads the token once, on its first cached lookup, and uses the
process's rows only if they were read under that token; otherwise every kept row is
dropped first. A request therefore sees reference data as of one moment at or after it
started, as if it had read every row then. Outside HTTP requests (workers, management
commands, tests calling services directly) nothing is kept: every lookup reads the
database.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.core.signals import request_finished, request_started
from django.db import connections

T = TypeVar("T")

# Tables whose rows the cached lookups return (through their joins); apps that cache rows
# of their own tables add them with ``watch`` when they are loaded.
WATCHED_TABLES = [
    "core_apikey",
    "auth_user",
    "organizations_staff",
    "organizations_organisation",
    "organizations_directorate",
    "organizations_category",
]


def watch(*tables: str) -> None:
    """Have ``install_triggers`` cover these tables too (call from an AppConfig.ready)."""
    for table in tables:
        if table not in WATCHED_TABLES:
            WATCHED_TABLES.append(table)


TABLE = "core_refgeneration"

_OUTSIDE = object()  # not serving an HTTP request: no caching
_UNCHECKED = object()  # in a request that has not read the token yet


class _State(threading.local):
    def __init__(self) -> None:
        self.token: object = _OUTSIDE


_state = _State()
# Shared by the threads of a process; dict operations are atomic under the GIL.
_rows: dict[Hashable, Any] = {}
_rows_token: list[object] = [None]
_MISSING = object()
_MAX_ROWS = 10_000  # a bound against a client trying many unknown keys


def _request_started(**_kwargs: Any) -> None:
    _state.token = _UNCHECKED


def _request_finished(**_kwargs: Any) -> None:
    _state.token = _OUTSIDE


request_started.connect(_request_started, dispatch_uid="kent360.refcache.started")
request_finished.connect(_request_finished, dispatch_uid="kent360.refcache.finished")


def current_token(using: str = "default") -> int | None:
    """The reference generation as the database has it now (None: no row, no caching)."""
    from kent360.core.fastsql import prepared_cursor

    with prepared_cursor(connections[using]) as cursor:
        cursor.execute(f"SELECT token FROM {TABLE} WHERE id = 1")  # noqa: S608 (constant)
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def cached(key: Hashable, load: Callable[[], T]) -> T:
    """``load()``'s result, kept under ``key`` while the reference generation holds.

    ``load`` must return plain values read from the watched tables (rows, not model
    instances: a kept value is handed to every later caller of the process).
    """
    token = _state.token
    if token is _OUTSIDE:
        return load()
    if token is _UNCHECKED:
        token = _state.token = current_token()
    if token is None:
        return load()
    if _rows_token[0] != token:
        _rows.clear()
        _rows_token[0] = token
    value = _rows.get(key, _MISSING)
    if value is _MISSING:
        value = load()
        if len(_rows) >= _MAX_ROWS:
            _rows.clear()
        _rows[key] = value
    return value  # type: ignore[no-any-return]


def clear() -> None:
    """Forget every kept row (tests, and after restoring a backup into a live process)."""
    _rows.clear()
    _rows_token[0] = None


def new_token() -> int:
    return random.SystemRandom().randrange(1, 2**62)


_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION kent360_refgeneration_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO core_refgeneration (id, token) VALUES (1, floor(random() * 4.6e18)::bigint + 1)
    ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;
    RETURN NULL;
END $$
"""


def install_triggers(using: str = "default") -> list[str]:
    """Create (or re-create) the triggers on every watched table that exists; idempotent.

    Returns the tables covered. Run after every ``migrate``: on SQLite, Django rebuilds a
    table to alter it, which drops the table's triggers.
    """
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    tables = [t for t in WATCHED_TABLES if t in existing]
    if TABLE not in existing:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_PG_FUNCTION)
            for table in tables:
                for name, sql in _pg_triggers(table):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                    cursor.execute(sql)
        elif connection.vendor == "sqlite":
            for table in tables:
                for operation in ("INSERT", "UPDATE", "DELETE"):
                    name = f"k360_refgen_{table}_{operation.lower()}"
                    cursor.execute(
                        # only the constant names of WATCHED_TABLES go into the text
                        f"CREATE TRIGGER IF NOT EXISTS {name} AFTER {operation} ON {table} "  # noqa: S608
                        f"BEGIN INSERT INTO {TABLE} (id, token) "
                        "VALUES (1, (random() & 4611686018427387903) + 1) "
                        "ON CONFLICT(id) DO UPDATE SET token = excluded.token; END"
                    )
        else:  # another database: no triggers, so nothing may be cached
            cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608 (constant)
            return []
        cursor.execute(f"SELECT COUNT(*) FROM {TABLE}")  # noqa: S608 (constant)
        if cursor.fetchone()[0] == 0:
            cursor.execute(
                f"INSERT INTO {TABLE} (id, token) VALUES (1, %s)",  # noqa: S608 (constant)
                [new_token()],
            )
    return tables


def _pg_triggers(table: str) -> list[tuple[str, str]]:
    return [
        (
            "k360_refgen",
            f"CREATE TRIGGER k360_refgen AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION kent360_refgeneration_bump()",
        )
    ]


def installed_triggers(using: str = "default") -> dict[str, int]:
    """How many kent360 reference triggers each watched table has (a check for tests)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname, COUNT(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname LIKE 'k360_refgen%%' GROUP BY c.relname"
            )
        else:
            cursor.execute(
                "SELECT tbl_name, COUNT(*) FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE 'k360_refgen_%' GROUP BY tbl_name"
            )
        return {name: count for name, count in cursor.fetchall()}
