"""SMS gateways: a generic configurable HTTP gateway and Netgsm (Turkey).

The one way kent360 sends SMS: citizen notifications (with fallback to e-mail) and the
network app's crisis broadcasts and sign-up codes all use ``configured_gateway()``.

A gateway takes one E.164 number or a list of them (one message to many, as a crisis
broadcast), a text and an optional ``reference`` (the same reference again lets a gateway
that supports it drop a repeated submission), and returns the provider's message id, or
raises SmsError. ``permanent`` errors (bad credentials, unknown sender name, invalid
number) are not retried: the message falls back to e-mail at once; temporary ones
(network, 5xx, rate limits) are retried with back-off first.

Settings: KENT360_SMS_PROVIDER (``netgsm``, ``generic`` or empty = no SMS),
KENT360_SMS_URL, KENT360_SMS_USER, KENT360_SMS_PASSWORD, KENT360_SMS_SENDER,
KENT360_SMS_TOKEN (generic: bearer token), KENT360_SMS_FIELDS (generic: renamed JSON
fields, e.g. ``to=gsm,text=message,sender=from``). Replies forwarded by the gateway (STOP)
authenticate with KENT360_SMS_INBOUND_TOKEN, a secret of their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import httpx
from django.conf import settings


class SmsError(Exception):
    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


class SmsGateway(Protocol):
    def send(self, *, to: str | Sequence[str], text: str, reference: str = "") -> str: ...


def _digits(e164: str) -> str:
    return "".join(ch for ch in e164 if ch.isdigit())


def _recipients(to: str | Sequence[str]) -> list[str]:
    numbers = [to] if isinstance(to, str) else list(to)
    if not numbers:
        raise SmsError("no recipients", permanent=True)
    return numbers


# Netgsm's documented result codes of /sms/send/get (anything else is unknown → temporary).
NETGSM_ERRORS = {
    "20": ("message text too long or invalid", True),
    "30": ("invalid user code or password, or no API access", True),
    "40": ("sender name (msgheader) not defined for the account", True),
    "50": ("İYS-controlled sending not allowed for this account", True),
    "51": ("no İYS brand code for this account", True),
    "70": ("invalid or missing parameters", True),
    "80": ("sending limit exceeded", False),
    "85": ("duplicate sending limit exceeded", False),
}


@dataclass
class NetgsmGateway:
    """Netgsm's HTTP GET API: ``GET {base}/sms/send/get/?usercode=&password=&gsmno=&message=
    &msgheader=&dil=TR``; the answer is ``00 <job id>`` on success, else an error code.
    One text to many numbers (1:n) goes as one call with comma-separated ``gsmno``; the
    API takes no client reference, so ``reference`` is not sent."""

    usercode: str
    password: str
    msgheader: str
    base_url: str = "https://api.netgsm.com.tr"
    timeout: float = 15.0

    def send(self, *, to: str | Sequence[str], text: str, reference: str = "") -> str:
        params = {
            "usercode": self.usercode,
            "password": self.password,
            "gsmno": ",".join(_digits(n) for n in _recipients(to)),
            "message": text,
            "msgheader": self.msgheader,
            "dil": "TR",
        }
        try:
            response = httpx.get(
                f"{self.base_url.rstrip('/')}/sms/send/get/", params=params, timeout=self.timeout
            )
        except httpx.HTTPError as exc:
            raise SmsError(f"netgsm unreachable: {exc}", permanent=False) from exc
        if response.status_code >= 500:
            raise SmsError(f"netgsm HTTP {response.status_code}", permanent=False)
        body = response.text.strip()
        code, _sep, rest = body.partition(" ")
        if code in ("00", "01", "02") and rest.strip():
            return rest.strip()
        reason, permanent = NETGSM_ERRORS.get(code, (f"unexpected answer {body[:80]!r}", False))
        raise SmsError(f"netgsm {code}: {reason}", permanent=permanent)


@dataclass
class GenericHttpGateway:
    """Any HTTP gateway taking a JSON POST: fields to/text/sender/reference (renamable), an
    optional bearer token; 2xx is success and the JSON ``id`` (or ``message_id``) the
    provider's id. ``to`` is a string for one number and a list for several; ``reference``
    is sent only when given. 4xx is permanent, 5xx, 429 and network errors temporary."""

    url: str
    token: str = ""
    sender: str = ""
    fields: dict[str, str] | None = None
    timeout: float = 15.0

    def send(self, *, to: str | Sequence[str], text: str, reference: str = "") -> str:
        names = {
            "to": "to",
            "text": "text",
            "sender": "sender",
            "reference": "reference",
            **(self.fields or {}),
        }
        numbers = _recipients(to)
        payload: dict[str, object] = {
            names["to"]: to if isinstance(to, str) else numbers,
            names["text"]: text,
            names["sender"]: self.sender,
        }
        if reference:
            payload[names["reference"]] = reference
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            response = httpx.post(self.url, json=payload, headers=headers, timeout=self.timeout)
        except httpx.HTTPError as exc:
            raise SmsError(f"gateway unreachable: {exc}", permanent=False) from exc
        if response.status_code >= 400:
            raise SmsError(
                f"gateway HTTP {response.status_code}: {response.text[:200]}",
                permanent=response.status_code < 500 and response.status_code != 429,
            )
        try:
            data = response.json()
        except ValueError:
            return ""
        return str(data.get("id") or data.get("message_id") or "") if isinstance(data, dict) else ""


def _fields(spec: str) -> dict[str, str]:
    out = {}
    for part in spec.split(","):
        if "=" in part:
            key, value = part.split("=", 1)
            out[key.strip()] = value.strip()
    return out


def configured_gateway() -> SmsGateway | None:
    """The gateway named by the settings, or None when SMS is not set up."""
    provider = getattr(settings, "KENT360_SMS_PROVIDER", "")
    if provider == "netgsm":
        return NetgsmGateway(
            usercode=settings.KENT360_SMS_USER,
            password=settings.KENT360_SMS_PASSWORD,
            msgheader=settings.KENT360_SMS_SENDER,
            base_url=settings.KENT360_SMS_URL or "https://api.netgsm.com.tr",
        )
    if provider == "generic" and settings.KENT360_SMS_URL:
        return GenericHttpGateway(
            url=settings.KENT360_SMS_URL,
            token=settings.KENT360_SMS_TOKEN,
            sender=settings.KENT360_SMS_SENDER,
            fields=_fields(settings.KENT360_SMS_FIELDS),
        )
    return None
