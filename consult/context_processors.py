"""What every page's header needs to know about the person reading it."""
from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from . import selectors


def moderation(request: HttpRequest) -> dict:
    """``moderation_waiting``: per city the reader moderates, the items with open reports
    (evaluated only if the page shows it; nothing for anonymous readers)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"moderation_waiting": []}
    return {"moderation_waiting": SimpleLazyObject(
        lambda: selectors.moderation_waiting(user=user))}


def setup(request: HttpRequest) -> dict:
    """``setup_cities``: the cities whose consultations the reader may set up (evaluated only
    if the page shows it)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"setup_cities": []}
    return {"setup_cities": SimpleLazyObject(lambda: selectors.setup_cities(user=user))}
