"""DRF permission classes. They only decide who may *try*: authentication for writes and for
personal resources. Whether a write is allowed here, now (role × city × phase) is decided by the
services, which check the same predicates as the web (consult.rules, planning.rules); their
NotAllowed becomes a 403. What a user may read is decided by the same predicates and selectors."""
from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission


class ReadOrAuthenticated(BasePermission):
    """Anyone reads; writes need an authenticated user (401 otherwise)."""

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or bool(
            request.user and request.user.is_authenticated
        )
