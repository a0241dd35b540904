"""JSON API of the intake: field-team reports (offline queue safe) and the social webhook."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request as ApiRequest
from rest_framework.response import Response
from rest_framework.views import APIView

from kent360.core.api_auth import find_api_key, raw_key_from
from kent360.core.errors import DomainError
from kent360.core.models import ApiKey
from kent360.intake import services
from kent360.intake.images import clean_photo
from kent360.intake.models import InboundMessage, Source, Status
from kent360.organizations.models import Organisation
from kent360.requests import permissions
from kent360.requests.api.views import api_staff
from kent360.requests.models import Kind

MAX_FIELD_PHOTOS = 6


class PhotoSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    data = serializers.CharField(help_text="base64 of the JPEG/PNG/HEIC file")  # type: ignore[assignment]


class FieldReportSerializer(serializers.Serializer):
    idempotency_key = serializers.CharField(
        max_length=200, help_text="Generated on the device; a replay returns the same request."
    )
    text = serializers.CharField(max_length=5000)
    subject = serializers.CharField(max_length=300, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=Kind.choices, default=Kind.REQUEST)
    category = serializers.CharField(max_length=50, required=False, allow_blank=True)
    latitude = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    longitude = serializers.FloatField(
        required=False, allow_null=True, min_value=-180, max_value=180
    )
    accuracy_m = serializers.FloatField(required=False, allow_null=True)
    address = serializers.CharField(max_length=500, required=False, allow_blank=True)
    photos = PhotoSerializer(many=True, required=False)


def _result(message: InboundMessage) -> dict[str, Any]:
    return {
        "inbound_id": message.pk,
        "status": message.status,
        "tracking_code": message.request.tracking_code if message.request else None,
        "error": message.error or None,
    }


class FieldReportView(APIView):
    """A report from a field team's device. Safe to replay: the device's key decides."""

    @extend_schema(request=FieldReportSerializer, responses={201: dict, 200: dict, 400: dict})
    def post(self, request: ApiRequest) -> Response:
        staff = api_staff(request)
        if not permissions.can_create(staff):
            raise DomainError(_("Your role cannot register requests."), code="not_allowed")
        serializer = FieldReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        key = data.pop("idempotency_key")
        photos = data.pop("photos", [])
        existing = InboundMessage.objects.filter(
            organisation_id=staff.organisation_id, source=Source.FIELD, idempotency_key=key
        ).first()
        if existing is not None:
            return Response(_result(existing), status=status.HTTP_200_OK)
        payload = {**data, "staff_id": staff.pk}
        files, error = _clean_photos(photos, payload)
        result = services.inbound_receive(
            organisation=staff.organisation,
            source=Source.FIELD,
            idempotency_key=key,
            payload=payload,
            files=files,
            actor=staff,
            enqueue=error is None,
        )
        if error is not None:
            services.inbound_reject(message=result.message, error=error)
            result.message.refresh_from_db()
            return Response(
                {
                    **_result(result.message),
                    "error": {"code": "invalid", "message": error, "fields": {"photos": [error]}},
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        message = services.inbound_process(message_id=result.message.pk)
        return Response(_result(message), status=status.HTTP_201_CREATED)


def _clean_photos(
    photos: list[dict[str, str]], payload: dict[str, Any]
) -> tuple[list[tuple[str, bytes, str]], str | None]:
    if len(photos) > MAX_FIELD_PHOTOS:
        return [], _("At most %(n)d photos.") % {"n": MAX_FIELD_PHOTOS}
    files = []
    for photo in photos:
        try:
            content = base64.b64decode(photo["data"], validate=True)
            clean = clean_photo(
                photo["name"], content, max_bytes=settings.KENT360_MAX_ATTACHMENT_BYTES
            )
        except (binascii.Error, ValueError):
            return [], _("%(name)s is not valid base64.") % {"name": photo["name"]}
        except DomainError as exc:
            return [], str(exc.message)
        files.append((clean.name, clean.content, clean.content_type))
        if payload.get("latitude") is None and clean.latitude is not None:
            payload["latitude"], payload["longitude"] = clean.latitude, clean.longitude
    return files, None


class WebhookView(APIView):
    """Generic inbound social-media webhook for bridges of other platforms.

    Authenticated by an API key of scope "webhook" (X-Api-Key) or by an HMAC-SHA256 of
    the raw body with KENT360_WEBHOOK_HMAC_SECRET in ``X-Kent360-Signature: sha256=<hex>``.
    Body: {"platform", "external_id", "author": {"handle", "name"}, "text", "url",
    "latitude", "longitude", "email", "phone"}.
    """

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(request=dict, responses={201: dict, 200: dict, 400: dict, 403: dict})
    def post(self, request: ApiRequest, org: str) -> Response:
        organisation = get_object_or_404(Organisation, slug=org, is_active=True)
        body = request.body
        if not _webhook_authorised(request, body, organisation):
            return Response(
                {
                    "error": {
                        "code": "forbidden",
                        "message": _("Invalid API key or signature."),
                        "fields": {},
                    }
                },
                status=status.HTTP_403_FORBIDDEN,
            )
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            data = None
        external_id = str(data.get("external_id") or "") if isinstance(data, dict) else ""
        platform = str(data.get("platform") or "webhook") if isinstance(data, dict) else "webhook"
        key = f"{platform}:{external_id}" if external_id else ""
        result = services.inbound_receive(
            organisation=organisation,
            source=Source.WEBHOOK,
            idempotency_key=key,
            payload=data if isinstance(data, dict) else {},
            raw=body,
            raw_name="webhook.json",
        )
        message = services.inbound_process(message_id=result.message.pk)
        code: int = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        if message.status == Status.FAILED:
            code = status.HTTP_400_BAD_REQUEST
        return Response(_result(message), status=code)


def _webhook_authorised(request: ApiRequest, body: bytes, organisation: Organisation) -> bool:
    raw = raw_key_from(request)
    if raw:
        key = find_api_key(raw)
        return bool(
            key and key.scope == ApiKey.Scope.WEBHOOK and key.organisation_id == organisation.pk
        )
    signature = request.META.get("HTTP_X_KENT360_SIGNATURE", "")
    secret = settings.KENT360_WEBHOOK_HMAC_SECRET
    if not secret or not signature.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature.removeprefix("sha256="))
