"""Reads of the intake, always through the asking staff member's organisation."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from kent360.intake.models import InboundMessage, Status
from kent360.organizations.models import Staff


def inbound_list(*, staff: Staff, status: str = "") -> QuerySet[InboundMessage]:
    qs = InboundMessage.objects.filter(organisation_id=staff.organisation_id).select_related(
        "request"
    )
    if status == "attention":
        return qs.filter(status__in=[Status.FAILED, Status.REVIEW])
    if status:
        qs = qs.filter(status=status)
    return qs


def inbound_get(*, staff: Staff, pk: int) -> InboundMessage:
    return get_object_or_404(
        InboundMessage.objects.prefetch_related("files"),
        pk=pk,
        organisation_id=staff.organisation_id,
    )


def attention_count(*, staff: Staff) -> int:
    return inbound_list(staff=staff, status="attention").count()
