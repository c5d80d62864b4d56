"""Limits on guessing passwords, shared by every app server (the counters live in Django's
cache: Redis in production). After LOGIN_FAILURES_PER_ACCOUNT failed attempts on one username,
or LOGIN_FAILURES_PER_ADDRESS from one address, within LOGIN_FAILURE_WINDOW seconds, further
attempts for that username (or from that address) are refused for LOGIN_LOCKOUT_SECONDS — even
with the right password. Counting by the username typed, whether or not such an account exists,
means a refusal tells nothing about which accounts exist. A successful login clears the
account's count. Used by the login page, the API's token endpoint and account deletion."""
from __future__ import annotations

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import ngettext


def locked_message(seconds: int) -> str:
    """Why the attempt is refused, saying when to try again."""
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext(
        "Too many failed attempts to log in: try again in %(n)s minute.",
        "Too many failed attempts to log in: try again in %(n)s minutes.", minutes,
    ) % {"n": minutes}


def client_address(request: HttpRequest | None) -> str:
    """The address the request came from. Behind TRUSTED_PROXY_COUNT proxies that append to
    X-Forwarded-For, the address the nearest of them saw; never a value the client chose."""
    if request is None:
        return ""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in
                 request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def _keys(*, username: str, address: str) -> list[tuple[str, int]]:
    keys = []
    if username:
        digest = hashlib.sha256(username.strip().casefold().encode()).hexdigest()[:32]
        keys.append((f"login-failures:account:{digest}", settings.LOGIN_FAILURES_PER_ACCOUNT))
    if address:
        keys.append((f"login-failures:address:{address}", settings.LOGIN_FAILURES_PER_ADDRESS))
    return keys


def retry_after(*, username: str, address: str) -> int | None:
    """Seconds until an attempt for this username from this address is allowed again; None if
    it is allowed now."""
    now = time.time()
    waits = [until - now for key, _limit in _keys(username=username, address=address)
             if (until := cache.get(f"{key}:locked")) is not None and until > now]
    return math.ceil(max(waits)) if waits else None


def record_failure(*, username: str, address: str) -> None:
    """Count a failed attempt; the one that reaches a limit locks that username or address."""
    for key, limit in _keys(username=username, address=address):
        if cache.add(key, 1, settings.LOGIN_FAILURE_WINDOW):
            failures = 1
        else:
            try:
                failures = cache.incr(key)
            except ValueError:  # expired between add() and incr()
                cache.add(key, 1, settings.LOGIN_FAILURE_WINDOW)
                failures = 1
        if failures >= limit:
            lockout = settings.LOGIN_LOCKOUT_SECONDS
            cache.set(f"{key}:locked", time.time() + lockout, lockout)
            cache.delete(key)  # after the lockout, the full allowance again


def record_success(*, username: str) -> None:
    """A correct password clears the account's failures (not the address's)."""
    for key, _limit in _keys(username=username, address=""):
        cache.delete(key)
