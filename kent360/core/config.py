"""Settings read from the environment, in one place.

Every setting of kent360 that differs between installations is an environment variable
named ``KENT360_*`` (plus ``DATABASE_URL``).  In production (``KENT360_ENV=production``)
a missing required variable stops the process at start-up with a message naming it,
instead of letting the platform run with a development default.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_str(name: str, default: str | None = None, *, required_in_production: bool = False) -> str:
    value = os.environ.get(name)
    if value is None or value == "":
        if required_in_production and is_production():
            raise ImproperlyConfigured(f"{name} must be set when KENT360_ENV=production")
        if default is None:
            raise ImproperlyConfigured(f"{name} must be set")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def is_production() -> bool:
    return os.environ.get("KENT360_ENV", "development") == "production"


def var_dir() -> Path:
    path = Path(os.environ.get("KENT360_VAR_DIR", BASE_DIR / "var"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key() -> str:
    """The production key comes from the environment; a development key is kept in var/."""
    if is_production():
        return env_str("KENT360_SECRET_KEY", required_in_production=True)
    value = os.environ.get("KENT360_SECRET_KEY")
    if value:
        return value
    path = var_dir() / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()
