"""Throttling. Writes (unsafe methods) are limited per user (or per address when anonymous) at
the ``writes`` rate; anonymous reads at the ``anon`` rate. Rates come from
``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` and are read on every request, so tests can
override them with ``settings``."""
from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class _SettingsRate(SimpleRateThrottle):
    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class WriteThrottle(_SettingsRate):
    """POST, PUT, PATCH and DELETE: at most the ``writes`` rate per user."""

    scope = "writes"

    def allow_request(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return super().allow_request(request, view)

    def get_cache_key(self, request, view) -> str:
        if request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"addr-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AnonThrottle(_SettingsRate):
    """Anonymous requests (reads, mostly): at most the ``anon`` rate per address."""

    scope = "anon"

    def get_cache_key(self, request, view) -> str | None:
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
