"""The release workflow: draft → in review → approved → scheduled → published → archived.

Approval walks the organisation's configured chain of roles in order; each step is taken by
someone holding that step's role. Sending back returns the release to draft and restarts the
chain. Only drafts are edited, so what was approved is what gets published.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kent360.press.models import ReleaseState as S


@dataclass(frozen=True)
class Action:
    name: str
    label: str | Promise
    sources: frozenset[str]
    target: str  # "" when the target depends on the chain (approve)


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in [
        Action("submit", _("Send for approval"), frozenset({S.DRAFT}), S.IN_REVIEW),
        Action("approve", _("Approve"), frozenset({S.IN_REVIEW}), ""),
        Action("send_back", _("Send back to draft"), frozenset({S.IN_REVIEW}), S.DRAFT),
        Action("schedule", _("Schedule"), frozenset({S.APPROVED}), S.SCHEDULED),
        Action("unschedule", _("Cancel schedule"), frozenset({S.SCHEDULED}), S.APPROVED),
        Action("publish", _("Publish now"), frozenset({S.APPROVED, S.SCHEDULED}), S.PUBLISHED),
        Action("archive", _("Archive"), frozenset({S.PUBLISHED}), S.ARCHIVED),
    ]
}


def allowed_actions(state: str) -> list[Action]:
    return [a for a in ACTIONS.values() if state in a.sources]
