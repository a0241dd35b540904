"""Statements written once per process must write and read exactly what the ORM would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings as dj_settings
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kent360.citizens.models import Citizen
from kent360.core.fastsql import Select, insert, prepared_cursor
from kent360.core.models import AuditEvent
from kent360.organizations.models import Category, Role
from kent360.requests.models import Request, RequestEvent


def _row(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def _without_pk(values: dict) -> dict:
    return {k: v for k, v in values.items() if k != "id"}


def test_an_inserted_event_reads_back_like_one_the_orm_created(world, make_request):
    request = make_request()
    staff = world.staff[Role.AGENT]
    at = datetime(2026, 3, 20, 21, 30, 15, 123456, tzinfo=UTC)  # Nevruz eve, microseconds
    fields = {
        "request": request,
        "organisation_id": world.org.pk,
        "type": "note",
        "actor": staff,
        "actor_label": "Gülşen Işık",
        "text": "Şikâyet İzmir'de; «تهران» ي/ك\u200c",
        "data": {"nested": {"liste": [1, 2.5, None, True]}, "metin": "çğıöşü İ"},
        "is_public": True,
        "created_at": at,
    }
    ours = insert(RequestEvent(**fields))
    theirs = RequestEvent.objects.create(**fields)
    assert ours.pk and ours.pk != theirs.pk and not ours._state.adding
    assert _without_pk(_row(RequestEvent.objects.get(pk=ours.pk))) == _without_pk(
        _row(RequestEvent.objects.get(pk=theirs.pk))
    )
    assert RequestEvent.objects.get(pk=ours.pk).created_at == at


def test_auto_now_defaults_and_nulls_are_filled_in_as_save_does(world):
    before = timezone.now()
    citizen = insert(Citizen(organisation=world.org, name="Ali Rıza", phone="+905321112233"))
    stored = Citizen.objects.get(pk=citizen.pk)
    assert before <= stored.created_at <= timezone.now()
    assert stored.updated_at is not None and stored.consent_at is None
    assert stored.preferred_language == "tr" and stored.email == ""
    assert citizen.created_at == stored.created_at  # pre_save set it on the instance too
    event = insert(AuditEvent(organisation=None, action="test.insert", target_type="x"))
    assert AuditEvent.objects.get(pk=event.pk).data == {}


def test_select_reads_an_instance_and_its_joined_row_like_select_related(world):
    from kent360.organizations.selectors import category_by_code

    category = Category.objects.filter(organisation=world.org).first()
    assert category is not None
    staff = world.staff[Role.AGENT]
    with CaptureQueriesContext(connection) as queries:
        found = category_by_code(staff=staff, code=category.code)
        assert found is not None and found.default_directorate.name  # no second query
    assert len(queries) == 1 and category.code in queries[0]["sql"]
    orm = Category.objects.select_related("default_directorate").get(pk=category.pk)
    assert _row(found) == _row(orm)
    assert _row(found.default_directorate) == _row(orm.default_directorate)
    # the other organisation's staff never get this organisation's row
    other = category_by_code(staff=world.other_staff[Role.AGENT], code=category.code)
    assert other is None or other.organisation_id == world.other_org.pk
    assert category_by_code(staff=staff, code="yok-böyle-bir-kod") is None


def test_a_request_row_with_every_kind_of_field_round_trips(world, make_request):
    template = make_request(latitude=38.4622, longitude=27.2166, neighbourhood="Erzene")
    values = _row(Request.objects.get(pk=template.pk))
    values.pop("id")
    values["tracking_code"] = "TEST-RT01"
    values["idempotency_key"] = "fastsql-ığüşöç"
    values["due_at"] = template.created_at + timedelta(hours=48)
    ours = insert(Request(**values))
    select = Select(Request, where="t.organisation_id = %s AND t.idempotency_key = %s")
    read = select.first([world.org.pk, "fastsql-ığüşöç"])
    assert read.pk == ours.pk
    assert _without_pk(_row(read)) == _without_pk(_row(Request.objects.get(pk=ours.pk)))
    written = _without_pk(_row(read))
    assert written.pop("updated_at") >= values.pop("updated_at")  # auto_now, as save() does
    assert written == values
    assert isinstance(read.latitude, float | Decimal)


def test_errors_are_djangos_and_the_transaction_rolls_back(world, make_request):
    first = make_request()
    values = _row(first)
    values.pop("id")  # same tracking code: the unique index refuses it
    with pytest.raises(IntegrityError), transaction.atomic():
        insert(Citizen(organisation=world.org, name="geri alınır"))
        insert(Request(**values))
    assert not Citizen.objects.filter(name="geri alınır").exists()


@pytest.mark.skipif(
    "postgres" not in dj_settings.DATABASES["default"]["ENGINE"],
    reason="prepared statements are PostgreSQL's; SQLite runs Django's cursor",
)
def test_on_postgresql_the_statements_are_prepared_once_per_connection(world, settings):
    select = Select(Citizen, where="t.organisation_id = %s AND t.phone = %s")
    for n in range(3):
        select.first([world.org.pk, f"+9053200000{n:02d}"])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            [f"%FROM {connection.ops.quote_name(Citizen._meta.db_table)} t%"],
        )
        assert cursor.fetchone()[0] == 1  # prepared once, used three times
    settings.KENT360_DB_PREPARED = False
    with prepared_cursor(connection) as cursor:
        assert type(cursor.cursor).__name__ != "_PreparedCursor"


def _django_params(obj) -> list:
    fields = [f for f in type(obj)._meta.concrete_fields if not f.primary_key]
    return [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]


def _comparable(params: list) -> list:
    # psycopg's Jsonb wrapper has no value equality: compare what it wraps
    return [(type(v), getattr(v, "obj", v)) for v in params]


def _statement(model):
    from kent360.core.fastsql import _InsertStatement

    return _InsertStatement(model, connection)


@pytest.mark.parametrize(
    "label",
    ["plain values", "look-alike types", "enum members", "nulls and blanks"],
)
def test_insert_parameters_are_those_save_would_send(world, make_request, label):
    """The shortcut for values whose preparation is the identity must give exactly what
    Django's field preparation gives, whatever the value's type."""
    from kent360.requests.models import Channel, Kind, State

    request = make_request()
    at = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    if label == "plain values":
        values = {"kind": "complaint", "priority": 2, "latitude": 38.42, "sla_paused_seconds": 0}
    elif label == "look-alike types":
        # a bool where an int goes, an int where a float goes, a Decimal, a lazy string
        from django.utils.translation import gettext_lazy

        values = {
            "priority": True,
            "latitude": 38,
            "longitude": Decimal("27.1428"),
            "subject": gettext_lazy("Çukur"),
            "sla_paused_seconds": False,
        }
    elif label == "enum members":
        values = {"kind": Kind.SUGGESTION, "channel": Channel.PHONE, "state": State.ASSIGNED}
    else:
        values = {"latitude": None, "longitude": None, "address": "", "category": None}
    obj = Request(
        organisation=world.org,
        tracking_code="ABCD-EFGH",
        subject="Kaldırım",
        text="İnönü Caddesi",
        created_at=at,
        due_at=at + timedelta(hours=48),
        citizen=request.citizen,
    )
    for name, value in values.items():
        setattr(obj, name, value)
    with time_machine.travel(at, tick=False):  # auto_now fields: the same "now" for both
        ours = _statement(Request).params(obj, connection)
        theirs = _django_params(obj)
    assert _comparable(ours) == _comparable(theirs)


def test_insert_parameters_of_every_model_written_through_fastsql(world, make_request):
    request = make_request(channel="email")
    event = request.events.get(type="created")
    audit = AuditEvent.objects.first()
    for obj in (request, event, request.citizen, audit, Category.objects.first()):
        obj._state.adding = True
        with time_machine.travel(timezone.now(), tick=False):
            ours = _statement(type(obj)).params(obj, connection)
            theirs = _django_params(obj)
        assert _comparable(ours) == _comparable(theirs)


def test_a_pair_is_written_as_two_inserts_would_write_it(world, make_request):
    from kent360.core.audit import audit_created
    from kent360.core.fastsql import insert_pair

    template = make_request()
    at = datetime(2026, 3, 21, 9, 0, 0, 654321, tzinfo=UTC)

    def request_and_event(code: str) -> tuple[Request, RequestEvent]:
        request = Request(
            organisation=world.org,
            tracking_code=code,
            subject="Nevruz'da çöp",
            text="Kazımdirik Mahallesi — «تهران» ي/ك",
            category=world.cat_cop,
            directorate=world.temizlik,
            citizen=template.citizen,
            created_at=at,
            due_at=at + timedelta(hours=24),
            latitude=38.46,
            longitude=27.22,
        )
        event = RequestEvent(
            request=request,
            organisation_id=world.org.pk,
            type="created",
            actor=world.staff[Role.AGENT],
            actor_label="Çağrı Merkezi",
            to_state="received",
            data={"channel": "desk", "ek": ["ı", 1.5]},
            is_public=True,
            created_at=at,
        )
        return request, event

    a, a_event = request_and_event("PAIR-AAAA")
    with CaptureQueriesContext(connection) as queries:
        insert_pair(a, a_event, link="request")
    assert len(queries) == (1 if connection.vendor == "postgresql" else 2)
    b, b_event = request_and_event("PAIR-BBBB")
    insert(b)
    b_event.request = b
    insert(b_event)
    assert a.pk and a_event.pk and not a._state.adding and not a_event._state.adding
    assert a_event.request_id == a.pk and a_event.request is a
    stored_a, stored_b = Request.objects.get(pk=a.pk), Request.objects.get(pk=b.pk)
    skip = {"id", "tracking_code", "updated_at"}
    assert {k: v for k, v in _row(stored_a).items() if k not in skip} == {
        k: v for k, v in _row(stored_b).items() if k not in skip
    }
    event_a = RequestEvent.objects.get(pk=a_event.pk)
    event_b = RequestEvent.objects.get(pk=b_event.pk)
    assert event_a.request_id == a.pk
    assert {k: v for k, v in _row(event_a).items() if k not in {"id", "request_id"}} == {
        k: v for k, v in _row(event_b).items() if k not in {"id", "request_id"}
    }

    citizen = audit_created(
        action="citizen.create",
        target=Citizen(organisation=world.org, name="Şule Öztürk", phone="+905551112233"),
        actor=world.staff[Role.AGENT],
    )
    entry = AuditEvent.objects.get(action="citizen.create", target_id=str(citizen.pk))
    assert citizen.pk and Citizen.objects.get(pk=citizen.pk).name == "Şule Öztürk"
    assert entry.target_type == "citizens.citizen" and entry.organisation_id == world.org.pk
    assert entry.actor_id == world.staff[Role.AGENT].user_id


def test_a_pair_that_fails_writes_neither_row(world, make_request):
    from kent360.core.fastsql import insert_pair

    taken = make_request().tracking_code
    at = timezone.now()
    request = Request(
        organisation=world.org,
        tracking_code=taken,  # the unique index refuses it
        subject="x",
        text="y",
        created_at=at,
        due_at=at,
    )
    event = RequestEvent(request=request, organisation_id=world.org.pk, type="created")
    before = (Request.objects.count(), RequestEvent.objects.count())
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_pair(request, event, link="request")
    assert (Request.objects.count(), RequestEvent.objects.count()) == before


def test_rows_read_become_the_instances_from_db_would_make(world, make_request):
    """Readers build instances without running __init__; they must equal Django's."""
    from django.contrib.auth import get_user_model
    from django.db.models.signals import post_init

    from kent360.core.fastsql import Reader
    from kent360.core.models import ApiKey
    from kent360.organizations.models import Directorate, Organisation, Staff

    request = make_request(channel="email")
    ApiKey.objects.create(organisation=world.org, name="k", prefix="p", key_hash="h" * 64)
    models = [Request, RequestEvent, Citizen, AuditEvent, ApiKey, Organisation]
    models += [get_user_model(), Staff, Category, Directorate]
    for model in models:
        reader = Reader(model)
        columns = ", ".join(reader.columns("t", connection))
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {columns} FROM {model._meta.db_table} t")  # noqa: S608
            rows = cursor.fetchall()
        assert rows, model
        for row in rows:
            ours = reader.read(row, connection)
            theirs = model.objects.get(pk=ours.pk)
            assert type(ours) is model and not ours._state.adding
            assert ours._state.db == theirs._state.db
            assert {k: v for k, v in vars(ours).items() if k != "_state"} == {
                k: v for k, v in vars(theirs).items() if k != "_state"
            }
    # with a listener on the model's init signal, Django's own construction runs
    seen = []

    def listener(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(listener, sender=Request)
    try:
        reader = Reader(Request)
        columns = ", ".join(reader.columns("t", connection))
        with connection.cursor() as cursor:
            sql = f"SELECT {columns} FROM requests_request t WHERE t.id = %s"  # noqa: S608
            cursor.execute(sql, [request.pk])
            built = reader.read(cursor.fetchone(), connection)
    finally:
        post_init.disconnect(listener, sender=Request)
    assert seen == [built]
