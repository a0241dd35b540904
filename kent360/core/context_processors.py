from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language_bidi

from kent360.core.registry import nav_for, nav_sections


def platform(request: HttpRequest) -> dict[str, Any]:
    staff = getattr(request, "staff", None)
    return {
        "staff": staff,
        "organisation": staff.organisation if staff else None,
        "LANGUAGE_DIR": "rtl" if get_language_bidi() else "ltr",
        "KENT360_LANGUAGES": settings.LANGUAGES,
        "MAP_TILE_URL": settings.KENT360_MAP_TILE_URL,
        "NAV_ITEMS": nav_for(staff),
        "NAV_SECTIONS": nav_sections(staff),
    }
