"""The reader's time zone on pages that are not about one city (docs/web.md, "Times")."""
from __future__ import annotations

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone

from . import selectors

#: The session remembers the zone from the login on (no query per request), with the user it
#: was found for.
SESSION_KEY = "cabildo_reader_zone"
#: config/urls.py mounts the API here: its times stay UTC whoever asks (a token client and a
#: signed-in browser read the same instants the same way).
API_PREFIX = "/api/"


class ReaderTimeZoneMiddleware:
    """Pages about a city show its local time with ``{% city_moment %}`` / ``{% deadline %}``;
    a person's own pages (the inbox, "my participation") show times in the zone of the
    reader's city — the one they take part in, else the first they work for — and anonymous
    readers UTC."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(API_PREFIX):  # the API speaks UTC to every client
            return self.get_response(request)
        with timezone.override(zone_of(request) or None):
            return self.get_response(request)


def zone_of(request) -> str:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    remembered = request.session.get(SESSION_KEY)
    if remembered and remembered[0] == user.pk:
        return remembered[1]
    return remember_zone(request, user)


@receiver(user_logged_in, dispatch_uid="reader_zone_remembered")
def _logged_in(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        remember_zone(request, user)


def remember_zone(request, user) -> str:
    """Find the reader's zone again (at login, and when they join a city)."""
    city = selectors.reader_city(user=user)
    zone = city.timezone if city is not None else ""
    request.session[SESSION_KEY] = [user.pk, zone]
    return zone
