from __future__ import annotations

from dataclasses import dataclass

import pytest

from kent360.organizations import services as org_services
from kent360.organizations.models import Organisation, Role, Staff
from kent360.testing import PASSWORD


@dataclass
class Net:
    metro: Organisation
    districts: dict[str, Organisation]
    staff: dict[tuple[str, str], Staff]

    def s(self, slug: str, role: str) -> Staff:
        return self.staff[(slug, role)]


@pytest.fixture
def net(db: None) -> Net:
    """İzmir metropolitan with three districts, each with press staff and an admin."""
    metro = org_services.organisation_create(
        name="İzmir Büyükşehir Belediyesi", slug="izmir", kind="metropolitan", code_prefix="IZM"
    )
    districts = {
        slug: org_services.organisation_create(
            name=name, slug=slug, kind="district", parent=metro, code_prefix=slug[:3]
        )
        for slug, name in [
            ("bornova", "Bornova Belediyesi"),
            ("karsiyaka", "Karşıyaka Belediyesi"),
            ("buca", "Buca Belediyesi"),
        ]
    }
    staff = {}
    for org in [metro, *districts.values()]:
        for role in (Role.PRESS_OFFICER, Role.PR_MANAGER, Role.ORG_ADMIN, Role.AGENT):
            staff[(org.slug, role)] = org_services.staff_create(
                organisation=org, username=f"{org.slug}-{role}", password=PASSWORD, role=role
            )
    return Net(metro, districts, staff)
