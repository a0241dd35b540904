"""Writes of the press office: releases, their workflow, versions, comments and configuration.

Every function is atomic, keyword-only and leaves a ReleaseEvent plus an audit event.
"""

from __future__ import annotations

import hashlib
import io
import mimetypes
import uuid
import warnings
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from kent360.core.audit import audit
from kent360.core.errors import DomainError, InvalidTransition, NotAllowed
from kent360.core.text import fold_diacritics, search_key, turkish_lower
from kent360.organizations.models import Directorate, Organisation, Role, Staff
from kent360.press import permissions, workflow
from kent360.press.models import (
    Event,
    PressConfig,
    Release,
    ReleaseAttachment,
    ReleaseEvent,
    ReleaseKind,
    ReleaseState,
    ReleaseTranslation,
    ReleaseVersion,
)
from kent360.press.sanitise import clean_html, plain_text

LANGUAGES = ("tr", "en", "fa")
# Newsroom addresses that a release's slug must not take (kent360.press.public_urls).
RESERVED_SLUGS = frozenset({"rss", "atom", "alerts"})
APPROVER_ROLES = frozenset({Role.PR_MANAGER, Role.ORG_ADMIN, Role.PRESS_OFFICER})


def press_config(organisation: Organisation) -> PressConfig:
    config, _created = PressConfig.objects.get_or_create(organisation=organisation)
    return config


@transaction.atomic
def press_config_set(
    *, organisation: Organisation, actor: Staff, approval_roles: list[str]
) -> PressConfig:
    """The approval chain is an ordered, non-empty list of press roles, set by the org admin."""
    if actor.organisation_id != organisation.pk or not permissions.can_configure(actor):
        raise NotAllowed(_("Only the organisation admin configures the press office."))
    roles = [r for r in approval_roles if r]
    if not roles or any(r not in APPROVER_ROLES for r in roles):
        raise DomainError(_("The approval chain needs one or more of the press roles."))
    config = press_config(organisation)
    config.approval_roles = roles
    config.save(update_fields=["approval_roles"])
    audit(action="press.config", target=config, actor=actor, data={"approval_roles": roles})
    return config


def _event(
    release: Release,
    type: str,
    *,
    actor: Staff | None,
    text: str = "",
    from_state: str = "",
    to_state: str = "",
    data: dict[str, Any] | None = None,
) -> ReleaseEvent:
    return ReleaseEvent.objects.create(
        release=release,
        organisation_id=release.organisation_id,
        type=type,
        actor=actor,
        actor_label=actor.display_name if actor else _("system"),
        from_state=from_state,
        to_state=to_state,
        text=text,
        data=data or {},
    )


def _slug(organisation: Organisation, title: str) -> str:
    base = slugify(fold_diacritics(turkish_lower(title)))[:80].strip("-") or "duyuru"
    slug = base
    while (
        slug in RESERVED_SLUGS
        or Release.objects.filter(organisation=organisation, slug=slug).exists()
    ):
        slug = f"{base}-{uuid.uuid4().hex[:6]}"
    return slug


def _reindex(release: Release) -> None:
    parts = [release.tags, release.project]
    for t in release.translations.all():
        parts += [t.title, t.summary, plain_text(t.body)]
    release.search_text = search_key(" ".join(p for p in parts if p))
    release.updated_at = timezone.now()
    release.save(update_fields=["search_text", "updated_at"])


def _require_writer(actor: Staff, release: Release | None, organisation: Organisation) -> None:
    if actor.organisation_id != organisation.pk:
        raise NotAllowed(_("This belongs to another organisation."))
    if not permissions.can_write(actor):
        raise NotAllowed(_("Your role cannot write press releases."))
    if release is not None and release.state != ReleaseState.DRAFT:
        raise InvalidTransition(_("Only drafts can be changed; send it back to draft first."))


def _validate_text(language: str, title: str, body: str) -> str:
    if language not in LANGUAGES:
        raise DomainError(_("Unknown language."))
    cleaned = clean_html(body)
    if not title.strip() or not plain_text(cleaned):
        raise DomainError(_("A title and a text are required."))
    return cleaned


@transaction.atomic
def release_create(
    *,
    organisation: Organisation,
    actor: Staff,
    title: str,
    body: str,
    language: str = "tr",
    summary: str = "",
    kind: str = ReleaseKind.RELEASE,
    tags: str = "",
    directorate: Directorate | None = None,
    project: str = "",
    shared_with_network: bool = False,
) -> Release:
    """A new draft with its first language version; the author is the one who creates it."""
    _require_writer(actor, None, organisation)
    cleaned = _validate_text(language, title, body)
    if directorate is not None and directorate.organisation_id != organisation.pk:
        raise DomainError(_("The directorate belongs to another organisation."))
    if kind not in ReleaseKind.values:
        raise DomainError(_("Unknown kind."))
    release = Release.objects.create(
        organisation=organisation,
        kind=kind,
        slug=_slug(organisation, title),
        default_language=language,
        tags=tags.strip(),
        directorate=directorate,
        project=project.strip(),
        author=actor,
        shared_with_network=shared_with_network,
    )
    _store_text(release, actor, language, title.strip(), summary.strip(), cleaned)
    _event(release, "created", actor=actor, to_state=ReleaseState.DRAFT)
    _reindex(release)
    audit(action="press.release.create", target=release, actor=actor)
    return release


def _store_text(
    release: Release, actor: Staff, language: str, title: str, summary: str, body: str
) -> ReleaseVersion | None:
    ReleaseTranslation.objects.update_or_create(
        release=release,
        language=language,
        defaults={"title": title, "summary": summary, "body": body},
    )
    last = release.versions.filter(language=language).order_by("-number").first()
    if last and (last.title, last.summary, last.body) == (title, summary, body):
        return None
    return ReleaseVersion.objects.create(
        release=release,
        language=language,
        number=(last.number + 1) if last else 1,
        title=title,
        summary=summary,
        body=body,
        author=actor,
    )


@transaction.atomic
def release_save_text(
    *, release: Release, actor: Staff, language: str, title: str, body: str, summary: str = ""
) -> ReleaseVersion | None:
    """Save one language of a draft; a changed text becomes a new version (none if unchanged)."""
    release = Release.objects.select_for_update().get(pk=release.pk)
    _require_writer(actor, release, release.organisation)
    cleaned = _validate_text(language, title, body)
    version = _store_text(release, actor, language, title.strip(), summary.strip(), cleaned)
    if version is not None:
        _event(
            release,
            "edited",
            actor=actor,
            data={"language": language, "version": version.number},
        )
        _reindex(release)
        audit(action="press.release.edit", target=release, actor=actor, data={"lang": language})
    return version


@transaction.atomic
def release_update_details(
    *,
    release: Release,
    actor: Staff,
    tags: str,
    project: str,
    directorate: Directorate | None,
    shared_with_network: bool,
    kind: str,
) -> Release:
    release = Release.objects.select_for_update().get(pk=release.pk)
    _require_writer(actor, release, release.organisation)
    if directorate is not None and directorate.organisation_id != release.organisation_id:
        raise DomainError(_("The directorate belongs to another organisation."))
    release.tags, release.project, release.kind = tags.strip(), project.strip(), kind
    release.directorate, release.shared_with_network = directorate, shared_with_network
    release.save(update_fields=["tags", "project", "directorate", "shared_with_network", "kind"])
    _event(release, "details", actor=actor)
    _reindex(release)
    return release


@transaction.atomic
def release_comment(*, release: Release, actor: Staff, text: str) -> ReleaseEvent:
    """Comments are for the people working on the release; they never reach the newsroom."""
    if actor.organisation_id != release.organisation_id or not permissions.can_view(actor):
        raise NotAllowed(_("You cannot comment on this release."))
    if not text.strip():
        raise DomainError(_("Write a comment first."))
    return _event(release, "comment", actor=actor, text=text.strip())


def approval_chain(release: Release) -> list[str]:
    return list(press_config(release.organisation).approval_roles)


def can_do(actor: Staff, release: Release, action: str) -> bool:
    if actor.organisation_id != release.organisation_id:
        return False
    if action == "approve":
        chain = approval_chain(release)
        return release.approval_step < len(chain) and actor.role == chain[release.approval_step]
    if action == "send_back":
        return actor.role in approval_chain(release) or permissions.can_write(actor)
    if action == "archive":
        return permissions.can_write(actor) or permissions.can_configure(actor)
    return permissions.can_write(actor)


@transaction.atomic
def release_transition(
    *,
    release: Release,
    actor: Staff | None,
    action: str,
    text: str = "",
    scheduled_at: datetime | None = None,
) -> Release:
    """Move a release one step; ``actor`` None is the scheduler publishing a due release."""
    release = Release.objects.select_for_update().get(pk=release.pk)
    spec = workflow.ACTIONS.get(action)
    if spec is None or release.state not in spec.sources:
        raise InvalidTransition(_("This step is not possible now."))
    if actor is not None and not can_do(actor, release, action):
        raise NotAllowed(_("Your role cannot take this step."))
    before = release.state
    now = timezone.now()
    data: dict[str, Any] = {}
    if action == "submit":
        release.approval_step = 0
    elif action == "approve":
        data = {"step": release.approval_step + 1, "role": actor.role if actor else ""}
        release.approval_step += 1
    elif action == "send_back":
        if not text.strip():
            raise DomainError(_("Say what should change."))
        release.approval_step = 0
    elif action == "schedule":
        if scheduled_at is None or scheduled_at <= now:
            raise DomainError(_("Choose a time in the future."))
        release.scheduled_at = scheduled_at
        data = {"at": scheduled_at.isoformat()}
    elif action == "unschedule":
        release.scheduled_at = None
    elif action == "publish":
        release.published_at = now
    target = spec.target
    if action == "approve":
        done = release.approval_step >= len(approval_chain(release))
        target = ReleaseState.APPROVED if done else ReleaseState.IN_REVIEW
    release.state = target
    release.updated_at = now
    release.save()
    _event(release, action, actor=actor, text=text, from_state=before, to_state=target, data=data)
    audit(
        action=f"press.release.{action}",
        target=release,
        actor=actor,
        data={"from": before, "to": target},
    )
    return release


def release_publish_due(*, now: datetime | None = None) -> int:
    """Publish scheduled releases whose time has come; safe to run from many workers."""
    now = now or timezone.now()
    count = 0
    due = Release.objects.filter(state=ReleaseState.SCHEDULED, scheduled_at__lte=now)
    for pk in due.values_list("pk", flat=True):
        try:
            release_transition(release=Release(pk=pk), actor=None, action="publish")
            count += 1
        except InvalidTransition:
            continue  # another worker published it first
    return count


@transaction.atomic
def release_publish_direct(
    *,
    organisation: Organisation,
    title: str,
    body: str,
    language: str,
    approved_by: Staff,
    kind: str = ReleaseKind.ANNOUNCEMENT,
    origin: str = "",
) -> Release:
    """Publish a text approved elsewhere (the crisis room's single approval) in one step.

    The approval of record is the one given by ``approved_by``; the events name the origin.
    """
    cleaned = _validate_text(language, title, body)
    release = Release.objects.create(
        organisation=organisation,
        kind=kind,
        slug=_slug(organisation, title),
        default_language=language,
        state=ReleaseState.PUBLISHED,
        published_at=timezone.now(),
        shared_with_network=True,
    )
    ReleaseTranslation.objects.create(release=release, language=language, title=title, body=cleaned)
    ReleaseVersion.objects.create(
        release=release, language=language, number=1, title=title, body=cleaned
    )
    _event(
        release,
        "published_from",
        actor=None,
        to_state=ReleaseState.PUBLISHED,
        text=origin,
        data={"approved_by": approved_by.pk},
    )
    _reindex(release)
    audit(action="press.release.publish_direct", target=release, actor=approved_by)
    return release


@transaction.atomic
def release_attach(*, release: Release, actor: Staff, upload: UploadedFile) -> ReleaseAttachment:
    _require_writer(actor, release, release.organisation)
    head = upload.read(16)
    upload.seek(0)
    content_type = _sniff(head) or mimetypes.guess_type(upload.name or "")[0] or ""
    allowed = content_type.startswith("image/") or content_type in {
        "application/pdf",
        "application/zip",
    }
    if not allowed:
        raise DomainError(_("Attach images, PDF or ZIP files."))
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    att = ReleaseAttachment(
        release=release,
        organisation_id=release.organisation_id,
        original_name=(upload.name or "file")[:255],
        content_type=content_type,
        size=upload.size or 0,
    )
    att.file.save(digest.hexdigest()[:16], upload, save=False)
    att.save()
    _event(release, "attached", actor=actor, data={"name": att.original_name})
    return att


# The main image is decoded to check it; a larger one could exhaust memory (a "decompression
# bomb": a few kilobytes of PNG that claim billions of pixels).
MAX_IMAGE_PIXELS = 40_000_000
IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}


def _verified_image(data: bytes) -> str:
    """The file's extension if the bytes are a whole JPEG/PNG/WebP/GIF of sane size."""
    limit = min(MAX_IMAGE_PIXELS, Image.MAX_IMAGE_PIXELS or MAX_IMAGE_PIXELS)
    too_big = DomainError(
        _("The image is too large (at most %(n)s megapixels).") % {"n": limit // 1_000_000}
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                width, height = img.size
                fmt = img.format or ""
                if width * height > limit:
                    raise too_big
                img.verify()
            with Image.open(io.BytesIO(data)) as img:
                img.load()  # verify() does not decode pixels; a truncated file fails here
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise too_big from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise DomainError(_("This file is not an image we can use.")) from exc
    if fmt not in IMAGE_FORMATS:
        raise DomainError(_("Use a JPEG, PNG, WebP or GIF image."))
    return IMAGE_FORMATS[fmt]


@transaction.atomic
def release_set_image(*, release: Release, actor: Staff, upload: UploadedFile) -> Release:
    """The release's main image (newsroom and link previews); checked by decoding it."""
    release = Release.objects.select_for_update().get(pk=release.pk)
    _require_writer(actor, release, release.organisation)
    if (upload.size or 0) > settings.KENT360_MAX_ATTACHMENT_BYTES:
        raise DomainError(_("The file is too large."))
    data = upload.read()
    ext = _verified_image(data)
    old = release.image.name if release.image else ""
    name = f"{hashlib.sha256(data).hexdigest()[:16]}.{ext}"
    release.image.save(name, ContentFile(data), save=False)
    release.updated_at = timezone.now()
    release.save(update_fields=["image", "updated_at"])
    if old and old != release.image.name:
        release.image.storage.delete(old)
    _event(release, "image", actor=actor, data={"name": (upload.name or "")[:200]})
    audit(action="press.release.image", target=release, actor=actor)
    return release


def _sniff(head: bytes) -> str:
    signatures = {
        b"\x89PNG": "image/png",
        b"\xff\xd8\xff": "image/jpeg",
        b"GIF8": "image/gif",
        b"%PDF": "application/pdf",
        b"PK\x03\x04": "application/zip",
    }
    for sig, ctype in signatures.items():
        if head.startswith(sig):
            return ctype
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return ""


@transaction.atomic
def event_create(
    *,
    organisation: Organisation,
    actor: Staff,
    title: str,
    kind: str,
    starts_at: datetime,
    ends_at: datetime | None = None,
    location: str = "",
    description: str = "",
    owner: Staff | None = None,
    releases: list[Release] | None = None,
    is_public: bool = True,
    shared_with_network: bool = False,
) -> Event:
    """A calendar entry; an end before its start is refused, linked releases must be ours."""
    _require_writer(actor, None, organisation)
    if ends_at is not None and ends_at < starts_at:
        raise DomainError(_("The event ends before it starts."))
    if owner is not None and owner.organisation_id != organisation.pk:
        raise DomainError(_("The owner belongs to another organisation."))
    releases = releases or []
    if any(r.organisation_id != organisation.pk for r in releases):
        raise DomainError(_("A linked release belongs to another organisation."))
    event = Event.objects.create(
        organisation=organisation,
        title=title.strip(),
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        location=location.strip(),
        description=description.strip(),
        owner=owner or actor,
        is_public=is_public,
        shared_with_network=shared_with_network,
    )
    event.releases.set(releases)
    audit(action="press.event.create", target=event, actor=actor)
    return event
