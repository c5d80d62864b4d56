"""The Permissions-Policy header on every response (the Content-Security-Policy comes from
django-csp's middleware; both are configured in config/settings/base.py)."""
from __future__ import annotations

from django.conf import settings

HEADER = "Permissions-Policy"


def permissions_policy(policy: dict[str, list[str]]) -> str:
    """``{"camera": [], "fullscreen": ["self"]}`` → ``camera=(), fullscreen=(self)``.

    An origin is quoted (``"https://maps.example"``); ``self`` and ``*`` are keywords."""

    def allowed(origin: str) -> str:
        return origin if origin in ("self", "*") else f'"{origin}"'

    return ", ".join(
        f"{feature}=*" if origins == ["*"] else
        f"{feature}=({' '.join(allowed(origin) for origin in origins)})"
        for feature, origins in policy.items()
    )


class PermissionsPolicyMiddleware:
    """Adds ``settings.PERMISSIONS_POLICY`` as a Permissions-Policy header to every response
    that has none yet (a view may set its own)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = permissions_policy(getattr(settings, "PERMISSIONS_POLICY", {}))

    def __call__(self, request):
        response = self.get_response(request)
        if self.header and HEADER not in response:
            response[HEADER] = self.header
        return response
