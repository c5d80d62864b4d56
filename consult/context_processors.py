"""What every page's header needs to know about the person reading it."""
from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from . import selectors


def moderation(request: HttpRequest) -> dict:
    """``moderation_waiting``: per city the reader moderates, the items with open reports;
    ``review_cities``: the cities whose proposals the reader reviews (each evaluated only if the
    page shows it; nothing for anonymous readers)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"moderation_waiting": [], "review_cities": []}
    return {"moderation_waiting": SimpleLazyObject(
        lambda: selectors.moderation_waiting(user=user)),
        # The cities where the reader reviews proposals (one query, only if the page shows it);
        # how many wait is `selectors.proposals_to_assess`.
        "review_cities": SimpleLazyObject(lambda: selectors.review_cities(user=user))}
