"""Fixtures shared by every app's tests: two municipalities with staff of every role."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

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
