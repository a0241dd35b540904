"""Open311 GeoReport v2 server (http://wiki.open311.org/GeoReport_v2).

service_code is a category code, service_request_id the tracking code and
jurisdiction_id an organisation's slug (optional when only one organisation is served
or KENT360_OPEN311_JURISDICTION names the default). POSTed requests are stored raw first
like every inbound item; reads are public and show no personal data.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.csrf import csrf_exempt

from kent360.core.api_auth import find_api_key
from kent360.core.models import ApiKey
from kent360.intake import services
from kent360.intake.models import InboundMessage, ServiceAttribute, Source, Status
from kent360.intake.open311.render import error, respond
from kent360.organizations.models import Category, Organisation
from kent360.requests.models import OPEN_STATES, EventType, Request, RequestEvent

SPEC_URL = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-22T00:00:00Z"
DEFAULT_DAYS = 90
MAX_RESULTS = 1000


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def _w3c(dt: datetime | None, organisation: Organisation) -> str | None:
    """W3C datetime with the organisation's UTC offset, e.g. 2026-11-22T10:15:00+03:00."""
    if dt is None:
        return None
    return dt.astimezone(ZoneInfo(organisation.time_zone)).isoformat(timespec="seconds")


def _by_jurisdiction_id(value: str) -> Organisation | None:
    """An organisation by its slug or, as the spec suggests, its website's domain
    without "www." (e.g. ``bornova.bel.tr``)."""
    qs = Organisation.objects.filter(is_active=True)
    org = qs.filter(slug=value).first()
    if org is not None or "." not in value:
        return org
    domain = value.lower().removeprefix("www.")
    for candidate in qs.filter(website__icontains=domain):
        host = (urlsplit(candidate.website).hostname or "").lower().removeprefix("www.")
        if host == domain:
            return candidate
    return None


def _jurisdiction(request: HttpRequest, *, key: ApiKey | None = None) -> Organisation:
    slug = request.GET.get("jurisdiction_id") or request.POST.get("jurisdiction_id") or ""
    if key is not None:
        if not slug:
            return key.organisation
        named = _by_jurisdiction_id(slug)
        if named is None:
            raise Open311Error(404, f"Unknown jurisdiction_id {slug!r}.")
        if named.pk != key.organisation_id:
            raise Open311Error(403, "The api_key is not valid for this jurisdiction_id.")
        return key.organisation
    slug = slug or settings.KENT360_OPEN311_JURISDICTION
    qs = Organisation.objects.filter(is_active=True)
    if slug:
        org = _by_jurisdiction_id(slug)
        if org is None:
            raise Open311Error(404, f"Unknown jurisdiction_id {slug!r}.")
        return org
    orgs = list(qs[:2])
    if len(orgs) != 1:
        raise Open311Error(400, "jurisdiction_id is required.")
    return orgs[0]


def _handle(fmt: str, func: Any, *args: Any) -> HttpResponse:
    try:
        response: HttpResponse = func(*args)
    except Open311Error as exc:
        return error(fmt, exc.status, exc.description)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    def run() -> HttpResponse:
        base = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": fmt}))
        base = base.rsplit("/", 1)[0] + "/"
        data = {
            "changeset": CHANGESET,
            "contact": settings.DEFAULT_FROM_EMAIL,
            "key_service": "Ask the municipality's administrator for an Open311 API key.",
            "endpoints": [
                {
                    "specification": SPEC_URL,
                    "url": base,
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        }
        return respond(fmt, "discovery", data)

    return _handle(fmt, run)


def _categories(org: Organisation) -> QuerySet[Category]:
    return (
        Category.objects.filter(organisation=org, is_active=True)
        .select_related("default_directorate")
        .order_by("name")
    )


def services_list(request: HttpRequest, fmt: str) -> HttpResponse:
    def run() -> HttpResponse:
        org = _jurisdiction(request)
        with_attrs = set(
            ServiceAttribute.objects.filter(organisation=org).values_list("category_id", flat=True)
        )
        data = [
            {
                "service_code": c.code,
                "service_name": c.name,
                "description": c.name,
                "metadata": c.pk in with_attrs,
                "type": "realtime",
                "keywords": c.keywords or "",
                "group": c.default_directorate.name if c.default_directorate else "",
            }
            for c in _categories(org)
        ]
        return respond(fmt, "services", data)

    return _handle(fmt, run)


def service_definition(request: HttpRequest, service_code: str, fmt: str) -> HttpResponse:
    def run() -> HttpResponse:
        org = _jurisdiction(request)
        category = _categories(org).filter(code=service_code).first()
        if category is None:
            raise Open311Error(404, f"Unknown service_code {service_code!r}.")
        data = {
            "service_code": category.code,
            "attributes": [
                {
                    "variable": True,
                    "code": a.code,
                    "datatype": a.datatype,
                    "required": a.required,
                    "datatype_description": a.datatype_description or None,
                    "order": a.order,
                    "description": a.description,
                    "values": [{"key": v["key"], "name": v["name"]} for v in a.values],
                }
                for a in category.service_attributes.all()
            ],
        }
        return respond(fmt, "service_definition", data)

    return _handle(fmt, run)


def _status(r: Request) -> str:
    return "open" if r.state in OPEN_STATES else "closed"


def _request_data(
    r: Request, notes: dict[int, str], posted: dict[int, dict[str, Any]] | None = None
) -> dict[str, Any]:
    org = r.organisation
    sent = (posted or {}).get(r.pk, {})
    closed = r.state not in OPEN_STATES
    return {
        "service_request_id": r.tracking_code,
        "status": _status(r),
        "status_notes": notes.get(r.pk) or None,
        "service_name": r.category.name if r.category else None,
        "service_code": r.category.code if r.category else None,
        # Only what the reporter published through Open311 is public; other channels
        # show the subject, never the citizen's full message.
        "description": r.text if r.channel == "open311" else r.subject,
        "agency_responsible": r.directorate.name if r.directorate else None,
        "service_notice": None,
        "requested_datetime": _w3c(r.created_at, org),
        # The spec: for a closed request, the date it was closed.
        "updated_datetime": _w3c(r.closed_at if closed and r.closed_at else r.updated_at, org),
        "expected_datetime": _w3c(r.due_at, org),
        "address": r.address or None,
        "address_id": sent.get("address_id") or None,
        "zipcode": None,
        "lat": r.latitude,
        "long": r.longitude,
        # Only a URL the reporter published through Open311 is shown, never citizens' files.
        "media_url": sent.get("media_url") or None,
    }


def _posted(rows: list[Request]) -> dict[int, dict[str, Any]]:
    """What Open311 clients posted for these requests (media_url, address_id)."""
    ids = [r.pk for r in rows if r.channel == "open311"]
    out: dict[int, dict[str, Any]] = {}
    if not ids:
        return out
    for request_id, payload in InboundMessage.objects.filter(
        source=Source.OPEN311, request_id__in=ids
    ).values_list("request_id", "payload"):
        out[request_id] = {
            "media_url": str((payload or {}).get("media_url") or "").strip(),
            "address_id": str((payload or {}).get("address_id") or "").strip(),
        }
    return out


def _status_notes(ids: list[int]) -> dict[int, str]:
    notes: dict[int, str] = {}
    events = (
        RequestEvent.objects.filter(
            request_id__in=ids, is_public=True, type__in=[EventType.STATE, EventType.REPLY]
        )
        .exclude(text="")
        .order_by("created_at", "id")
    )
    for e in events:
        notes[e.request_id] = e.text
    return notes


def _parse_when(value: str, name: str, org: Organisation) -> datetime:
    parsed = parse_datetime(value.replace(" ", "+")) if "T" in value else None
    if parsed is None:
        day = parse_date(value)
        if day is None:
            raise Open311Error(400, f"{name} is not a W3C datetime: {value!r}.")
        parsed = datetime(day.year, day.month, day.day)
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=ZoneInfo(org.time_zone))
    return parsed


def _published(org: Organisation) -> QuerySet[Request]:
    return Request.objects.filter(organisation=org).select_related(
        "category", "directorate", "organisation"
    )


def requests_endpoint(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _handle(fmt, _post_request, request, fmt)
    if request.method != "GET":
        return error(fmt, 400, "Only GET and POST are supported.")
    return _handle(fmt, _get_requests, request, fmt)


requests_endpoint = csrf_exempt(requests_endpoint)


def _get_requests(request: HttpRequest, fmt: str) -> HttpResponse:
    org = _jurisdiction(request)
    params = request.GET
    qs = _published(org)
    ids = [s.strip() for s in params.get("service_request_id", "").split(",") if s.strip()]
    if ids:
        # The spec: with service_request_id, all other parameters are ignored.
        qs = qs.filter(tracking_code__in=ids)
    else:
        codes = [s.strip() for s in params.get("service_code", "").split(",") if s.strip()]
        if codes:
            qs = qs.filter(category__code__in=codes)
        statuses = {s.strip() for s in params.get("status", "").split(",") if s.strip()}
        if statuses - {"open", "closed"}:
            raise Open311Error(400, "status must be open, closed or both (comma-separated).")
        if statuses == {"open"}:
            qs = qs.filter(state__in=OPEN_STATES)
        elif statuses == {"closed"}:
            qs = qs.exclude(state__in=OPEN_STATES)
        start = params.get("start_date")
        end = params.get("end_date")
        end_dt = _parse_when(end, "end_date", org) if end else timezone.now()
        start_dt = (
            _parse_when(start, "start_date", org)
            if start
            else end_dt - timedelta(days=DEFAULT_DAYS)
        )
        if start and end and end_dt - start_dt > timedelta(days=DEFAULT_DAYS):
            raise Open311Error(400, "start_date and end_date may not span more than 90 days.")
        if end_dt < start_dt:
            raise Open311Error(400, "end_date is before start_date.")
        qs = qs.filter(created_at__gte=start_dt, created_at__lte=end_dt)
    rows = list(qs.order_by("-created_at", "-id")[:MAX_RESULTS])
    notes = _status_notes([r.pk for r in rows])
    posted = _posted(rows)
    return respond(fmt, "service_requests", [_request_data(r, notes, posted) for r in rows])


def request_detail(request: HttpRequest, service_request_id: str, fmt: str) -> HttpResponse:
    def run() -> HttpResponse:
        org = _jurisdiction(request)
        r = _published(org).filter(tracking_code=service_request_id).first()
        if r is None:
            raise Open311Error(404, f"Unknown service_request_id {service_request_id!r}.")
        return respond(
            fmt, "service_requests", [_request_data(r, _status_notes([r.pk]), _posted([r]))]
        )

    return _handle(fmt, run)


def token_detail(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    def run() -> HttpResponse:
        org = _jurisdiction(request)
        message = (
            InboundMessage.objects.filter(organisation=org, source=Source.OPEN311, token=token)
            .select_related("request")
            .first()
        )
        if message is None:
            raise Open311Error(404, f"Unknown token {token!r}.")
        sid = message.request.tracking_code if message.request else None
        return respond(fmt, "service_requests", [{"service_request_id": sid, "token": token}])

    return _handle(fmt, run)


def _payload(request: HttpRequest) -> dict[str, Any]:
    """The POSTed fields; a repeated field (``attribute[code][]``, multivaluelist) is a list."""
    payload: dict[str, Any] = {}
    for k in request.POST:
        if k == "api_key":
            continue
        values = request.POST.getlist(k)
        payload[k] = values if k.endswith("[]") else (values[-1] if values else "")
    return payload


def _post_request(request: HttpRequest, fmt: str) -> HttpResponse:
    raw_key = (
        request.POST.get("api_key")
        or request.GET.get("api_key")
        or request.META.get("HTTP_X_API_KEY")
        or ""
    )
    key = find_api_key(raw_key) if raw_key else None
    if key is None or key.scope != ApiKey.Scope.OPEN311:
        raise Open311Error(403, "Invalid api_key.")
    org = _jurisdiction(request, key=key)
    payload = _payload(request)
    digest = hashlib.sha256(
        json.dumps([key.pk, sorted(payload.items())], ensure_ascii=False).encode()
    ).hexdigest()
    result = services.inbound_receive(
        organisation=org,
        source=Source.OPEN311,
        idempotency_key=f"{key.pk}:{digest}",
        payload={**payload, "api_key_id": key.pk},
    )
    message = services.inbound_process(message_id=result.message.pk)
    if message.status == Status.FAILED:
        code = str(payload.get("service_code") or "").strip()
        unknown = code and not _categories(org).filter(code=code).exists()
        # The spec: 404 when the service_code is not found, 400 for anything else.
        raise Open311Error(404 if unknown else 400, message.error)
    row: dict[str, Any]
    if message.request is not None:
        row = {"service_request_id": message.request.tracking_code}
    else:
        row = {"token": message.token}
    row.update({"service_notice": None, "account_id": payload.get("account_id") or None})
    return respond(fmt, "service_requests", [row])
