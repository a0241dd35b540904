"""A text field stored encrypted at rest (Fernet, from the ``cryptography`` package).

The database holds ``enc1:<Fernet token>``; Python code sees the plain value. The key is
derived from ``settings.KENT360_FIELD_KEY`` (SHA-256, url-safe base64), so any secret
string works as the setting. A value without the prefix is a row written before
encryption was introduced: it is read as is and encrypted the next time it is saved.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "enc1:"


def _fernet() -> Fernet:
    secret = str(getattr(settings, "KENT360_FIELD_KEY", "") or "")
    if not secret:
        raise ImproperlyConfigured("KENT360_FIELD_KEY must be set")
    key = base64.urlsafe_b64encode(hashlib.sha256(secret.encode()).digest())
    return Fernet(key)


def encrypt(value: str) -> str:
    return PREFIX + _fernet().encrypt(value.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored.startswith(PREFIX):
        return stored
    try:
        return _fernet().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "An encrypted value cannot be read: KENT360_FIELD_KEY has changed."
        ) from exc


class EncryptedTextField(models.TextField):
    """Stores the value encrypted; lookups on it are meaningless and not supported."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "" or str(value).startswith(PREFIX):
            return value
        return encrypt(str(value))
