"""Discovery of what each kent360 app contributes: navigation entries and demo data.

An app adds a ``nav.py`` with ``ITEMS = [NavItem(...)]`` and/or a ``demo.py`` with a
``load_demo()`` function; nothing central has to be edited when an app is added.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from types import ModuleType
from typing import Any

from django.apps import apps
from django.utils.functional import Promise
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    roles: frozenset[str] = field(default_factory=frozenset)  # empty: every staff role
    order: int = 100


def _submodules(name: str) -> list[ModuleType]:
    found = []
    for config in apps.get_app_configs():
        if config.name.startswith("kent360.") and module_has_submodule(config.module, name):
            found.append(importlib.import_module(f"{config.name}.{name}"))
    return found


@cache
def nav_items() -> list[NavItem]:
    items: list[NavItem] = []
    for module in _submodules("nav"):
        items.extend(getattr(module, "ITEMS", []))
    return sorted(items, key=lambda i: i.order)


def nav_for(staff: Any) -> list[NavItem]:
    if staff is None:
        return []
    return [i for i in nav_items() if not i.roles or staff.role in i.roles]


# Navbar sections: an item goes to the section of its URL namespace; settings-like pages
# (order 80 and above) go under "Administration".
SECTIONS: list[tuple[str, str | Promise, frozenset[str]]] = [
    ("requests", _("Requests"), frozenset({"intake", "citizens", "routing", "requests"})),
    ("press", _("Press office"), frozenset({"media", "press", "social", "network"})),
    ("reports", _("Reports"), frozenset({"reports"})),
]


@dataclass(frozen=True)
class NavSection:
    key: str
    label: str | Promise
    items: list[NavItem]


def nav_sections(staff: Any) -> list[NavSection]:
    """The staff member's navbar entries grouped into sections, empty sections left out."""
    grouped: dict[str, list[NavItem]] = {key: [] for key, _label, _ns in SECTIONS}
    grouped["admin"] = []
    for item in nav_for(staff):
        namespace = item.url_name.split(":", 1)[0]
        key = (
            "admin"
            if item.order >= 80
            else next((k for k, _label, names in SECTIONS if namespace in names), "admin")
        )
        grouped[key].append(item)
    labels = {key: label for key, label, _ns in SECTIONS} | {"admin": _("Administration")}
    return [NavSection(key, labels[key], items) for key, items in grouped.items() if items]


def demo_loaders() -> list[Callable[[], Any]]:
    """Each app's ``demo.load_demo`` (the core loader runs first, separately)."""
    return [m.load_demo for m in _submodules("demo") if hasattr(m, "load_demo")]
