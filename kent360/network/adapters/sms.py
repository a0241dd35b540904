"""Crisis SMS go out through the notifications app's configured gateway.

There is one SMS adapter and one set of settings (``kent360.notifications.sms``,
KENT360_SMS_*). This module only translates its outcome into the network's publishing
terms: a gateway error becomes ``PublishError`` (retryable unless the gateway said the
failure is permanent), and no configured gateway is a permanent failure.
"""

from __future__ import annotations

from kent360.notifications.sms import SmsError, configured_gateway
from kent360.social.adapters.base import PublishError


def sms_send(*, to: list[str], text: str, reference: str) -> str:
    """One text to the numbers (E.164) in one submission; returns the gateway's message id.

    ``reference`` is stable per dispatch, so a retry after a lost answer is recognisable
    to a gateway that de-duplicates by it."""
    gateway = configured_gateway()
    if gateway is None:
        raise PublishError("No SMS gateway is configured.", retryable=False)
    try:
        return gateway.send(to=to, text=text, reference=reference)
    except SmsError as exc:
        raise PublishError(str(exc), retryable=not exc.permanent) from exc
