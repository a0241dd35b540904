"""Seed a throwaway database for the resilience runs; prints the secrets as JSON.

Run as ``python -m tests.resilience.seed`` with DATABASE_URL set (after migrate).
"""

from __future__ import annotations

import json
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kent360.settings")

import django

django.setup()

from kent360.intake.keys import api_key_create  # noqa: E402
from kent360.organizations import services as org_services  # noqa: E402
from kent360.organizations.models import Role  # noqa: E402

ORG = "resil"


def main() -> None:
    org = org_services.organisation_create(name="Resilience Belediyesi", slug=ORG, code_prefix="RS")
    fen = org_services.directorate_create(organisation=org, name="Fen İşleri", code="fen")
    org_services.category_create(
        organisation=org, name="Asfalt ve çukur", code="asfalt", default_directorate=fen
    )
    agent = org_services.staff_create(
        organisation=org, username="resil-agent", password=None, role=Role.AGENT
    )
    _key, staff_key = api_key_create(
        organisation=org, name="load client", scope="staff", actor=None, user=agent.user
    )
    _key, open311_key = api_key_create(
        organisation=org, name="open311 client", scope="open311", actor=None
    )
    print(json.dumps({"org": ORG, "staff_key": staff_key, "open311_key": open311_key}))


if __name__ == "__main__":
    main()
