"""SQL of the hottest statements, written once per process instead of compiled per call.

Every citizen request passes through the same handful of statements (the API key, the
category, the citizen, the request, its first event, the audit row). Through the ORM,
building each statement's SQL costs more CPU than the database spends running it, so
at intake rates of hundreds per second per machine those statements are written here
once per process and only their parameters change.

The rule: a row written or read here is exactly the row the ORM would write or read
(defaults, ``auto_now``, foreign keys, JSON, time zones, the database's own converters);
``kent360/core/tests/test_fastsql.py`` compares both on SQLite and PostgreSQL. Statements
go through Django's cursor, so errors are Django's (``IntegrityError``, the outage
handling), queries are logged in tests, and the caller's transaction applies. There are
no model signals in kent360 (domain rules live in services), so none are skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import IntegrityError, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model
from django.db.models.base import ModelState
from django.db.models.expressions import DatabaseDefault
from django.db.models.fields import NOT_PROVIDED
from django.db.models.signals import post_init, pre_init

M = TypeVar("M", bound=Model)
Converter = Callable[[Any, Any, BaseDatabaseWrapper], Any]


def _connection(model: type[Model], using: str | None) -> BaseDatabaseWrapper:
    from django.db import router

    return connections[using or router.db_for_write(model)]


def prepared_cursor(connection: BaseDatabaseWrapper) -> Any:
    """Django's cursor, or on PostgreSQL one that keeps these statements prepared.

    PostgreSQL spends more time planning these short statements than running them (the
    API key's five-table join: ~0.6 ms planned each time, ~0.05 ms once prepared); a
    prepared statement is planned once per connection. Django's own cursors bind on the
    client and never prepare, so the ORM's queries are unchanged. The cursor is wrapped
    by Django as usual: its errors, query log and the caller's transaction apply.
    Prepared statements need a direct connection or a pooler that supports them
    (PgBouncer >= 1.21 with ``max_prepared_statements``); ``KENT360_DB_PREPARED=false``
    turns them off.
    """
    if connection.vendor != "postgresql" or not _prepared_enabled():
        return connection.cursor()
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:
        # Django switches preparing off for the whole connection; only cursors of this
        # kind ask for it (the ORM's client-side binding cursors cannot prepare).
        raw.prepare_threshold = 5
    cursor: Any = _PreparedCursor(raw)
    if connection.queries_logged:
        return connection.make_debug_cursor(cursor)
    return connection.make_cursor(cursor)


def _prepared_enabled() -> bool:
    from django.conf import settings

    return bool(getattr(settings, "KENT360_DB_PREPARED", True))


try:
    import psycopg

    class _Shown:
        """What Django's query log reads of the last statement (``cursor._query.query``),
        with the values written in as psql would show them; made only when asked for."""

        def __init__(self, cursor: psycopg.Cursor[Any], query: Any, params: Any) -> None:
            self._cursor, self._sql, self._params = cursor, query, params

        @property
        def query(self) -> bytes:
            shown = psycopg.ClientCursor(self._cursor.connection).mogrify(self._sql, self._params)
            return shown.encode()

    class _PreparedCursor(psycopg.Cursor[Any]):
        """A server-side binding cursor whose statements are prepared on first use."""

        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            kwargs["prepare"] = True
            result = super().execute(query, params, **kwargs)
            self._query = _Shown(self, query, params)  # type: ignore[assignment]
            return result

except ImportError:  # pragma: no cover - SQLite-only installations
    pass


class Reader:
    """Turns one model's columns of a result row into an instance, as the ORM does."""

    def __init__(self, model: type[M]) -> None:
        self.model = model
        self.fields: list[Field[Any, Any]] = list(model._meta.concrete_fields)
        self.attnames = [f.attname for f in self.fields]
        self.width = len(self.fields)
        self._converters: dict[str, list[tuple[int, list[Converter], Any]]] = {}

    def columns(self, alias: str, connection: BaseDatabaseWrapper) -> list[str]:
        quote = connection.ops.quote_name
        return [f"{alias}.{quote(str(f.column))}" for f in self.fields]

    def _converters_for(self, connection: BaseDatabaseWrapper) -> list[tuple[int, list[Any], Any]]:
        # Worked out once per connection: which columns need converting, and by what.
        found = self._converters.get(connection.alias)
        if found is None:
            found = []
            for i, field in enumerate(self.fields):
                col = field.get_col(self.model._meta.db_table)
                convert = connection.ops.get_db_converters(col) + field.get_db_converters(
                    connection
                )
                if convert:
                    found.append((i, convert, col))
            self._converters[connection.alias] = found
        return found

    def read(self, values: Sequence[Any], connection: BaseDatabaseWrapper) -> Any:
        """The instance, or None when the columns are all NULL (an outer join's miss)."""
        if values[0] is None:
            return None
        row = list(values)
        for i, convert, col in self._converters_for(connection):
            value = row[i]
            for fn in convert:
                value = fn(value, col, connection)
            row[i] = value
        return self.build(row, connection.alias)

    def build(self, row: list[Any], alias: str) -> Any:
        """``Model.from_db(alias, attnames, row)`` for a full row, without running
        ``__init__`` when nothing listens to the model's init signals: the same instance
        (the field values in its ``__dict__``, a fresh state), a fraction of the work."""
        model = self.model
        if pre_init.has_listeners(model) or post_init.has_listeners(model):
            return model.from_db(alias, self.attnames, row)
        obj = model.__new__(model)
        state = ModelState()
        state.adding = False
        state.db = alias
        obj.__dict__["_state"] = state
        obj.__dict__.update(zip(self.attnames, row, strict=True))
        return obj


class _InsertStatement:
    def __init__(self, model: type[Model], connection: BaseDatabaseWrapper) -> None:
        meta = model._meta
        self.pk = meta.pk
        self.fields = [f for f in meta.concrete_fields if not f.primary_key]
        for field in self.fields:
            if field.db_default is not NOT_PROVIDED:
                raise ValueError(f"{meta.label}.{field.name} has a database default")
        quote = connection.ops.quote_name
        self.returning = bool(connection.features.can_return_columns_from_insert)
        sql = (
            f"INSERT INTO {quote(meta.db_table)} "  # noqa: S608 (quoted model names only)
            f"({', '.join(quote(str(f.column)) for f in self.fields)}) "
            f"VALUES ({', '.join(['%s'] * len(self.fields))})"
        )
        assert self.pk is not None
        self.sql = sql + (f" RETURNING {quote(str(self.pk.column))}" if self.returning else "")
        # Per field: whether its pre_save is more than reading the attribute (auto_now),
        # the exact Python types whose preparation is known, and that preparation.
        self.plan = [
            (
                field,
                field.attname,
                type(field).pre_save is not Field.pre_save,
                *_shortcut(field, connection),
            )
            for field in self.fields
        ]

    def params(self, obj: Model, connection: BaseDatabaseWrapper) -> list[Any]:
        """The values to insert, as ``save()`` would prepare them (pre_save, then
        get_db_prep_save); for values of a known type the preparation is done directly."""
        params: list[Any] = []
        for field, attname, custom_pre_save, known, prepare in self.plan:
            value = field.pre_save(obj, True) if custom_pre_save else getattr(obj, attname)
            if value is None:
                params.append(None)
            elif type(value) in known:
                params.append(value if prepare is None else prepare(value))
            elif isinstance(value, DatabaseDefault):
                raise ValueError(f"{type(obj)._meta.label}.{field.name} has no value")
            else:
                params.append(field.get_db_prep_save(value, connection))
        return params


# Django's own fields whose preparation of a value of these exact types is known:
# CharField.to_python keeps a str, FloatField.get_prep_value is float(), and an integer
# goes to the backend's adapt_integerfield_value, which on PostgreSQL names the column's
# integer type. A subclass from elsewhere may
# prepare differently, so it always goes through Django.
_STR = ("CharField", "TextField", "SlugField")
_INT = (
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "PositiveBigIntegerField",
)
# Auto fields (and keys pointing at them) only check the value: AutoFieldMixin's
# get_db_prep_value does not adapt it.
_AUTO = ("AutoField", "BigAutoField", "SmallAutoField")


def _shortcut(
    field: Field[Any, Any], connection: BaseDatabaseWrapper
) -> tuple[tuple[type, ...], Callable[[Any], Any] | None]:
    target = getattr(field, "target_field", field) if field.many_to_one else field
    if not all(type(f).__module__.startswith("django.db.models.") for f in (field, target)):
        return (), None
    kind = target.get_internal_type()
    if kind in _STR:
        return (str,), None
    if kind == "FloatField":
        return (float,), None
    if kind == "BooleanField":
        return (bool,), None
    if kind in _AUTO:
        return (int,), None
    if kind in _INT:
        adapt = connection.ops.adapt_integerfield_value
        return (int,), lambda value: adapt(value, kind)
    return (), None


_inserts: dict[tuple[type[Model], str], _InsertStatement] = {}


def insert(obj: M, *, using: str | None = None) -> M:
    """INSERT ``obj`` as a new row (every concrete field) and set its primary key.

    The same as ``obj.save()`` for a new instance: ``pre_save`` runs for each field, so
    ``auto_now``/``auto_now_add`` are filled in; values are prepared by the fields.
    """
    connection = _connection(type(obj), using)
    statement = _statement(type(obj), connection)
    params = statement.params(obj, connection)
    with prepared_cursor(connection) as cursor:
        cursor.execute(statement.sql, params)
        pk = cursor.fetchone()[0] if statement.returning else cursor.lastrowid
    assert statement.pk is not None
    setattr(obj, statement.pk.attname, pk)
    obj._state.adding = False
    obj._state.db = connection.alias
    return obj


def insert_new(obj: M, *, unique: str, using: str | None = None) -> M | None:
    """``insert(obj)`` unless a row with the same value of the unique field ``unique`` is
    there already: then nothing is written and None is returned (ON CONFLICT DO
    NOTHING; no savepoint or error to recover from inside the caller's transaction)."""
    connection = _connection(type(obj), using)
    statement = _statement(type(obj), connection)
    if not statement.returning:  # a database that cannot say which row it wrote
        try:
            with transaction.atomic(using=connection.alias):
                return insert(obj, using=using)
        except IntegrityError:
            return None
    column = connection.ops.quote_name(str(_concrete_field(type(obj), unique).column))
    insert_sql, returning = statement.sql.split(" RETURNING ")
    sql = f"{insert_sql} ON CONFLICT ({column}) DO NOTHING RETURNING {returning}"
    with prepared_cursor(connection) as cursor:
        cursor.execute(sql, statement.params(obj, connection))
        row = cursor.fetchone()
    if row is None:
        return None
    assert statement.pk is not None
    setattr(obj, statement.pk.attname, row[0])
    obj._state.adding = False
    obj._state.db = connection.alias
    return obj


class _PairStatement:
    """``first`` and then ``second``, whose field ``link`` takes first's new key, as one
    statement: a data-modifying WITH on PostgreSQL (one round trip instead of two)."""

    def __init__(
        self, first: type[Model], second: type[Model], link: str, connection: BaseDatabaseWrapper
    ) -> None:
        quote = connection.ops.quote_name
        self.first = _statement(first, connection)
        self.second = _statement(second, connection)
        self.link = _concrete_field(second, link)
        self.link_index = [f.name for f in self.second.fields].index(self.link.name)
        assert self.first.pk is not None and self.second.pk is not None
        # Only quoted table and column names from the models go into these statements.
        key = f"(SELECT {quote(str(self.first.pk.column))} FROM p)"  # noqa: S608
        # a key written into a text column (an audit row's target_id) is its decimal form,
        # as str(pk) gives it
        if self.link.get_internal_type() in ("CharField", "TextField"):
            key = f"CAST({key} AS varchar)"
        values = ["%s"] * len(self.second.fields)
        values[self.link_index] = key
        first_sql = self.first.sql.split(" RETURNING ")[0]
        self.sql = (
            f"WITH p AS ({first_sql} RETURNING {quote(str(self.first.pk.column))}) "  # noqa: S608
            f"INSERT INTO {quote(second._meta.db_table)} "
            f"({', '.join(quote(str(f.column)) for f in self.second.fields)}) "
            f"VALUES ({', '.join(values)}) "
            f"RETURNING {quote(str(self.second.pk.column))}, {quote(str(self.link.column))}"
        )


def _concrete_field(model: type[Model], name: str) -> Field[Any, Any]:
    field = model._meta.get_field(name)
    if not isinstance(field, Field) or not field.concrete:
        raise ValueError(f"{model._meta.label}.{name} is not a column")
    return field


def _statement(model: type[Model], connection: BaseDatabaseWrapper) -> _InsertStatement:
    statement = _inserts.get((model, connection.alias))
    if statement is None:
        statement = _inserts[(model, connection.alias)] = _InsertStatement(model, connection)
    return statement


_pairs: dict[tuple[type[Model], type[Model], str, str], _PairStatement] = {}


def insert_pair(first: M, second: Model, *, link: str, using: str | None = None) -> M:
    """``insert(first)``, then ``insert(second)`` with ``second.<link>`` set to first's new
    primary key (a foreign key to it, or a text column holding it): the same two rows,
    written by one statement on PostgreSQL and by two elsewhere. Returns ``first``."""
    connection = _connection(type(first), using)
    if connection.vendor != "postgresql":
        insert(first, using=using)
        field = _concrete_field(type(second), link)
        value = first.pk if field.is_relation else str(first.pk)
        setattr(second, field.attname, value)
        if field.is_relation:
            setattr(second, field.name, first)
        insert(second, using=using)
        return first
    key = (type(first), type(second), link, connection.alias)
    pair = _pairs.get(key)
    if pair is None:
        pair = _pairs[key] = _PairStatement(type(first), type(second), link, connection)
    second_params = pair.second.params(second, connection)
    del second_params[pair.link_index]
    params = pair.first.params(first, connection) + second_params
    with prepared_cursor(connection) as cursor:
        cursor.execute(pair.sql, params)
        second_pk, linked = cursor.fetchone()
    first_pk = linked if pair.link.is_relation else int(linked)
    assert pair.first.pk is not None and pair.second.pk is not None
    for obj, meta, pk in ((first, pair.first, first_pk), (second, pair.second, second_pk)):
        assert meta.pk is not None
        setattr(obj, meta.pk.attname, pk)
        obj._state.adding = False
        obj._state.db = connection.alias
    setattr(second, pair.link.attname, linked)
    if pair.link.is_relation:
        setattr(second, pair.link.name, first)
    return first


class Select:
    """A SELECT of one model (and models joined to it) whose text is written once.

    ``joins`` are ``(attribute, model, "JOIN … ON …")`` with the alias the join text uses;
    the joined instance is set as the attribute of the first model (``None`` for an outer
    join that found nothing), as ``select_related`` would.
    """

    def __init__(
        self,
        model: type[Model],
        *,
        where: str,
        alias: str = "t",
        joins: Sequence[tuple[str, type[Model], str, str]] = (),
        tail: str = "",
    ) -> None:
        self.model = model
        self.alias = alias
        self.where = where
        self.tail = tail
        self.readers = [Reader(model)] + [Reader(m) for _attr, m, _alias, _join in joins]
        self.joins = list(joins)
        self._sql: dict[str, str] = {}

    def sql(self, connection: BaseDatabaseWrapper) -> str:
        text = self._sql.get(connection.alias)
        if text is None:
            quote = connection.ops.quote_name
            columns = self.readers[0].columns(self.alias, connection)
            joins = []
            for reader, (_attr, model, alias, join) in zip(
                self.readers[1:], self.joins, strict=True
            ):
                columns += reader.columns(alias, connection)
                joins.append(join.format(table=quote(model._meta.db_table)))
            # Only quoted names from the models and the fixed text given to __init__ go
            # into the statement; every value is a parameter.
            text = (
                f"SELECT {', '.join(columns)} "  # noqa: S608
                f"FROM {quote(self.model._meta.db_table)} {self.alias} "
                f"{' '.join(joins)} WHERE {self.where} {self.tail}"
            )
            if "FOR UPDATE" in self.tail and not connection.features.has_select_for_update:
                text = text.replace("FOR UPDATE", "")
            self._sql[connection.alias] = text
        return text

    def first(self, params: Sequence[Any], *, using: str | None = None) -> Any:
        """The first row as an instance with its joined instances, or None."""
        row = self.first_row(params, using=using)
        return None if row is None else self.build(row, using=using)

    def first_row(self, params: Sequence[Any], *, using: str | None = None) -> Any:
        """The first row as the database sent it (to keep, and ``build`` later), or None."""
        connection = _connection(self.model, using)
        with prepared_cursor(connection) as cursor:
            cursor.execute(self.sql(connection), list(params))
            return cursor.fetchone()

    def build(self, row: Sequence[Any], *, using: str | None = None) -> Any:
        """New instances from a row of ``first_row``, as ``first`` gives them."""
        connection = _connection(self.model, using)
        objects = []
        start = 0
        for reader in self.readers:
            objects.append(reader.read(row[start : start + reader.width], connection))
            start += reader.width
        head = objects[0]
        for obj, (attr, _model, _alias, _join) in zip(objects[1:], self.joins, strict=True):
            head._state.fields_cache[attr] = obj
        return head
