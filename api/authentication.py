"""API tokens that expire: a token older than API_TOKEN_MAX_AGE seconds is refused (401) and the
token endpoint hands out a new one; its owner can revoke it at any time (DELETE auth/token/)."""
from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

TOKEN_EXPIRED = _("This API token has expired: ask for a new one at /api/v1/auth/token/.")


def token_expires_at(token: Token) -> datetime | None:
    """When the token stops working (None: tokens never expire here)."""
    if not settings.API_TOKEN_MAX_AGE:
        return None
    return token.created + timedelta(seconds=settings.API_TOKEN_MAX_AGE)


def token_has_expired(token: Token) -> bool:
    expires_at = token_expires_at(token)
    return expires_at is not None and expires_at <= timezone.now()


def token_for(user) -> Token:
    """The user's current token: the one they have, or a new one if it expired or is missing."""
    token = Token.objects.filter(user=user).first()
    if token is not None and token_has_expired(token):
        token.delete()
        token = None
    return token or Token.objects.create(user=user)


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_has_expired(token):
            raise exceptions.AuthenticationFailed(TOKEN_EXPIRED)
        return user, token
