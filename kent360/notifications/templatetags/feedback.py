"""The survey and reopen forms on the public tracking page, shown only with a valid token."""

from __future__ import annotations

from typing import Any

from django import template

from kent360.notifications import selectors, services

register = template.Library()


@register.inclusion_tag("notifications/partials/feedback_forms.html", takes_context=True)
def feedback_forms(context: Any, request_obj: Any, token: str | None) -> dict[str, Any]:
    invitation = selectors.survey_by_token(token or "")
    if invitation is None or request_obj is None or invitation.request_id != request_obj.pk:
        return {"invitation": None}
    return {
        "invitation": invitation,
        "token": token,
        "can_reopen": services.can_reopen(invitation),
        "csrf_token": context.get("csrf_token"),
    }
