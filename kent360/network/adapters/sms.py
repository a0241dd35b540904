"""An HTTP SMS gateway adapter.

Turkish and Iranian bulk-SMS providers differ in details but share the shape: an
authenticated POST of sender, recipients and text, answered with a message id. This adapter
speaks that JSON shape (POST {base}/messages, Bearer token, body {"from", "to": [...],
"text", "reference"}); ``reference`` lets the gateway drop a repeated submission.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from django.conf import settings

from kent360.social.adapters.base import PublishError, call, check


@dataclass(frozen=True)
class SmsGateway:
    base_url: str
    token: str
    sender: str
    transport: httpx.BaseTransport | None = None

    def send(self, *, to: list[str], text: str, reference: str) -> str:
        if not self.base_url:
            raise PublishError("No SMS gateway is configured.", retryable=False)
        with httpx.Client(
            base_url=self.base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=20.0,
            transport=self.transport,
        ) as http:
            data = check(
                call(
                    http.post,
                    "/messages",
                    json={"from": self.sender, "to": to, "text": text, "reference": reference},
                )
            )
        return str(data.get("id", ""))


def gateway() -> SmsGateway:
    return SmsGateway(
        settings.KENT360_SMS_GATEWAY_URL,
        settings.KENT360_SMS_GATEWAY_TOKEN,
        settings.KENT360_SMS_SENDER,
    )
