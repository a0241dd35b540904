"""A month of requests in Bornova: several channels, kinds, categories and outcomes."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from kent360.organizations.models import Role
from kent360.reports import rollups
from kent360.requests import services as req

TZ = ZoneInfo("Europe/Istanbul")
BASE = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)  # a Monday
NOW = datetime(2026, 4, 1, 12, 0, tzinfo=TZ)


@pytest.fixture
def month(world, make_request):
    """24 requests over March 2026; answered on time, late, never; two reopened."""
    mgr = world.staff[Role.PR_MANAGER]
    made = []
    channels = ["desk", "phone", "web", "email"]
    kinds = ["request", "complaint", "suggestion"]
    hoods = ["Kazımdirik", "Erzene", "Evka 3"]
    for i in range(24):
        created = BASE + timedelta(days=i, hours=i % 5)
        with time_machine.travel(created, tick=False):
            r = make_request(
                created_at=created,
                channel=channels[i % 4],
                kind=kinds[i % 3],
                neighbourhood=hoods[i % 3],
                category=world.cat_asfalt if i % 2 else world.cat_cop,
                subject=f"Talep {i}",
                notify=False,
                latitude=38.46 + i * 0.001,
                longitude=27.22,
            )
        outcome = i % 4
        if outcome in (0, 1):
            # cop has 24 h, asfalt 72 h: 10 h is always on time, 100 h always late
            took = timedelta(hours=10 + i) if outcome == 0 else timedelta(hours=100 + i)
            with time_machine.travel(created + took, tick=False):
                req.request_assign(request=r, actor=mgr)
                req.request_answer(request=r, actor=mgr, answer="Yapıldı.")
            if i in (0, 5):
                with time_machine.travel(created + took + timedelta(hours=1), tick=False):
                    req.request_reopen(request=r, actor=mgr, reason="Hâlâ duruyor.")
        made.append(r)
    with time_machine.travel(NOW, tick=False):
        rollups.rollup_refresh()
    return made
