"""Writes of citizen requests. Every function is atomic and leaves an event on the timeline.

Views, the API, intake tasks and management commands call these; none of them changes a
Request row directly.
"""

from __future__ import annotations

import codecs
import hashlib
import mimetypes
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kent360.citizens.models import Citizen
from kent360.citizens.services import citizen_match_or_create
from kent360.core.audit import audit
from kent360.core.errors import DomainError, InvalidTransition
from kent360.core.fastsql import Select, insert, insert_pair
from kent360.core.text import search_key
from kent360.organizations.models import Category, Directorate, Organisation, Role, Staff
from kent360.requests import permissions, workflow
from kent360.requests.models import (
    Attachment,
    Channel,
    EventType,
    Kind,
    Priority,
    Request,
    RequestEvent,
    State,
    new_tracking_code,
)
from kent360.requests.sla import compute_due_at, sla_pause, sla_resume

# Events the citizen hears about (and sees on the tracking page).
PUBLIC_ACTIONS = frozenset(
    {"wait", "assign", "answer", "close", "reopen", "reject", "merge", "transfer"}
)


@dataclass(frozen=True)
class CreateResult:
    request: Request
    created: bool


def _actor_label(actor: Staff | None, fallback: str = "") -> str:
    return actor.display_name if actor is not None else fallback


def _event(
    request: Request,
    type: str,
    *,
    actor: Staff | None,
    text: str = "",
    from_state: str = "",
    to_state: str = "",
    data: dict[str, Any] | None = None,
    is_public: bool = False,
    actor_label: str = "",
    at: datetime | None = None,
    write: bool = True,
) -> RequestEvent:
    """A timeline event of the request, inserted (or only built, ``write=False``)."""
    event = RequestEvent(
        request=request,
        organisation_id=request.organisation_id,
        type=type,
        actor=actor,
        actor_label=actor_label or _actor_label(actor),
        from_state=from_state,
        to_state=to_state,
        text=text,
        data=data or {},
        is_public=is_public,
        created_at=at or timezone.now(),
    )
    return insert(event) if write else event


def _search_text(request: Request) -> str:
    parts = [
        request.tracking_code,
        request.subject,
        request.text,
        request.address,
        request.neighbourhood,
        request.contact_name,
        request.external_ref,
    ]
    return search_key(" ".join(p for p in parts if p), request.language)


def _notify(request: Request, event: RequestEvent) -> None:
    """Tell the citizen; the notifications app decides channel, template and retries."""
    from kent360.notifications.services import notification_queue_for_event

    notification_queue_for_event(request=request, event=event)


def _check_org(organisation: Organisation, obj: Category | Directorate | None, what: str) -> None:
    if obj is not None and obj.organisation_id != organisation.pk:
        label = _("category") if what == "category" else _("directorate")
        raise DomainError(_("The %(what)s belongs to another organisation.") % {"what": label})


def request_create(
    *,
    organisation: Organisation,
    actor: Staff | None,
    channel: str,
    subject: str,
    text: str,
    kind: str = Kind.REQUEST,
    category: Category | None = None,
    directorate: Directorate | None = None,
    priority: int = Priority.NORMAL,
    language: str = "tr",
    latitude: float | None = None,
    longitude: float | None = None,
    address: str = "",
    neighbourhood: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    national_id: str = "",
    external_ref: str = "",
    idempotency_key: str | None = None,
    created_at: datetime | None = None,
    notify: bool = True,
    actor_label: str = "",
) -> CreateResult:
    """Register a citizen submission.

    The same ``idempotency_key`` within an organisation always yields the one request
    first created with it (a retried API call, a re-sent e-mail), never a second one.
    The directorate defaults to the category's; the deadline is counted from receipt.
    """
    if actor is not None and actor.organisation_id != organisation.pk:
        raise DomainError(_("You cannot register requests for another organisation."))
    if actor is not None and not permissions.can_create(actor):
        raise DomainError(_("Your role cannot register requests."), code="not_allowed")
    _validate_create(
        kind=kind,
        channel=channel,
        subject=subject,
        text=text,
        priority=priority,
        latitude=latitude,
        longitude=longitude,
    )
    _check_org(organisation, category, "category")
    _check_org(organisation, directorate, "directorate")
    if category is not None and not category.is_active:
        raise DomainError(_("This category is no longer in use."))
    fields: dict[str, Any] = {
        "organisation": organisation,
        "actor": actor,
        "channel": channel,
        "subject": subject,
        "text": text,
        "kind": kind,
        "category": category,
        "directorate": directorate,
        "priority": priority,
        "language": language,
        "latitude": latitude,
        "longitude": longitude,
        "address": address,
        "neighbourhood": neighbourhood,
        "contact_name": contact_name,
        "contact_phone": contact_phone,
        "contact_email": contact_email,
        "national_id": national_id,
        "external_ref": external_ref,
        "idempotency_key": idempotency_key or None,
        "created_at": created_at or timezone.now(),
        "notify": notify,
        "actor_label": actor_label,
    }
    for attempt in range(TRACKING_CODE_ATTEMPTS):
        try:
            with transaction.atomic():
                return CreateResult(_request_insert(**fields), True)
        except IntegrityError:
            # Either the idempotency key was used before (a retry: nearly every create
            # carries a new key, so the unique index is asked instead of a query first),
            # or (about once in 10^5 creates at 10M requests) the random tracking code was
            # taken: everything the attempt wrote is rolled back, and the request first
            # created with the key is returned, or the insert is redone with a new code.
            if idempotency_key:
                existing = _with_idempotency_key(organisation, idempotency_key)
                if existing is not None:
                    return CreateResult(existing, False)
            if attempt == TRACKING_CODE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


TRACKING_CODE_ATTEMPTS = 5


_BY_IDEMPOTENCY_KEY = Select(Request, where="t.organisation_id = %s AND t.idempotency_key = %s")


def _with_idempotency_key(organisation: Organisation, key: str) -> Request | None:
    found: Request | None = _BY_IDEMPOTENCY_KEY.first([organisation.pk, key])
    return found


# (``Kind.values`` builds a new list on every call)
_KINDS = frozenset(Kind.values)
_CHANNELS = frozenset(Channel.values)
_PRIORITIES = frozenset(Priority.values)


def _validate_create(
    *,
    kind: str,
    channel: str,
    subject: str,
    text: str,
    priority: int,
    latitude: float | None,
    longitude: float | None,
) -> None:
    errors: dict[str, str] = {}
    if kind not in _KINDS:
        errors["kind"] = _("Unknown kind of request.")
    if channel not in _CHANNELS:
        errors["channel"] = _("Unknown channel.")
    if not (subject or "").strip():
        errors["subject"] = _("A subject is required.")
    if not (text or "").strip():
        errors["text"] = _("The text of the request is required.")
    if priority not in _PRIORITIES:
        errors["priority"] = _("Unknown priority.")
    if (latitude is None) != (longitude is None):
        errors["latitude"] = _("Give both latitude and longitude, or neither.")
    if latitude is not None and not -90 <= latitude <= 90:
        errors["latitude"] = _("Latitude must be between -90 and 90.")
    if longitude is not None and not -180 <= longitude <= 180:
        errors["longitude"] = _("Longitude must be between -180 and 180.")
    if errors:
        from django.core.exceptions import ValidationError

        raise ValidationError(errors)


def _request_insert(
    *,
    organisation: Organisation,
    actor: Staff | None,
    category: Category | None,
    directorate: Directorate | None,
    created_at: datetime,
    notify: bool,
    national_id: str,
    actor_label: str,
    **fields: Any,
) -> Request:
    citizen = citizen_match_or_create(
        organisation=organisation,
        name=fields["contact_name"],
        phone=fields["contact_phone"],
        email=fields["contact_email"],
        national_id=national_id,
        language=fields["language"],
        actor=actor,
    )
    request = Request(
        organisation=organisation,
        category=category,
        directorate=directorate or (category.default_directorate if category else None),
        citizen=citizen,
        created_by=actor,
        created_at=created_at,
        due_at=compute_due_at(organisation=organisation, category=category, start=created_at),
        subject=fields.pop("subject").strip()[:300],
        text=fields.pop("text").strip(),
        **fields,
    )
    request.tracking_code = new_tracking_code()  # unique index; a clash retries the insert
    request.search_text = _search_text(request)
    event = _event(
        request,
        EventType.CREATED,
        actor=actor,
        to_state=State.RECEIVED,
        is_public=True,
        data={"channel": request.channel},
        at=created_at,
        actor_label=actor_label or _actor_label(actor, str(Channel(request.channel).label)),
        write=False,
    )
    insert_pair(request, event, link="request")  # the request and its first event at once
    if notify:
        _notify(request, event)
    if category is None and directorate is None:
        _route(request)
    return request


def _route(request: Request) -> None:
    """Let the router guess category and directorate (auto-assign or triage queue)."""
    from django.apps import apps

    if apps.is_installed("kent360.routing"):
        from kent360.routing.services import routing_route_request

        decision = routing_route_request(request=request, just_created=True)
        if decision is not None and decision.auto_routed:
            request.refresh_from_db()  # assigned by the router through its own instance


def _locked(request: Request) -> Request:
    return Request.objects.select_for_update().get(pk=request.pk)


def _transition(
    request: Request,
    actor: Staff | None,
    action: str,
    *,
    text: str = "",
    data: dict[str, Any] | None = None,
    system: bool = False,
    notify: bool = True,
    event_type: str = EventType.STATE,
    at: datetime | None = None,
    actor_label: str = "",
) -> RequestEvent:
    spec = workflow.ACTIONS[action]
    if not system:
        permissions.require(actor, request, action)
    if request.state not in spec.sources:
        separator = "، " if translation.get_language() == "fa" else ", "
        possible = separator.join(str(a.label) for a in workflow.allowed_actions(request.state))
        possible = possible or "—"
        raise InvalidTransition(
            _(
                '"%(action)s" is not possible while the request is "%(state)s". '
                "Possible now: %(possible)s."
            )
            % {
                "state": workflow.state_label(request.state),
                "action": str(spec.label),
                "possible": possible,
            }
        )
    from_state = request.state
    request.state = spec.target
    now = at or timezone.now()
    if spec.target == State.ANSWERED and request.first_answered_at is None:
        request.first_answered_at = now
    if spec.target in (State.CLOSED, State.REJECTED, State.MERGED):
        request.closed_at = now
    if spec.target == State.REOPENED:
        request.closed_at = None
    if spec.target == State.WAITING:
        sla_pause(request, now)
    elif from_state == State.WAITING:
        sla_resume(request, now)
    request.save()
    event = _event(
        request,
        event_type,
        actor=actor,
        text=text,
        from_state=from_state,
        to_state=spec.target,
        data={"action": action, **(data or {})},
        is_public=action in PUBLIC_ACTIONS,
        at=now,
        actor_label=actor_label,
    )
    if notify and action in PUBLIC_ACTIONS:
        _notify(request, event)
    return event


@transaction.atomic
def request_triage(
    *,
    request: Request,
    actor: Staff,
    category: Category | None = None,
    directorate: Directorate | None = None,
    note: str = "",
) -> Request:
    """Look at a new request and decide its category and directorate."""
    request = _locked(request)
    _check_org(request.organisation, category, "category")
    _check_org(request.organisation, directorate, "directorate")
    changes: dict[str, Any] = {}
    if category is not None and category.pk != request.category_id:
        changes["category"] = [str(request.category or ""), str(category)]
        request.category = category
        request.due_at = compute_due_at(
            organisation=request.organisation, category=category, start=request.created_at
        )
    target = directorate or (category.default_directorate if category else None)
    if target is not None and target.pk != request.directorate_id:
        changes["directorate"] = [str(request.directorate or ""), str(target)]
        request.directorate = target
    _transition(request, actor, "triage", text=note, data={"changes": changes})
    return request


@transaction.atomic
def request_assign(
    *,
    request: Request,
    actor: Staff,
    assignee: Staff | None = None,
    directorate: Directorate | None = None,
    note: str = "",
) -> Request:
    """Give the request to a directorate (and optionally a person in it)."""
    request = _locked(request)
    _check_org(request.organisation, directorate, "directorate")
    if assignee is not None and assignee.organisation_id != request.organisation_id:
        raise DomainError(_("The assignee belongs to another organisation."))
    target_dir = directorate or (
        assignee.directorate if assignee and assignee.directorate else None
    )
    target_dir = target_dir or request.directorate
    if target_dir is None:
        raise DomainError(_("Choose a directorate to assign the request to."))
    if actor.role == Role.DIRECTORATE_STAFF and assignee is not None and assignee.pk != actor.pk:
        raise DomainError(
            _("Directorate staff can only take a request themselves."), code="not_allowed"
        )
    if assignee is not None and assignee.directorate_id not in (None, target_dir.pk):
        raise DomainError(_("The assignee does not work in that directorate."))
    # Permission is judged on the request as it stands, before it moves.
    permissions.require(actor, request, "assign")
    request.directorate = target_dir
    request.assignee = assignee
    _transition(
        request,
        actor,
        "assign",
        text=note,
        event_type=EventType.ASSIGNED,
        system=True,
        data={
            "directorate": target_dir.name,
            "directorate_id": target_dir.pk,
            "assignee": assignee.display_name if assignee else "",
            "assignee_id": assignee.pk if assignee else None,
        },
    )
    return request


@transaction.atomic
def request_route(
    *,
    request: Request,
    category: Category,
    directorate: Directorate,
    note: str,
    data: dict[str, Any],
    actor_label: str,
) -> Request:
    """Assign a request by the system (the router), without a staff member acting.

    Only a request nobody has routed yet (received, no directorate) is changed; the
    deadline is recomputed for the category.
    """
    request = _locked(request)
    _check_org(request.organisation, category, "category")
    _check_org(request.organisation, directorate, "directorate")
    if request.state != State.RECEIVED or request.directorate_id is not None:
        return request
    request.category = category
    request.directorate = directorate
    request.due_at = compute_due_at(
        organisation=request.organisation, category=category, start=request.created_at
    )
    _transition(
        request,
        None,
        "assign",
        text=note,
        event_type=EventType.ASSIGNED,
        system=True,
        actor_label=actor_label,
        data={"directorate": directorate.name, "directorate_id": directorate.pk, **data},
    )
    return request


@transaction.atomic
def request_start(*, request: Request, actor: Staff, note: str = "") -> Request:
    request = _locked(request)
    if request.assignee_id is None and actor.directorate_id == request.directorate_id:
        request.assignee = actor
    _transition(request, actor, "start", text=note)
    return request


@transaction.atomic
def request_wait(*, request: Request, actor: Staff, question: str) -> Request:
    """Ask the citizen for something; the request waits (and its clock may pause)."""
    if not question.strip():
        raise DomainError(_("Write what you need from the citizen."))
    request = _locked(request)
    _transition(request, actor, "wait", text=question.strip())
    return request


@transaction.atomic
def request_answer(*, request: Request, actor: Staff, answer: str) -> Request:
    """Give the citizen the municipality's answer; the SLA is met when this happens in time."""
    if not answer.strip():
        raise DomainError(_("The answer cannot be empty."))
    request = _locked(request)
    _transition(
        request,
        actor,
        "answer",
        text=answer.strip(),
        data={"within_sla": bool(request.due_at and timezone.now() <= request.due_at)},
    )
    return request


@transaction.atomic
def request_close(*, request: Request, actor: Staff, note: str = "") -> Request:
    request = _locked(request)
    _transition(request, actor, "close", text=note)
    return request


@transaction.atomic
def request_reopen(
    *, request: Request, actor: Staff | None, reason: str, system: bool = False
) -> Request:
    """Open an answered or closed request again; the clock restarts from now."""
    if not reason.strip():
        raise DomainError(_("Say why the request is reopened."))
    request = _locked(request)
    _transition(request, actor, "reopen", text=reason.strip(), system=system)
    request.due_at = compute_due_at(
        organisation=request.organisation, category=request.category, start=timezone.now()
    )
    request.save(update_fields=["due_at", "updated_at"])
    return request


@transaction.atomic
def request_transfer(
    *, request: Request, actor: Staff, directorate: Directorate, reason: str
) -> Request:
    """Hand the request to another directorate; a reason is required and kept."""
    if not reason.strip():
        raise DomainError(_("A transfer needs a reason."))
    request = _locked(request)
    _check_org(request.organisation, directorate, "directorate")
    if directorate.pk == request.directorate_id:
        raise DomainError(_("The request is already with this directorate."))
    previous = request.directorate
    permissions.require(actor, request, "transfer")
    request.directorate = directorate
    request.assignee = None
    _transition(
        request,
        actor,
        "transfer",
        text=reason.strip(),
        event_type=EventType.TRANSFERRED,
        system=True,
        data={
            "from_directorate": previous.name if previous else "",
            "from_directorate_id": previous.pk if previous else None,
            "to_directorate": directorate.name,
            "to_directorate_id": directorate.pk,
        },
    )
    return request


@transaction.atomic
def request_merge(*, request: Request, actor: Staff, into: Request, note: str = "") -> Request:
    """Mark the request a duplicate of ``into``; the citizen then follows the original."""
    request = _locked(request)
    if into.organisation_id != request.organisation_id:
        raise DomainError(_("Requests of different organisations cannot be merged."))
    if into.pk == request.pk:
        raise DomainError(_("A request cannot be merged into itself."))
    if into.state == State.MERGED:
        raise DomainError(_("That request is itself merged; merge into its original instead."))
    request.merged_into = into
    _transition(
        request,
        actor,
        "merge",
        text=note,
        event_type=EventType.MERGED,
        data={"into": into.tracking_code},
    )
    _event(
        into,
        EventType.MERGED,
        actor=actor,
        text=_("%(code)s was merged into this request.") % {"code": request.tracking_code},
        data={"from": request.tracking_code},
    )
    return request


@transaction.atomic
def request_reject(*, request: Request, actor: Staff, reason: str, competent_body: str) -> Request:
    """Refuse a request that is not the municipality's to answer, naming who is competent."""
    if not competent_body.strip():
        raise DomainError(_("Name the body that is competent for this request."))
    if not reason.strip():
        raise DomainError(_("Give the reason for the rejection."))
    request = _locked(request)
    request.rejected_competent_body = competent_body.strip()
    _transition(
        request,
        actor,
        "reject",
        text=reason.strip(),
        data={"competent_body": competent_body.strip()},
    )
    return request


@transaction.atomic
def request_add_note(*, request: Request, actor: Staff, text: str) -> RequestEvent:
    """An internal note: staff only, never shown to the citizen."""
    if not text.strip():
        raise DomainError(_("The note is empty."))
    permissions.require(actor, request, "note")
    return _event(request, EventType.NOTE, actor=actor, text=text.strip())


@transaction.atomic
def request_reply(*, request: Request, actor: Staff, text: str) -> RequestEvent:
    """A message to the citizen that does not change the state (e.g. an interim update)."""
    if not text.strip():
        raise DomainError(_("The reply is empty."))
    permissions.require(actor, request, "reply")
    request = _locked(request)
    event = _event(request, EventType.REPLY, actor=actor, text=text.strip(), is_public=True)
    _notify(request, event)
    return event


EDITABLE_FIELDS = ("kind", "priority", "subject", "address", "neighbourhood", "category")


@transaction.atomic
def request_update(*, request: Request, actor: Staff, **changes: Any) -> Request:
    """Change descriptive fields; each changed field is recorded with old and new value."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(_("These fields cannot be changed: %(f)s") % {"f": ", ".join(unknown)})
    permissions.require(actor, request, "edit")
    request = _locked(request)
    diff: dict[str, list[str]] = {}
    for field, value in changes.items():
        old = getattr(request, field)
        if field == "category":
            _check_org(request.organisation, value, "category")
            if value is not None and value.pk != request.category_id:
                request.due_at = compute_due_at(
                    organisation=request.organisation, category=value, start=request.created_at
                )
        if field == "kind" and value not in Kind.values:
            raise DomainError(_("Unknown kind of request."))
        if field == "priority" and value not in Priority.values:
            raise DomainError(_("Unknown priority."))
        if old != value:
            diff[field] = [str(old or ""), str(value or "")]
            setattr(request, field, value)
    if diff:
        request.search_text = _search_text(request)
        request.save()
        _event(request, EventType.FIELD, actor=actor, data={"changes": diff})
    return request


ALLOWED_ATTACHMENT_TYPES = {
    "image/jpeg",
    "image/png",
    "image/heic",
    "image/heif",
    "image/webp",
    "application/pdf",
    "text/plain",
}


@transaction.atomic
def request_attach(
    *,
    request: Request,
    actor: Staff | None,
    upload: UploadedFile,
    is_public: bool = False,
    system: bool = False,
) -> Attachment:
    """Store a file with the request under a random name; its type is checked by content."""
    if not system:
        permissions.require(actor, request, "attach")
    if upload.size is None or upload.size > settings.KENT360_MAX_ATTACHMENT_BYTES:
        raise DomainError(
            _("The file is too large (at most %(mb)d MB).")
            % {"mb": settings.KENT360_MAX_ATTACHMENT_BYTES // (1024 * 1024)}
        )
    head = upload.read(16)
    upload.seek(0)
    content_type = sniff_content_type(head, upload.name or "")
    if content_type not in ALLOWED_ATTACHMENT_TYPES:
        raise DomainError(
            _(
                "This type of file is not accepted: photos (JPEG, PNG, HEIC), "
                "PDF and plain text are."
            )
        )
    if content_type in PILLOW_CHECKED_TYPES:
        _check_image(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    name = (upload.name or "file").replace("\\", "/").rsplit("/", 1)[-1]
    # Control characters (NUL cannot even be stored in PostgreSQL) never belong in a name.
    name = "".join(ch for ch in name if ch.isprintable())[:200] or "file"
    attachment = Attachment(
        request=request,
        organisation_id=request.organisation_id,
        original_name=name,
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
        is_public=is_public,
        uploaded_by=actor,
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    _event(request, EventType.ATTACHMENT, actor=actor, data={"name": name, "id": attachment.pk})
    return attachment


PILLOW_CHECKED_TYPES = {"image/jpeg", "image/png", "image/webp"}


def _check_image(upload: UploadedFile) -> None:
    """Refuses decompression bombs: an image whose pixel count exceeds Pillow's limit
    (``Image.MAX_IMAGE_PIXELS``) would take gigabytes of memory to open for a thumbnail.

    Only the header is read; a file that Pillow cannot parse at all is refused as damaged.
    """
    import warnings

    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise DomainError(
            _("The image is too large to process (more than %(mp)d megapixels).")
            % {"mp": (Image.MAX_IMAGE_PIXELS or 0) // 1_000_000}
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise DomainError(_("The image file is damaged and cannot be read.")) from exc
    finally:
        upload.seek(0)


def sniff_content_type(head: bytes, name: str) -> str:
    """The file type from its first bytes; the name's extension is only a hint for text."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftyphevc", b"ftypmsf1"):
        return "image/heic"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    guessed = mimetypes.guess_type(name)[0] or ""
    if guessed == "text/plain":
        try:
            # The head may end inside a multi-byte character (Turkish, Persian text).
            codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        except UnicodeDecodeError:
            return "application/octet-stream"
        return "text/plain"
    return "application/octet-stream"


ACTION_FUNCTIONS = {
    "triage": request_triage,
    "assign": request_assign,
    "start": request_start,
    "wait": request_wait,
    "answer": request_answer,
    "close": request_close,
    "reopen": request_reopen,
    "transfer": request_transfer,
    "merge": request_merge,
    "reject": request_reject,
}


def request_apply_action(*, request: Request, actor: Staff, action: str, **params: Any) -> Request:
    """Run a workflow action by name (used by the API and forms)."""
    func = ACTION_FUNCTIONS.get(action)
    if func is None:
        raise DomainError(_("Unknown action %(action)s.") % {"action": action})
    result = func(request=request, actor=actor, **params)  # type: ignore[operator]
    return request if isinstance(result, RequestEvent) else result


def bulk_tracking_codes(n: int) -> Iterable[str]:
    """Fresh tracking codes for bulk loaders (demo and benchmarks)."""
    seen: set[str] = set()
    while len(seen) < n:
        seen.add(new_tracking_code())
    return seen


def _staff_to_tell(request: Request) -> list[Staff]:
    """Who hears of a citizen's message: the assignee, else the directorate's managers."""
    if request.assignee_id is not None:
        return [request.assignee] if request.assignee else []
    if request.directorate_id is None:
        return []
    return list(
        Staff.objects.select_related("user").filter(
            organisation_id=request.organisation_id,
            directorate_id=request.directorate_id,
            role=Role.DIRECTORATE_MANAGER,
            is_active=True,
        )
    )


@transaction.atomic
def request_record_citizen_message(
    *,
    request: Request,
    text: str,
    channel: str,
    data: dict[str, Any] | None = None,
    actor_label: str = "",
    at: datetime | None = None,
) -> RequestEvent:
    """A citizen writes again about their request (an e-mail reply, a follow-up post).

    The message goes on the timeline as the citizen's (public, so they see it was
    received) and the assignee — or, with nobody assigned, the directorate's managers —
    is told; the state does not change, staff decide what the message means.
    """
    if not (text or "").strip():
        raise DomainError(_("The message is empty."))
    if channel not in Channel.values:
        raise DomainError(_("Unknown channel."))
    request = _locked(request)
    event = _event(
        request,
        EventType.MESSAGE,
        actor=None,
        actor_label=actor_label or str(Channel(channel).label),
        text=text.strip(),
        data={**(data or {}), "from_citizen": True, "channel": channel},
        is_public=True,
        at=at,
    )
    from kent360.notifications.services import notification_queue_for_staff

    notification_queue_for_staff(request=request, event=event, staff=_staff_to_tell(request))
    audit(
        action="request.citizen_message",
        target=request,
        data={"event": event.pk, "channel": channel},
    )
    return event


@transaction.atomic
def request_set_legal_deadline(
    *, request: Request, due_at: datetime | None, actor: Staff | None, source: str = ""
) -> Request:
    """Record the date by which the law requires an answer (e.g. CİMER's 30 days).

    It is kept apart from the SLA ``due_at``: the municipality's own target may be
    shorter, the legal one cannot be moved by re-categorising.
    """
    if due_at is not None and timezone.is_naive(due_at):
        raise DomainError(_("The legal deadline needs a time zone."))
    request = _locked(request)
    old = request.legal_due_at
    if old == due_at:
        return request
    request.legal_due_at = due_at
    request.save(update_fields=["legal_due_at", "updated_at"])
    _event(
        request,
        EventType.FIELD,
        actor=actor,
        actor_label=source,
        data={
            "changes": {
                "legal_due_at": [
                    old.isoformat() if old else "",
                    due_at.isoformat() if due_at else "",
                ]
            }
        },
    )
    audit(action="request.legal_deadline", target=request, actor=actor, data={"source": source})
    return request


@transaction.atomic
def request_link_citizen(
    *, request: Request, citizen: Citizen | None, actor: Staff | None, reason: str = ""
) -> Request:
    """Attach the request to the person behind it (a known social author, a merged record)."""
    if citizen is not None and citizen.organisation_id != request.organisation_id:
        raise DomainError(_("The citizen belongs to another organisation."))
    request = _locked(request)
    old_id = request.citizen_id
    new_id = citizen.pk if citizen is not None else None
    if old_id == new_id:
        request.citizen = citizen
        return request
    request.citizen = citizen
    request.save(update_fields=["citizen", "updated_at"])
    _event(
        request,
        EventType.FIELD,
        actor=actor,
        data={"changes": {"citizen": [str(old_id or ""), str(new_id or "")]}, "reason": reason},
    )
    audit(
        action="request.link_citizen",
        target=request,
        actor=actor,
        data={"from": old_id, "to": new_id, "reason": reason},
    )
    return request


ERASED = "—"


@transaction.atomic
def request_anonymise(*, request: Request, actor: Any, reason: str) -> Request:
    """Erase the personal data a request holds (KVKK art. 7 / GDPR art. 17).

    Contact details, the citizen's words and the exact place go, and the request is
    unlinked from the person; category, directorate, neighbourhood, channel, dates and
    states stay, so every statistic stays true. Files the citizen sent are deleted.
    """
    if not (reason or "").strip():
        raise DomainError(_("Give the reason (e.g. the citizen's application date)."))
    request = _locked(request)
    request.contact_name = ""
    request.contact_phone = ""
    request.contact_email = ""
    request.subject = ERASED
    request.text = ERASED
    request.address = ""
    request.latitude = None
    request.longitude = None
    request.citizen = None
    request.search_text = _search_text(request)
    request.save()
    RequestEvent.objects.filter(request=request, data__from_citizen=True).update(text=ERASED)
    removed = 0
    for attachment in Attachment.objects.filter(request=request, uploaded_by__isnull=True):
        attachment.file.delete(save=False)
        attachment.delete()
        removed += 1
    _event(
        request,
        EventType.NOTE,
        actor=actor if isinstance(actor, Staff) else None,
        actor_label="KVKK",
        text=_("Personal data erased at the citizen's request."),
        data={"erased": True, "files_removed": removed},
    )
    audit(
        action="request.anonymise",
        target=request,
        actor=actor,
        data={"reason": reason.strip(), "files_removed": removed},
    )
    return request


@transaction.atomic
def request_move_citizen(*, source: Citizen, target: Citizen, actor: Any) -> int:
    """Every request of ``source`` now belongs to ``target`` (one person recorded twice)."""
    if source.organisation_id != target.organisation_id:
        raise DomainError(_("Citizens of different organisations cannot be merged."))
    moved = 0
    for request in Request.objects.filter(citizen=source).order_by("pk"):
        request_link_citizen(
            request=request,
            citizen=target,
            actor=actor if isinstance(actor, Staff) else None,
            reason="citizen_merge",
        )
        moved += 1
    return moved


@transaction.atomic
def request_record_same_issue(
    *, request: Request, actor: Staff | None, text: str, data: dict[str, Any] | None = None
) -> RequestEvent:
    """Note that another caller reported what this request already covers.

    Internal (the reporter is not told of other citizens); the count of such notes shows
    staff how many people an issue affects.
    """
    if not (text or "").strip():
        raise DomainError(_("The note is empty."))
    if actor is not None and actor.organisation_id != request.organisation_id:
        raise DomainError(_("This request belongs to another organisation."))
    return _event(
        request,
        EventType.NOTE,
        actor=actor,
        text=text.strip(),
        data={**(data or {}), "same_issue": True},
    )
