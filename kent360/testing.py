"""Fixtures shared by every app's tests: two municipalities with staff of every role."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client
from rest_framework.test import APIClient

from kent360.organizations import services as org_services
from kent360.organizations.models import Category, Directorate, Organisation, Role, Staff

PASSWORD = "test-pass-ğüşİ"


@dataclass
class World:
    org: Organisation
    other_org: Organisation
    fen: Directorate
    temizlik: Directorate
    other_dir: Directorate
    cat_asfalt: Category
    cat_cop: Category
    other_cat: Category
    staff: dict[str, Staff]
    other_staff: dict[str, Staff]


def _make_org(
    slug: str, name: str, prefix: str
) -> tuple[Organisation, dict[str, Directorate], dict[str, Category], dict[str, Staff]]:
    org = org_services.organisation_create(name=name, slug=slug, code_prefix=prefix)
    fen = org_services.directorate_create(organisation=org, name="Fen İşleri Müdürlüğü", code="fen")
    tem = org_services.directorate_create(
        organisation=org, name="Temizlik İşleri Müdürlüğü", code="temizlik"
    )
    asfalt = org_services.category_create(
        organisation=org,
        name="Asfalt ve çukur",
        code="asfalt",
        default_directorate=fen,
        sla_hours=72,
    )
    cop = org_services.category_create(
        organisation=org, name="Çöp toplama", code="cop", default_directorate=tem, sla_hours=24
    )
    staff = {
        Role.AGENT: org_services.staff_create(
            organisation=org, username=f"{slug}-agent", password=PASSWORD, role=Role.AGENT
        ),
        Role.DIRECTORATE_STAFF: org_services.staff_create(
            organisation=org,
            username=f"{slug}-fen",
            password=PASSWORD,
            role=Role.DIRECTORATE_STAFF,
            directorate=fen,
        ),
        "temizlik_staff": org_services.staff_create(
            organisation=org,
            username=f"{slug}-temizlik",
            password=PASSWORD,
            role=Role.DIRECTORATE_STAFF,
            directorate=tem,
        ),
        Role.DIRECTORATE_MANAGER: org_services.staff_create(
            organisation=org,
            username=f"{slug}-fen-mudur",
            password=PASSWORD,
            role=Role.DIRECTORATE_MANAGER,
            directorate=fen,
        ),
        Role.PR_MANAGER: org_services.staff_create(
            organisation=org, username=f"{slug}-pr", password=PASSWORD, role=Role.PR_MANAGER
        ),
        Role.PRESS_OFFICER: org_services.staff_create(
            organisation=org, username=f"{slug}-basin", password=PASSWORD, role=Role.PRESS_OFFICER
        ),
        Role.ORG_ADMIN: org_services.staff_create(
            organisation=org, username=f"{slug}-admin", password=PASSWORD, role=Role.ORG_ADMIN
        ),
    }
    return org, {"fen": fen, "temizlik": tem}, {"asfalt": asfalt, "cop": cop}, staff


@pytest.fixture
def world(db: None) -> World:
    org, dirs, cats, staff = _make_org("bornova", "Bornova Belediyesi", "BRN")
    other, odirs, ocats, ostaff = _make_org("karsiyaka", "Karşıyaka Belediyesi", "KSK")
    return World(
        org=org,
        other_org=other,
        fen=dirs["fen"],
        temizlik=dirs["temizlik"],
        other_dir=odirs["fen"],
        cat_asfalt=cats["asfalt"],
        cat_cop=cats["cop"],
        other_cat=ocats["asfalt"],
        staff=staff,
        other_staff=ostaff,
    )


def login(client: Client, staff: Staff) -> Client:
    client.force_login(staff.user)
    return client


def staff_api_key(staff: Staff, *, name: str = "test", recently_used: bool = False) -> str:
    """A staff API key made the way an admin makes one (only its hash stored, audited);
    returns the raw key. ``recently_used`` marks it used just now, so that a lookup has
    nothing to write."""
    from django.utils import timezone

    from kent360.core.models import ApiKey
    from kent360.ops.services import api_key_create

    created = api_key_create(staff=staff, name=name)
    if recently_used:
        ApiKey.objects.filter(pk=created.key.pk).update(last_used_at=timezone.now())
    return created.raw


def api_client_for(staff: Staff, *, name: str = "test") -> APIClient:
    """A DRF test client authenticated by a new API key of ``staff``."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {staff_api_key(staff, name=name)}")
    return client


@pytest.fixture
def make_request(world: World):  # type: ignore[no-untyped-def]
    from kent360.requests.services import request_create

    def make(**kwargs):  # type: ignore[no-untyped-def]
        params = {
            "organisation": world.org,
            "actor": world.staff[Role.AGENT],
            "channel": "desk",
            "subject": "Kazımdirik'te çukur",
            "text": "İnönü Caddesi'nde derin bir çukur var.",
            "category": world.cat_asfalt,
            "contact_name": "Şükrü Çağlayan",
            "contact_phone": "0532 111 22 33",
            "contact_email": "sukru@example.org",
        }
        params.update(kwargs)
        return request_create(**params).request

    return make


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SmtpSink:
    """A real SMTP server (aiosmtpd) on a free local port that keeps what it receives."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[object] = []
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
                import email
                from email import policy

                sink.messages.append(
                    email.message_from_bytes(envelope.content, policy=policy.default)
                )
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=free_port())

    def start(self) -> SmtpSink:
        self.controller.start()
        return self

    @property
    def port(self) -> int:
        return int(self.controller.port)

    def stop(self) -> None:
        import contextlib

        with contextlib.suppress(AssertionError, RuntimeError):
            self.controller.stop()


def _smtp(settings):  # type: ignore[no-untyped-def]
    sink = SmtpSink().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = sink.port
    settings.EMAIL_USE_TLS = False
    yield sink
    sink.stop()


@pytest.fixture
def smtp_server(settings):  # type: ignore[no-untyped-def]
    """Route Django's e-mail through a real in-process SMTP conversation."""
    yield from _smtp(settings)


@pytest.fixture
def smtp_sink(settings):  # type: ignore[no-untyped-def]
    """The platform-wide SMTP sink under a name no app's own fixture shadows."""
    yield from _smtp(settings)


def database_unreachable():  # type: ignore[no-untyped-def]
    """Make every new database connection fail, as during a PostgreSQL restart.

    The settings dict is shared by the connections of all threads, so work started in a
    new thread (an SMTP handler, a request served in a thread) connects and fails for
    real. The caller's own open connection is left as it is.
    """
    import contextlib

    from django.db import connections

    @contextlib.contextmanager
    def outage():  # type: ignore[no-untyped-def]
        settings_dict = connections["default"].settings_dict
        saved = dict(settings_dict)
        if connections["default"].vendor == "sqlite":
            settings_dict["NAME"] = "/nonexistent-kent360-outage/db.sqlite3"
        else:
            settings_dict["HOST"], settings_dict["PORT"] = "127.0.0.1", str(free_port())
        try:
            yield
        finally:
            settings_dict.clear()
            settings_dict.update(saved)

    return outage()


def in_thread(func):  # type: ignore[no-untyped-def]
    """Run ``func`` in a fresh thread (with its own database connection); return its result."""
    import threading

    from django.db import connection

    out: list[object] = []

    def run() -> None:
        try:
            out.append(func())
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(60)
    return out[0]
