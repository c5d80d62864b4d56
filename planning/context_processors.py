"""What every page's header needs to know about the person reading it."""
from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from . import selectors


def waiting(request: HttpRequest) -> dict:
    """``waiting``: what waits for the reader if they hold a staff role (evaluated only if the
    page shows it; nothing for anonymous readers)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"waiting": selectors.Waiting(is_staff=False)}
    return {"waiting": SimpleLazyObject(lambda: selectors.waiting_for(user=user))}
