"""Errors raised by service functions; views and the API turn them into clear messages."""

from __future__ import annotations

from django.utils.functional import Promise


class DomainError(Exception):
    """A rule of the domain refused the operation; ``message`` is translated for the user."""

    code = "refused"
    conflict = False

    def __init__(self, message: str | Promise, *, code: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        if code:
            self.code = code


class InvalidTransition(DomainError):
    code = "invalid_transition"
    conflict = True


class NotAllowed(DomainError):
    code = "not_allowed"
