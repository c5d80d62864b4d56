"""A fixed-window limit on attempts, shared by every app server (the counters live in Django's
cache: Redis in production). For lookups that must not be guessed at speed, such as receipt
codes, on the web and in the API alike (one counter for both)."""
from __future__ import annotations

import math
import time

from django.core.cache import cache


def attempt(*, scope: str, ident: str, limit: int, window: int) -> int | None:
    """Count one attempt by ``ident``; None while at most ``limit`` attempts were made in the
    current window of ``window`` seconds, else the seconds until the next window."""
    now = time.time()
    key = f"rate:{scope}:{ident}:{int(now // window)}"
    cache.add(key, 0, timeout=window * 2)
    try:
        made = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window * 2)
        made = 1
    if made <= limit:
        return None
    return max(1, math.ceil(window - now % window))
