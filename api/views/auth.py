"""Authentication (an API token for a username and password) and the API's 404."""
from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken

from ._common import ApiDefaults, ApiView


class ObtainToken(ApiDefaults, ObtainAuthToken):
    """Exchange a username and password for your API token (send it as
    `Authorization: Token <key>`)."""

    authentication_classes = []
    permission_classes = []

    @extend_schema(
        request=inline_serializer("TokenRequest", {
            "username": serializers.CharField(), "password": serializers.CharField()}),
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


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
