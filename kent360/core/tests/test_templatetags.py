"""Template helpers against what Django itself renders."""

import pytest
from django.test.html import parse_html
from django.utils import translation

from kent360.core.templatetags.kent360 import select
from kent360.organizations.models import Role
from kent360.requests.forms import InboxFilterForm


@pytest.mark.parametrize("lang", ["tr", "fa", "en"])
@pytest.mark.parametrize(
    "data",
    [None, {"state": "closed", "channel": "phone"}, {"state": "", "category": "x"}, {}],
)
def test_select_is_the_markup_django_renders(world, lang, data):
    staff = world.staff[Role.PR_MANAGER]
    if data is not None and "category" in data:
        data = {**data, "category": str(world.cat_cop.pk), "directorate": "999999"}
    with translation.override(lang):
        form = InboxFilterForm(data, staff=staff)
        for name in ("state", "category", "directorate", "channel"):
            field = form[name]
            ours = parse_html(select(field))
            assert ours == parse_html(str(field.as_widget())), name
            assert len(ours.children) == len(list(field.field.choices)) > 1
    if data and data.get("category"):
        assert f'value="{world.cat_cop.pk}" selected' in select(form["category"])
