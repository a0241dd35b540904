"""RSS 2.0 and Atom feeds of an organisation's newsroom, per language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from kent360.organizations.models import Organisation
from kent360.press.models import Release
from kent360.press.sanitise import plain_text
from kent360.press.selectors import newsroom_releases


@dataclass(frozen=True)
class Target:
    """The feed's subject; the language travels with it (a Feed instance serves every request)."""

    org: Organisation
    lang: str

    @property
    def name(self) -> str:
        return self.org.name

    @property
    def slug(self) -> str:
        return self.org.slug


class NewsroomRss(Feed):
    def get_object(self, request: HttpRequest, org: str) -> Target:  # type: ignore[override]
        lang = request.GET.get("lang", "")
        return Target(get_object_or_404(Organisation, slug=org, is_active=True), lang)

    def title(self, obj: Target) -> str:
        return _("%(org)s newsroom") % {"org": obj.name}

    def link(self, obj: Target) -> str:
        return reverse("press_public:newsroom", args=[obj.slug])

    def description(self, obj: Target) -> str:
        return _("Press releases and announcements of %(org)s") % {"org": obj.name}

    def items(self, obj: Target) -> list[Release]:
        releases = list(newsroom_releases(organisation=obj.org, language=obj.lang)[:50])
        for r in releases:
            r.feed_language = obj.lang  # type: ignore[attr-defined]
        return releases

    def _t(self, item: Release) -> Any:
        return item.translation(getattr(item, "feed_language", "") or None)

    def item_title(self, item: Release) -> str:
        return self._t(item).title

    def item_description(self, item: Release) -> str:
        t = self._t(item)
        return t.summary or plain_text(t.body)[:400]

    def item_link(self, item: Release) -> str:
        url = reverse("press_public:release", args=[item.organisation.slug, item.slug])
        lang = self._t(item).language
        return f"{url}?lang={lang}"

    def item_pubdate(self, item: Release) -> datetime | None:
        return item.published_at

    def item_categories(self, item: Release) -> list[str]:
        return item.tag_list


class NewsroomAtom(NewsroomRss):
    feed_type = Atom1Feed

    def subtitle(self, obj: Target) -> str:
        return self.description(obj)
