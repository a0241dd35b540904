from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kent360.media.digest import render_html
from kent360.social.models import SocialItem
from kent360.social.selectors import social_mentions

pytestmark = pytest.mark.django_db


def _item(org, external_id, text, *, kind=SocialItem.Kind.MENTION, age=timedelta(hours=2)):
    return SocialItem.objects.create(
        organisation=org,
        network="mastodon",
        external_id=external_id,
        kind=kind,
        author="@ayse@mastodon.example",
        text=text,
        url=f"https://mastodon.example/@ayse/{external_id}",
        received_at=timezone.now() - age,
    )


def test_digest_has_a_social_media_section_with_the_days_mentions_only(world):
    now = timezone.now()
    _item(world.org, "1", "Bornova parkı çok güzel olmuş")
    _item(world.org, "2", "Dünkü eski mention", age=timedelta(hours=30))
    _item(world.org, "3", "Özel mesaj: telefonum 0532", kind=SocialItem.Kind.DIRECT)
    _item(world.other_org, "4", "Karşıyaka iskelesi")
    found = social_mentions(organisation=world.org, start=now - timedelta(hours=24), end=now)
    assert [i.external_id for i in found] == ["1"]
    html = render_html(organisation=world.org, now=now)
    assert "Social media" in html or "Sosyal medya" in html
    assert "Bornova parkı çok güzel olmuş" in html and "https://mastodon.example/@ayse/1" in html
    for absent in ("Dünkü eski mention", "Özel mesaj", "Karşıyaka iskelesi"):
        assert absent not in html


def test_digest_without_mentions_has_no_social_section(world):
    html = render_html(organisation=world.org, now=timezone.now())
    assert "Social media" not in html and "Sosyal medya" not in html
