"""The header's count of unread notifications (one query, only if the page shows it)."""
from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from . import selectors


def inbox(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": SimpleLazyObject(
        lambda: selectors.unread_count(user=user))}
