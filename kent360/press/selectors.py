"""Reads of the press office, always through the asking staff member (never across orgs)."""

from __future__ import annotations

import difflib
from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from kent360.core.text import search_key
from kent360.organizations.models import Organisation, Staff
from kent360.press import permissions
from kent360.press.models import (
    ContactList,
    Distribution,
    Event,
    Journalist,
    Release,
    ReleaseState,
    ReleaseTranslation,
    ReleaseVersion,
)
from kent360.press.sanitise import plain_text

PUBLIC_STATES = (ReleaseState.PUBLISHED,)


def _require(staff: Staff) -> None:
    if not permissions.can_view(staff):
        raise Http404


def release_list(*, staff: Staff, state: str = "", q: str = "") -> QuerySet[Release]:
    _require(staff)
    qs = Release.objects.filter(organisation_id=staff.organisation_id).prefetch_related(
        "translations"
    )
    if state:
        qs = qs.filter(state=state)
    if q:
        qs = qs.filter(search_text__contains=search_key(q))
    return qs.order_by("-updated_at")


def release_get(*, staff: Staff, pk: int) -> Release:
    _require(staff)
    release = (
        Release.objects.filter(organisation_id=staff.organisation_id, pk=pk)
        .prefetch_related("translations")
        .first()
    )
    if release is None:
        raise Http404
    return release


def release_diff(*, release: Release, language: str, a: int, b: int) -> list[str]:
    """A unified diff (difflib) of two versions' plain text, title and summary included."""
    versions = {
        v.number: v
        for v in ReleaseVersion.objects.filter(
            release=release, language=language, number__in=[a, b]
        )
    }
    if a not in versions or b not in versions:
        raise Http404

    def text_lines(v: ReleaseVersion) -> list[str]:
        html = v.body
        for tag in ("</p>", "<br>", "</li>", "</div>", "</h2>", "</h3>"):
            html = html.replace(tag, tag + "\n")
        return [v.title, v.summary] + [
            plain_text(part) for part in html.split("\n") if plain_text(part)
        ]

    return list(
        difflib.unified_diff(
            text_lines(versions[a]),
            text_lines(versions[b]),
            fromfile=f"v{a}",
            tofile=f"v{b}",
            lineterm="",
        )
    )


def newsroom_releases(
    *, organisation: Organisation, q: str = "", language: str = "", kind: str = ""
) -> QuerySet[Release]:
    """What the public sees: published releases only, optionally those in one language."""
    qs = Release.objects.filter(organisation=organisation, state__in=PUBLIC_STATES)
    if language:
        qs = qs.filter(translations__language=language)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(search_text__contains=search_key(q))
    return qs.prefetch_related(
        Prefetch("translations", queryset=ReleaseTranslation.objects.order_by("language"))
    ).order_by("-published_at")


def newsroom_release(*, organisation: Organisation, slug: str) -> Release:
    release = newsroom_releases(organisation=organisation).filter(slug=slug).first()
    if release is None:
        raise Http404
    return release


def event_list(
    *, staff: Staff, start: datetime | None = None, end: datetime | None = None
) -> QuerySet[Event]:
    _require(staff)
    qs = Event.objects.filter(organisation_id=staff.organisation_id)
    if start is not None:
        qs = qs.filter(Q(ends_at__gte=start) | Q(ends_at__isnull=True, starts_at__gte=start))
    if end is not None:
        qs = qs.filter(starts_at__lt=end)
    return qs.select_related("owner__user").order_by("starts_at")


def event_get(*, staff: Staff, pk: int) -> Event:
    _require(staff)
    event = Event.objects.filter(organisation_id=staff.organisation_id, pk=pk).first()
    if event is None:
        raise Http404
    return event


def public_events(*, organisation: Organisation) -> QuerySet[Event]:
    return Event.objects.filter(organisation=organisation, is_public=True).order_by("starts_at")


def journalist_list(*, staff: Staff, q: str = "") -> QuerySet[Journalist]:
    _require(staff)
    qs = Journalist.objects.filter(organisation_id=staff.organisation_id).select_related("outlet")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(email__icontains=q) | Q(beats__icontains=q))
    return qs


def contact_lists(*, staff: Staff) -> QuerySet[ContactList]:
    _require(staff)
    return ContactList.objects.filter(organisation_id=staff.organisation_id)


def list_recipients(contact_list: ContactList) -> QuerySet[Journalist]:
    """Members of a list, or for a segment every contact matching its filters."""
    qs = Journalist.objects.filter(organisation_id=contact_list.organisation_id)
    if not contact_list.is_segment:
        return qs.filter(lists=contact_list)
    if contact_list.outlet_kind:
        qs = qs.filter(outlet__kind=contact_list.outlet_kind)
    if contact_list.outlet_scope:
        qs = qs.filter(outlet__scope=contact_list.outlet_scope)
    if contact_list.beat:
        qs = qs.filter(beats__icontains=contact_list.beat)
    if contact_list.language:
        qs = qs.filter(languages__icontains=contact_list.language)
    return qs


def distribution_get(*, staff: Staff, pk: int) -> Distribution:
    _require(staff)
    d = Distribution.objects.filter(organisation_id=staff.organisation_id, pk=pk).first()
    if d is None:
        raise Http404
    return d
