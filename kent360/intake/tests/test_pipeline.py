"""The raw-first pipeline: store, process once, fail visibly, convert by hand."""

import pytest

from kent360.intake import services
from kent360.intake.models import InboundMessage, Status
from kent360.organizations.models import Role
from kent360.requests.models import Request


def test_same_item_twice_makes_one_message_and_one_request(
    world, django_capture_on_commit_callbacks
):
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            result = services.inbound_receive(
                organisation=world.org,
                source="web",
                idempotency_key="abc",
                payload={"text": "Sokak lambası yanmıyor", "category": "asfalt"},
            )
    assert InboundMessage.objects.count() == 1
    msg = InboundMessage.objects.get()
    assert msg.status == Status.DONE and msg.request is not None
    assert msg.request.channel == "web" and msg.request.category == world.cat_asfalt
    # processing again (a second worker, a retry) is a no-op
    services.inbound_process(message_id=msg.pk)
    InboundMessage.objects.filter(pk=msg.pk).update(status=Status.PENDING)
    services.inbound_process(message_id=msg.pk)
    assert Request.objects.count() == 1
    assert result.created is False


def test_parse_failure_is_kept_with_its_error_and_converted_by_hand(
    world, client, django_capture_on_commit_callbacks
):
    from kent360.testing import login

    with django_capture_on_commit_callbacks(execute=True):
        result = services.inbound_receive(
            organisation=world.org,
            source="web",
            idempotency_key="k1",
            payload={"text": "x", "category": "nope"},
        )
    msg = InboundMessage.objects.get(pk=result.message.pk)
    assert msg.status == Status.FAILED and "nope" in msg.error
    assert Request.objects.count() == 0
    login(client, world.staff[Role.AGENT])
    page = client.get("/intake/")
    assert "nope" in page.content.decode()
    response = client.post(
        f"/intake/items/{msg.pk}/",
        {
            "subject": "Lamba",
            "text": "Sokak lambası yanmıyor",
            "kind": "complaint",
            "category": world.cat_cop.pk,
        },
    )
    assert response.status_code == 302
    msg.refresh_from_db()
    assert msg.status == Status.DONE and msg.request.kind == "complaint"
    assert msg.handled_by == world.staff[Role.AGENT]


def test_other_organisation_cannot_see_or_convert_an_item(world, client):
    from kent360.testing import login

    msg = services.inbound_receive(
        organisation=world.org, source="web", idempotency_key="k2", payload={}
    ).message
    login(client, world.other_staff[Role.ORG_ADMIN])
    assert client.get(f"/intake/items/{msg.pk}/").status_code == 404
    assert (
        client.post(
            f"/intake/items/{msg.pk}/", {"subject": "a", "text": "b", "kind": "request"}
        ).status_code
        == 404
    )
    assert client.get(f"/intake/items/{msg.pk}/raw/").status_code == 404


def test_crash_mid_processing_is_picked_up_by_the_sweep(world, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    msg = services.inbound_receive(
        organisation=world.org,
        source="web",
        idempotency_key="k3",
        payload={"text": "Çöp alınmadı"},
        enqueue=False,
    ).message
    # a worker claimed it and died
    InboundMessage.objects.filter(pk=msg.pk).update(
        status=Status.PROCESSING, processed_at=timezone.now() - timedelta(hours=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.inbound_sweep() == 1
    msg.refresh_from_db()
    assert msg.status == Status.DONE and msg.attempts == 1


@pytest.mark.parametrize("status", ["done", "discarded"])
def test_discard_needs_a_reason_and_not_a_done_item(world, status):
    from kent360.core.errors import DomainError

    msg = services.inbound_receive(
        organisation=world.org,
        source="web",
        idempotency_key=f"d-{status}",
        payload={},
        enqueue=False,
    ).message
    with pytest.raises(DomainError):
        services.inbound_discard(message=msg, actor=world.staff[Role.AGENT], reason=" ")
    services.inbound_discard(message=msg, actor=world.staff[Role.AGENT], reason="spam")
    msg.refresh_from_db()
    assert msg.status == Status.DISCARDED and InboundMessage.objects.filter(pk=msg.pk).exists()


def test_transient_database_error_puts_the_item_back_in_the_queue_not_in_failed(world):
    """A deadlock (or a restart) mid-way is not the item's fault: it is retried, not failed."""
    from django.db import OperationalError, connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the deadlock is raised by a PL/pgSQL trigger")
    result = services.inbound_receive(
        organisation=world.org,
        source="web",
        idempotency_key="deadlock",
        payload={"text": "Sokak lambası yanmıyor", "category": "asfalt"},
        enqueue=False,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION k360_deadlock() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'simulated' USING ERRCODE = 'deadlock_detected'; END $$;"
            "CREATE TRIGGER k360_deadlock BEFORE INSERT ON requests_request "
            "FOR EACH ROW EXECUTE FUNCTION k360_deadlock();"
        )
    with pytest.raises(OperationalError):
        services.inbound_process(message_id=result.message.pk)
    msg = InboundMessage.objects.get(pk=result.message.pk)
    assert msg.status == Status.PENDING and msg.error == ""
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER k360_deadlock ON requests_request")
    assert services.inbound_process(message_id=msg.pk).status == Status.DONE
    assert Request.objects.count() == 1


def test_sweep_processes_pending_items_itself_without_growing_the_queue(world, settings):
    """A backlog must not be amplified: the sweep enqueues nothing, it does the work."""
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["intake"]}
    }
    msg = services.inbound_receive(
        organisation=world.org,
        source="web",
        idempotency_key="backlog",
        payload={"text": "Çöp alınmadı"},
        enqueue=False,
    ).message
    InboundMessage.objects.filter(pk=msg.pk).update(received_at=timezone.now() - timedelta(hours=1))
    assert services.inbound_sweep() == 1
    msg.refresh_from_db()
    assert msg.status == Status.DONE and msg.request is not None
    assert DBTaskResult.objects.filter(task_path__endswith="process_inbound").count() == 0
