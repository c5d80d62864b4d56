"""The Permissions-Policy header on every response (the Content-Security-Policy comes from
django-csp's middleware; both are configured in config/settings/base.py), and the
security.txt that tells a researcher where to report a vulnerability (docs/security.md)."""
from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

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


def security_txt(request: HttpRequest) -> HttpResponse:
    """``/.well-known/security.txt`` (RFC 9116): where to report a vulnerability, from
    SECURITY_CONTACT (a ``mailto:`` or ``https:`` address). 404 while none is set: a file
    naming nobody would send reports nowhere."""
    contacts = settings.SECURITY_CONTACT
    if not contacts:
        raise Http404
    # RFC 9116 wants an expiry under a year ahead; a year from the start of this month keeps
    # the file the same all month (cacheable) and always valid.
    today = timezone.now().date().replace(day=1)
    expires = today.replace(year=today.year + 1)
    lines = [f"Contact: {contact}" for contact in contacts]
    lines += [
        f"Expires: {expires.isoformat()}T00:00:00Z",
        "Preferred-Languages: es, pt, fr, en",
        f"Canonical: {request.build_absolute_uri('/.well-known/security.txt')}",
    ]
    if settings.SECURITY_POLICY_URL:
        lines.append(f"Policy: {settings.SECURITY_POLICY_URL}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
