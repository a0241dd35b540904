"""The routing demo: holidays, calendars and a model trained from the demo history."""

from __future__ import annotations

from kent360.core.demo.loader import load_demo as core_demo
from kent360.organizations.models import Organisation
from kent360.routing.demo import load_demo
from kent360.routing.models import BusinessCalendar, Holiday, RoutingModel


def test_demo_trains_bornova_and_seeds_calendars(db):
    core_demo(requests_per_org=120)
    summary = load_demo()
    bornova = Organisation.objects.get(slug="bornova")
    model = RoutingModel.objects.get(organisation=bornova, is_current=True)
    # Demo texts are templated; the 4 % "thanks" texts filed under arbitrary categories and
    # the random split keep this a little below 1.0.
    assert model.metrics["held_out"]["accuracy"] > 0.6
    assert summary["trained"]["bornova"] == round(model.metrics["held_out"]["accuracy"], 3)
    assert BusinessCalendar.objects.get(organisation__slug="tehran6").work_days == "5,6,0,1,2"
    assert Holiday.objects.filter(country="IR").exists()
    again = load_demo()  # idempotent: no second model, no duplicate holidays
    assert again["trained"] == {} and all(n == 0 for n in again["holidays"].values())
    assert RoutingModel.objects.filter(organisation=bornova).count() == 1
