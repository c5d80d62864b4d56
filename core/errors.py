"""Errors the services raise; each carries a message meant for the person who acted.

Views turn them into form errors or error pages, the API into its error format: a ServiceError is
a 400 (bad input, or a state that refuses the action), a NotAllowed a 403, a Conflict a 409."""
from __future__ import annotations


class ServiceError(Exception):
    """Bad input or a state that refuses the action (HTTP 400 / form error)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(ServiceError):
    """The person may not do this here, now (HTTP 403)."""


class Conflict(ServiceError):
    """The same action is already under way or done; repeating it now would clash (HTTP 409)."""
