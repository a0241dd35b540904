"""Points the one SMS gateway setting (kent360.notifications.sms, generic JSON gateway) at
the local fake API, whose ``/sms/messages`` takes {"to", "text", "from", "reference"}."""

from __future__ import annotations

from typing import Any

from kent360.social.tests.servers import FakeApi

INBOUND_TOKEN = "inbound-secret"


def use_local_gateway(settings: Any, api: FakeApi) -> None:
    settings.KENT360_SMS_PROVIDER = "generic"
    settings.KENT360_SMS_URL = api.url + "/sms/messages"
    settings.KENT360_SMS_TOKEN = api.token
    settings.KENT360_SMS_SENDER = "BELEDIYE"
    settings.KENT360_SMS_FIELDS = "sender=from"
    settings.KENT360_SMS_INBOUND_TOKEN = INBOUND_TOKEN
