"""Demo: holidays and business calendars for the demo municipalities, and a trained model
for Bornova from its demo history (a few seconds)."""

from __future__ import annotations

from datetime import time

from kent360.organizations.models import Organisation
from kent360.routing import services
from kent360.routing.calendar import DEFAULT_WORK_DAYS, shipped_countries
from kent360.routing.models import BusinessCalendar


def load_demo() -> dict[str, object]:
    added = {c: services.holidays_load(country=c) for c in shipped_countries()}
    trained: dict[str, object] = {}
    for org in Organisation.objects.filter(slug__in=["izmir", "bornova", "tehran6"]):
        BusinessCalendar.objects.get_or_create(
            organisation=org,
            defaults={
                "country": org.country,
                "work_days": DEFAULT_WORK_DAYS.get(org.country, "0,1,2,3,4"),
                "work_start": time(8, 0) if org.country == "IR" else time(8, 30),
                "work_end": time(16, 0) if org.country == "IR" else time(17, 30),
            },
        )
        services.routing_settings_get(org)
        if org.slug == "bornova" and services.current_model(org) is None:
            result = services.routing_train(organisation=org, note="demo")
            trained[org.slug] = round(result.metrics.get("accuracy", 0.0), 3)
    return {"holidays": added, "trained": trained}
