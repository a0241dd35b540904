"""The request lifecycle as an explicit state machine, and who may take which action.

Actions (not raw states) are what users ask for: ``assign``, ``answer``, ``transfer``…
Each action names the states it may start from and the state it leads to; anything
else is refused with a message that says what is possible from the current state.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kent360.organizations.models import Role
from kent360.requests.models import State

S = State


@dataclass(frozen=True)
class Action:
    name: str
    label: str | Promise
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    # Directorate staff may act only on requests of their own directorate.
    own_directorate_only_for_staff: bool = True


ALL_ROLES = frozenset(Role.values)
ROUTERS = frozenset({Role.AGENT, Role.DIRECTORATE_MANAGER, Role.PR_MANAGER, Role.ORG_ADMIN})
WORKERS = frozenset(
    {Role.DIRECTORATE_STAFF, Role.DIRECTORATE_MANAGER, Role.PR_MANAGER, Role.ORG_ADMIN}
)
ACTIVE = frozenset(
    {S.RECEIVED, S.TRIAGED, S.ASSIGNED, S.IN_PROGRESS, S.WAITING, S.REOPENED, S.TRANSFERRED}
)

ACTIONS: dict[str, Action] = {
    a.name: a
    for a in [
        Action("triage", _("Triage"), frozenset({S.RECEIVED, S.REOPENED}), S.TRIAGED, ROUTERS),
        Action(
            "assign",
            _("Assign"),
            frozenset(
                {S.RECEIVED, S.TRIAGED, S.ASSIGNED, S.REOPENED, S.TRANSFERRED, S.IN_PROGRESS}
            ),
            S.ASSIGNED,
            ROUTERS | WORKERS,
        ),
        Action(
            "start",
            _("Start work"),
            frozenset({S.RECEIVED, S.ASSIGNED, S.REOPENED, S.TRANSFERRED, S.WAITING, S.TRIAGED}),
            S.IN_PROGRESS,
            WORKERS,
        ),
        Action(
            "wait",
            _("Wait for the citizen"),
            frozenset({S.IN_PROGRESS, S.ASSIGNED}),
            S.WAITING,
            WORKERS,
        ),
        Action(
            "answer",
            _("Answer"),
            frozenset({S.ASSIGNED, S.IN_PROGRESS, S.WAITING, S.REOPENED, S.TRANSFERRED, S.TRIAGED}),
            S.ANSWERED,
            WORKERS,
        ),
        Action(
            "close",
            _("Close"),
            frozenset({S.ANSWERED}),
            S.CLOSED,
            WORKERS | frozenset({Role.AGENT}),
        ),
        Action(
            "reopen",
            _("Reopen"),
            frozenset({S.ANSWERED, S.CLOSED, S.REJECTED}),
            S.REOPENED,
            ROUTERS | WORKERS,
        ),
        Action("transfer", _("Transfer"), ACTIVE, S.TRANSFERRED, ROUTERS | WORKERS),
        Action("merge", _("Merge as duplicate"), ACTIVE, S.MERGED, ROUTERS | WORKERS),
        Action("reject", _("Reject (not our competence)"), ACTIVE, S.REJECTED, ROUTERS | WORKERS),
    ]
}

# Not state changes, but permissions all the same.
NOTE_ROLES = ALL_ROLES - {Role.PRESS_OFFICER}
REPLY_ROLES = WORKERS | frozenset({Role.AGENT})
CREATE_ROLES = ALL_ROLES - {Role.PRESS_OFFICER}
EDIT_ROLES = ROUTERS | WORKERS


def allowed_actions(state: str) -> list[Action]:
    return [a for a in ACTIONS.values() if state in a.sources]


def state_label(state: str) -> str:
    return str(State(state).label)
