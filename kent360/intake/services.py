"""Writes of the intake pipeline: store raw, parse in the background, create the request.

Rule: an inbound item is committed to the database before anything else happens to it.
Processing claims the row, parses it and creates (or threads into) a request under an
idempotency key derived from the item, so a retry, a second worker or a re-sent item
never makes a second request. Whatever fails stays visible with its error.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kent360.core.audit import audit
from kent360.core.errors import DomainError
from kent360.intake.models import InboundFile, InboundMessage, RequestFollower, Status
from kent360.intake.parsers import Parsed, ParseError, parser_for
from kent360.network.services import crisis_tag_request_by_code
from kent360.organizations.models import Category, Organisation, Staff
from kent360.requests import services as request_services
from kent360.requests.models import Request, normalise_tracking_code

log = logging.getLogger(__name__)
DATABASE_ERRORS = (OperationalError, InterfaceError)


def _stale_processing() -> timedelta:
    """How long a claimed item may stay in processing before its worker counts as dead."""
    return timedelta(seconds=settings.KENT360_INTAKE_STALE_SECONDS)


@dataclass(frozen=True)
class ReceiveResult:
    message: InboundMessage
    created: bool


def inbound_receive(
    *,
    organisation: Organisation,
    source: str,
    idempotency_key: str,
    payload: dict[str, Any] | None = None,
    raw: bytes | None = None,
    raw_name: str = "",
    files: list[tuple[str, bytes, str]] | None = None,
    actor: Staff | None = None,
    enqueue: bool = True,
) -> ReceiveResult:
    """Store an item as it arrived; the same (source, key) again returns the stored row."""
    key = (idempotency_key or "").strip()[:300]
    if not key:
        key = (
            "sha256:"
            + hashlib.sha256(raw or repr(sorted((payload or {}).items())).encode()).hexdigest()
        )
    existing = InboundMessage.objects.filter(
        organisation=organisation, source=source, idempotency_key=key
    ).first()
    if existing is not None:
        return ReceiveResult(existing, False)
    try:
        with transaction.atomic():
            message = InboundMessage(
                organisation=organisation,
                source=source,
                idempotency_key=key,
                payload=payload or {},
                raw_name=raw_name[:255],
                raw_size=len(raw or b""),
                created_by=actor,
            )
            if raw is not None:
                message.raw_file.save(raw_name or "raw", ContentFile(raw), save=False)
            message.save()
            for name, content, content_type in files or []:
                inbound_file = InboundFile(
                    message=message, name=name[:255], content_type=content_type, size=len(content)
                )
                inbound_file.file.save(name, ContentFile(content), save=False)
                inbound_file.save()
            if enqueue:
                transaction.on_commit(partial(_enqueue, message.pk))
    except IntegrityError:
        existing = InboundMessage.objects.filter(
            organisation=organisation, source=source, idempotency_key=key
        ).first()
        if existing is None:
            raise
        return ReceiveResult(existing, False)
    return ReceiveResult(message, True)


def _enqueue(message_id: int) -> None:
    from kent360.intake.tasks import process_inbound

    try:
        process_inbound.enqueue(message_id=message_id)
    except Exception:  # the periodic sweep picks pending items up
        log.exception("could not enqueue inbound message %s", message_id)


def _enqueue_media(message_id: int) -> None:
    from kent360.intake.tasks import fetch_media

    try:
        fetch_media.enqueue(message_id=message_id)
    except Exception:  # the request exists; staff see the URL in its text
        log.exception("could not enqueue media download for inbound message %s", message_id)


def _claim(message_id: int) -> bool:
    stale = timezone.now() - _stale_processing()
    return bool(
        InboundMessage.objects.filter(pk=message_id)
        .filter(
            Q(status=Status.PENDING)
            | Q(status=Status.PROCESSING, processed_at__lt=stale)
            | Q(status=Status.PROCESSING, processed_at__isnull=True, received_at__lt=stale)
        )
        .update(status=Status.PROCESSING, attempts=F("attempts") + 1, processed_at=timezone.now())
    )


def inbound_process(*, message_id: int) -> InboundMessage:
    """Parse a stored item and create its request; safe to run twice or concurrently."""
    if not _claim(message_id):
        return InboundMessage.objects.get(pk=message_id)
    message = InboundMessage.objects.select_related("organisation").get(pk=message_id)
    try:
        parsed = parser_for(message.source)(message)
        if parsed.needs_review:
            _save_review(message, parsed)
        else:
            materialise(message=message, parsed=parsed, actor=None)
    except (ParseError, DomainError, ValidationError) as exc:
        _fail(message, _error_text(exc))
    except DATABASE_ERRORS:
        # The database went away mid-way (restart, failover): the item is fine, only this
        # attempt is not. It goes back to the queue, never to "failed" for staff to retry.
        _release(message)
        raise
    except Exception as exc:  # a bug must not lose the item: it stays in the queue
        log.exception("inbound message %s failed", message_id)
        _fail(message, _("Unexpected error while processing: %(e)s") % {"e": repr(exc)[:500]})
    message.refresh_from_db()
    return message


def _release(message: InboundMessage) -> None:
    """Best effort: if even this fails, the periodic sweep reclaims the stale item."""
    try:
        InboundMessage.objects.filter(pk=message.pk, status=Status.PROCESSING).update(
            status=Status.PENDING
        )
    except DATABASE_ERRORS:
        log.warning("inbound message %s stays claimed until the sweep takes it up", message.pk)


def _error_text(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        return str(exc.message)
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
        return " ".join(exc.messages)
    return str(exc)


def _fail(message: InboundMessage, error: str) -> None:
    InboundMessage.objects.filter(pk=message.pk).update(
        status=Status.FAILED, error=error[:5000], processed_at=timezone.now()
    )


def _save_review(message: InboundMessage, parsed: Parsed) -> None:
    InboundMessage.objects.filter(pk=message.pk).update(
        status=Status.REVIEW,
        parsed={**message.parsed, **_parsed_summary(parsed)},
        error="",
        processed_at=timezone.now(),
    )


def _parsed_summary(parsed: Parsed) -> dict[str, Any]:
    return {
        "subject": parsed.subject,
        "text": parsed.text,
        "category_code": parsed.category_code,
        "contact_name": parsed.contact_name,
        "contact_phone": parsed.contact_phone,
        "contact_email": parsed.contact_email,
        "address": parsed.address,
        "external_ref": parsed.external_ref,
        **parsed.extra,
    }


def request_key(message: InboundMessage) -> str:
    digest = hashlib.sha256(message.idempotency_key.encode()).hexdigest()[:40]
    return f"inbound:{message.source}:{digest}"


def _category(organisation: Organisation, code: str) -> Category | None:
    if not code:
        return None
    category = Category.objects.filter(organisation=organisation, code=code, is_active=True).first()
    if category is None:
        raise ParseError(_("Unknown category %(code)s.") % {"code": code})
    return category


@transaction.atomic
def materialise(*, message: InboundMessage, parsed: Parsed, actor: Staff | None) -> Request:
    """Create the request (or thread a reply into an existing one) from parsed fields."""
    organisation = message.organisation
    if parsed.reply_to_code:
        existing = Request.objects.filter(
            organisation=organisation, tracking_code=normalise_tracking_code(parsed.reply_to_code)
        ).first()
        if existing is not None:
            _thread_reply(message, parsed, existing)
            _done(message, existing, actor, {"threaded": True})
            return existing
    if actor is None and parsed.actor_id:
        actor = Staff.objects.filter(pk=parsed.actor_id, organisation=organisation).first()
    result = request_services.request_create(
        organisation=organisation,
        actor=actor,
        channel=parsed.channel,
        subject=parsed.subject or _("(no subject)"),
        text=parsed.text,
        kind=parsed.kind,
        category=_category(organisation, parsed.category_code),
        language=parsed.language,
        latitude=parsed.latitude,
        longitude=parsed.longitude,
        address=parsed.address,
        contact_name=parsed.contact_name,
        contact_phone=parsed.contact_phone,
        contact_email=parsed.contact_email,
        national_id=parsed.national_id,
        external_ref=parsed.external_ref,
        idempotency_key=request_key(message),
        created_at=parsed.created_at,
        actor_label=parsed.actor_label,
    )
    request = result.request
    if result.created:
        if parsed.legal_due_at is not None:
            request = request_services.request_set_legal_deadline(
                request=request,
                due_at=parsed.legal_due_at,
                actor=actor,
                source=parsed.actor_label or message.source,
            )
        for name, content in parsed.files:
            request_services.request_attach(
                request=request,
                actor=actor,
                upload=SimpleUploadedFile(name, content),
                system=True,
            )
        if parsed.handle:
            request = _link_handle(request, parsed, actor)
        crisis_tag_request_by_code(request=request, text=f"{parsed.subject}\n{parsed.text}")
        if parsed.media_url:
            transaction.on_commit(partial(_enqueue_media, message.pk))
    _done(message, request, actor, {"created": result.created})
    return request


def _link_handle(request: Request, parsed: Parsed, actor: Staff | None) -> Request:
    """A social author is the same citizen next time: matched by platform and handle."""
    from kent360.citizens.services import citizen_add_handle, citizen_for_handle

    assert parsed.handle is not None
    platform, handle = parsed.handle
    if request.citizen is not None:
        citizen_add_handle(citizen=request.citizen, platform=platform, handle=handle)
        return request
    citizen = citizen_for_handle(
        organisation=request.organisation,
        platform=platform,
        handle=handle,
        name=parsed.contact_name,
        language=parsed.language,
        actor=actor,
    )
    return request_services.request_link_citizen(
        request=request, citizen=citizen, actor=actor, reason=f"handle:{platform}"
    )


def _thread_reply(message: InboundMessage, parsed: Parsed, request: Request) -> None:
    request_services.request_record_citizen_message(
        request=request,
        text=parsed.text or parsed.subject or _("(empty message)"),
        channel=parsed.channel,
        data={"inbound_id": message.pk, "subject": parsed.subject},
        actor_label=parsed.contact_email or parsed.contact_name or message.source,
    )
    for name, content in parsed.files:
        request_services.request_attach(
            request=request, actor=None, upload=SimpleUploadedFile(name, content), system=True
        )


def _done(
    message: InboundMessage, request: Request, actor: Staff | None, data: dict[str, Any]
) -> None:
    InboundMessage.objects.filter(pk=message.pk).update(
        status=Status.DONE,
        request=request,
        error="",
        handled_by=actor,
        processed_at=timezone.now(),
    )
    audit(
        action="inbound.processed",
        target=message,
        actor=actor,
        data={"request": request.tracking_code, **data},
    )


@transaction.atomic
def inbound_convert(*, message: InboundMessage, actor: Staff, fields: dict[str, Any]) -> Request:
    """Staff turn an item that failed (or waits for review) into a request by hand."""
    message = InboundMessage.objects.select_for_update().get(pk=message.pk)
    if message.organisation_id != actor.organisation_id:
        raise DomainError(_("This item belongs to another organisation."))
    if message.status not in (Status.FAILED, Status.REVIEW, Status.PENDING):
        raise DomainError(_("This item has already been handled."))
    category = fields.get("category")
    parsed = Parsed(
        channel=fields.get("channel") or _channel_of(message.source),
        subject=fields.get("subject", ""),
        text=fields.get("text", ""),
        kind=fields.get("kind") or "request",
        category_code=category.code if category else "",
        address=fields.get("address", ""),
        contact_name=fields.get("contact_name", ""),
        contact_phone=fields.get("contact_phone", ""),
        contact_email=fields.get("contact_email", ""),
        external_ref=fields.get("external_ref", ""),
        files=_message_files(message),
    )
    request = materialise(message=message, parsed=parsed, actor=actor)
    return request


# Files refused at the door (not a photo) are kept with the item as evidence, never attached.
REFUSED_FILE_TYPE = "application/octet-stream"


def _message_files(message: InboundMessage) -> list[tuple[str, bytes]]:
    """Files kept with the item that become attachments when staff convert it."""
    out = []
    if message.source == "petition" and message.raw_file:
        out.append((message.raw_name or "petition", message.read_raw()))
    for f in message.files.exclude(content_type=REFUSED_FILE_TYPE):
        with f.file.open("rb") as fh:
            out.append((f.name, fh.read()))
    return out


def _channel_of(source: str) -> str:
    return {
        "web": "web",
        "email": "email",
        "field": "field",
        "mastodon": "social",
        "webhook": "social",
        "petition": "petition",
        "cimer": "cimer",
        "open311": "open311",
    }.get(source, "api")


@transaction.atomic
def inbound_discard(*, message: InboundMessage, actor: Staff, reason: str) -> InboundMessage:
    """Staff decide an item is not a request (spam, empty); the raw item is still kept."""
    if not reason.strip():
        raise DomainError(_("Say why the item is discarded."))
    if message.organisation_id != actor.organisation_id:
        raise DomainError(_("This item belongs to another organisation."))
    if message.status == Status.DONE:
        raise DomainError(_("This item has already become a request."))
    InboundMessage.objects.filter(pk=message.pk).update(
        status=Status.DISCARDED, error=reason.strip(), handled_by=actor
    )
    audit(action="inbound.discarded", target=message, actor=actor, data={"reason": reason})
    message.refresh_from_db()
    return message


@transaction.atomic
def inbound_retry(*, message: InboundMessage, actor: Staff) -> None:
    """Put a failed item back in the queue (after a fix, e.g. a new category)."""
    if message.organisation_id != actor.organisation_id or message.status != Status.FAILED:
        raise DomainError(_("Only failed items can be retried."))
    InboundMessage.objects.filter(pk=message.pk).update(status=Status.PENDING)
    audit(action="inbound.retry", target=message, actor=actor)
    transaction.on_commit(partial(_enqueue, message.pk))


def inbound_sweep() -> int:
    """Process items left pending (a lost enqueue) or stuck mid-processing (a crash).

    The sweep does the work itself instead of enqueuing a task per item: under a backlog
    the items are pending because the queue is long, and re-enqueuing them every slot
    would only make it longer (each extra task a no-op once the first one ran).
    """
    stale = timezone.now() - _stale_processing()
    grace = timedelta(seconds=settings.KENT360_INTAKE_PENDING_GRACE_SECONDS)
    ids = list(
        InboundMessage.objects.filter(
            Q(status=Status.PENDING, received_at__lt=timezone.now() - grace)
            | Q(status=Status.PROCESSING, processed_at__lt=stale)
        ).values_list("pk", flat=True)[:500]
    )
    for pk in ids:
        inbound_process(message_id=pk)
    return len(ids) + _retry_media()


def _retry_media() -> int:
    """Download again the media whose last attempt failed for a temporary reason."""
    due = list(
        InboundMessage.objects.filter(media_retry_at__lte=timezone.now())
        .order_by("media_retry_at")
        .values_list("pk", flat=True)[:50]
    )
    for pk in due:
        inbound_fetch_media(message_id=pk)
    return len(due)


@transaction.atomic
def request_follow(
    *,
    request: Request,
    actor: Staff | None,
    reason: str,
    name: str = "",
    phone: str = "",
    email: str = "",
    note: str = "",
    source_request: Request | None = None,
) -> RequestFollower | None:
    """A caller reporting the same issue follows the existing request instead of a new one."""
    from kent360.citizens.services import citizen_match_or_create

    citizen = citizen_match_or_create(
        organisation=request.organisation, name=name, phone=phone, email=email, actor=actor
    )
    follower = None
    if citizen is not None:
        follower, _created = RequestFollower.objects.get_or_create(
            request=request,
            citizen=citizen,
            defaults={
                "organisation_id": request.organisation_id,
                "email": citizen.email,
                "reason": reason,
                "source_request": source_request,
            },
        )
    text = note.strip() or _("Another citizen reported the same issue.")
    request_services.request_record_same_issue(
        request=request,
        actor=actor,
        text=text,
        data={"citizen_id": citizen.pk if citizen else None},
    )
    audit(
        action="intake.follow",
        target=request,
        actor=actor,
        data={"reason": reason, "citizen": citizen.pk if citizen else None},
    )
    return follower


def inbound_reject(*, message: InboundMessage, error: str) -> None:
    """Mark an item that was refused at the door (bad photo, bad file): kept, with why."""
    _fail(message, error)


@dataclass(frozen=True)
class ImportResult:
    messages: list[InboundMessage]
    file_error: str = ""


def national_import(
    *,
    organisation: Organisation,
    actor: Staff,
    name: str,
    data: bytes,
    channel_name: str = "CİMER",
) -> ImportResult:
    """Import an export of forwarded applications: one inbound item per row.

    A file that cannot be read at all is itself kept as a failed item with the reason;
    a bad row fails alone. Each row is keyed by its reference number, so importing an
    overlapping export again only adds the new applications.
    """
    from kent360.intake.parsers.cimer import ImportFileError, read_rows

    digest = hashlib.sha256(data).hexdigest()
    try:
        rows = read_rows(name, data)
    except ImportFileError as exc:
        result = inbound_receive(
            organisation=organisation,
            source="cimer",
            idempotency_key=f"file:{digest}",
            raw=data,
            raw_name=name,
            payload={"file": name, "channel_name": channel_name},
            actor=actor,
            enqueue=False,
        )
        _fail(result.message, str(exc))
        result.message.refresh_from_db()
        return ImportResult([result.message], str(exc))
    messages = []
    for line, row in enumerate(rows, start=2):
        ref = (row.get("ref") or "").strip()
        key = f"ref:{ref}" if ref else f"file:{digest}:line:{line}"
        result = inbound_receive(
            organisation=organisation,
            source="cimer",
            idempotency_key=key,
            payload={"row": row, "line": line, "file": name, "channel_name": channel_name},
            actor=actor,
        )
        messages.append(result.message)
    audit(
        action="inbound.import",
        target=organisation,
        actor=actor,
        organisation=organisation,
        data={"file": name, "rows": len(rows)},
    )
    return ImportResult(messages)


def petition_upload(
    *, organisation: Organisation, actor: Staff, name: str, data: bytes
) -> InboundMessage:
    """Keep a scanned petition; OCR runs in the background and staff confirm the result."""
    if len(data) > 40 * 1024 * 1024:
        raise DomainError(_("The scan is too large (at most 40 MB)."))
    result = inbound_receive(
        organisation=organisation,
        source="petition",
        idempotency_key="sha256:" + hashlib.sha256(data).hexdigest(),
        raw=data,
        raw_name=name,
        actor=actor,
    )
    return result.message


@transaction.atomic
def request_merge_duplicate(*, request: Request, into: Request, actor: Staff) -> Request:
    """Merge a duplicate into its original; the duplicate's citizen follows the original."""
    merged = request_services.request_merge(request=request, actor=actor, into=into)
    if merged.citizen_id:
        RequestFollower.objects.get_or_create(
            request=into,
            citizen_id=merged.citizen_id,
            defaults={
                "organisation_id": into.organisation_id,
                "email": merged.contact_email or (merged.citizen.email if merged.citizen else ""),
                "reason": "merged_duplicate",
                "source_request": merged,
            },
        )
    return merged


@transaction.atomic
def inbound_erase_for_request(*, request: Request, actor: Any) -> int:
    """Empty the raw items behind a request whose citizen asked for erasure (KVKK art. 7).

    The rows stay (source, dates, status) so channel statistics stay true; their
    content, files and parse results go.
    """
    count = 0
    for message in InboundMessage.objects.filter(request=request):
        if message.raw_file:
            message.raw_file.delete(save=False)
        for f in message.files.all():
            f.file.delete(save=False)
            f.delete()
        InboundMessage.objects.filter(pk=message.pk).update(
            payload={}, parsed={}, raw_file="", raw_name="", error=""
        )
        count += 1
    if count:
        audit(action="inbound.erased", target=request, actor=actor, data={"items": count})
    return count


@transaction.atomic
def follower_move_citizen(*, source: Any, target: Any, actor: Any) -> int:
    """The follows of a citizen recorded twice move to the record kept (never doubled)."""
    moved = 0
    for follow in RequestFollower.objects.filter(citizen=source):
        if RequestFollower.objects.filter(request_id=follow.request_id, citizen=target).exists():
            follow.delete()
        else:
            follow.citizen = target
            follow.save(update_fields=["citizen"])
            moved += 1
    if moved:
        audit(action="intake.follows_moved", target=target, actor=actor, data={"moved": moved})
    return moved


@transaction.atomic
def follower_erase_citizen(*, citizen: Any, actor: Any) -> int:
    """An erased citizen keeps no address on the requests they followed."""
    count = RequestFollower.objects.filter(citizen=citizen).exclude(email="").update(email="")
    if count:
        audit(action="intake.follows_erased", target=citizen, actor=actor, data={"count": count})
    return count


def _media_state(message: InboundMessage) -> dict[str, Any]:
    media: dict[str, Any] = (message.parsed or {}).get("media") or {}
    return media


MEDIA_ATTEMPTS = 4
MEDIA_RETRY_SECONDS = 60


def inbound_fetch_media(*, message_id: int) -> InboundMessage:
    """Download the photo an item points to (Open311 ``media_url``) onto its request.

    The request already exists; a download that fails (unreachable, too large, not a
    photo, a private address) is recorded on the item with the reason and the request
    stays as it is. A temporary failure (timeout, 5xx) is tried again by the sweep after
    1, 4 and 16 minutes before it counts as failed. Safe to run twice: an attached photo
    is never attached again.
    """
    from kent360.intake.fetch import FetchError, fetch_photo

    message = InboundMessage.objects.select_related("request").get(pk=message_id)
    url = str((message.payload or {}).get("media_url") or "").strip()
    if not url or message.request is None or _media_state(message).get("status") == "attached":
        return message
    try:
        fetched = fetch_photo(url)
    except FetchError as exc:
        error = str(exc.message)
        with transaction.atomic():
            locked = InboundMessage.objects.select_for_update().get(pk=message_id)
            attempts = int(_media_state(locked).get("attempts", 0)) + 1
            media: dict[str, Any] = {"url": url, "error": error, "attempts": attempts}
            if exc.temporary and attempts < MEDIA_ATTEMPTS:
                wait = MEDIA_RETRY_SECONDS * 4 ** (attempts - 1)
                locked.media_retry_at = timezone.now() + timedelta(seconds=wait)
                media |= {"status": "retrying", "retry_at": locked.media_retry_at.isoformat()}
            else:
                locked.media_retry_at = None
                media["status"] = "failed"
            locked.parsed = {**locked.parsed, "media": media}
            locked.error = _("The photo at media_url was not attached: %(error)s") % {
                "error": error
            }
            locked.save(update_fields=["parsed", "error", "media_retry_at"])
            audit(
                action="inbound.media_failed",
                target=locked,
                data={"url": url, "error": error, "retry": media["status"] == "retrying"},
            )
        return locked
    with transaction.atomic():
        # No join here: PostgreSQL cannot lock the nullable side of an outer join.
        locked = InboundMessage.objects.select_for_update().get(pk=message_id)
        if _media_state(locked).get("status") == "attached" or locked.request is None:
            return locked
        attachment = request_services.request_attach(
            request=locked.request,
            actor=None,
            upload=SimpleUploadedFile(fetched.photo.name, fetched.photo.content),
            system=True,
        )
        locked.parsed = {
            **locked.parsed,
            "media": {"url": url, "status": "attached", "attachment_id": attachment.pk},
        }
        locked.error = ""
        locked.media_retry_at = None
        locked.save(update_fields=["parsed", "error", "media_retry_at"])
        audit(action="inbound.media_attached", target=locked, data={"url": url})
    return locked
