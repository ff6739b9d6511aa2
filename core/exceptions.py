"""Errors raised by services. Views and the API turn them into messages and statuses.

- ``django.core.exceptions.ValidationError``: bad input or a broken rule (400).
- ``django.core.exceptions.PermissionDenied``: visible, but not yours to change (403).
- ``Conflict``: the change no longer fits the current state, e.g. capacity (409).
"""

from typing import Any


class Conflict(Exception):
    """A change that clashes with the current state of things."""

    code = "conflict"

    def __init__(self, message: str, *, code: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details


class InvalidTransition(Conflict):
    """A lifecycle step taken out of order."""

    code = "invalid_transition"
