"""Small builders shared by the notification tests."""

from __future__ import annotations

from typing import Any

from kent360.notifications import services

BORNOVA_SUBJECT = "Bornova: {{ code }}"
BORNOVA_BODY = "Başvurunuz bize ulaştı ({{ code }})."


def save_received_email_wording(
    actor: Any, *, subject: str = BORNOVA_SUBJECT, body: str = BORNOVA_BODY
) -> Any:
    """The organisation's own Turkish wording of the e-mail a citizen gets on receipt."""
    return services.notification_template_save(
        actor=actor, kind="received", channel="email", language="tr", subject=subject, body=body
    )
