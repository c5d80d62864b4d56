"""Authentication (an API token for a username and password) and the API's 404."""
from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core import login_limits

from ..authentication import ExpiringTokenAuthentication, token_expires_at, token_for
from ._common import ApiDefaults, ApiView


class ObtainToken(ApiDefaults, ObtainAuthToken):
    """POST: exchange a username and password for your API token (send it as
    `Authorization: Token <key>`); it expires after `expires_at` (then POST again for a new
    one). Repeated failures lock the username or the address out for a while (429 with
    `Retry-After`). DELETE (with the token): revoke it at once."""

    # Asking for a token takes a password only (a stale token in the request must not stand in
    # the way); revoking takes the token itself.
    def _revoking(self) -> bool:
        return getattr(self.request, "method", None) == "DELETE"

    def get_authenticators(self):
        return [ExpiringTokenAuthentication()] if self._revoking() else []

    def get_permissions(self):
        return [IsAuthenticated()] if self._revoking() else []

    @extend_schema(
        request=inline_serializer("TokenRequest", {
            "username": serializers.CharField(), "password": serializers.CharField()}),
        responses={200: inline_serializer("TokenResponse", {
            "token": serializers.CharField(),
            "expires_at": serializers.DateTimeField(allow_null=True)})},
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        data = request.data if isinstance(request.data, dict) else {}
        username = data.get("username")
        username = username if isinstance(username, str) else ""
        address = login_limits.client_address(request)
        wait = login_limits.retry_after(username=username, address=address)
        if wait:  # the password is not checked while locked out (core.login_limits)
            locked = exceptions.Throttled(detail=login_limits.locked_message(wait))
            locked.wait = wait  # Retry-After, without DRF's second sentence saying it again
            raise locked
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            if data.get("password"):
                login_limits.record_failure(username=username, address=address)
            raise exceptions.ValidationError(serializer.errors)
        login_limits.record_success(username=username)
        token = token_for(serializer.validated_data["user"])
        return Response({"token": token.key, "expires_at": token_expires_at(token)})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, *args, **kwargs):
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class NotFound(ApiView):
    """Any other URL under /api/: a 404 in the API's error format (not the HTML page)."""

    permission_classes = []
    throttle_classes = []
    schema = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise Http404(_("There is no such API address."))

    def get(self, request, *args, **kwargs):  # pragma: no cover - initial() raised
        raise Http404

    post = put = patch = delete = get
