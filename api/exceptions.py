"""One error format for the whole API: ``{"detail": "...", "errors": {field: [...]}}``.

``detail`` is always a human-readable sentence (in the request's language); ``errors`` maps
field names to lists of messages (``non_field_errors`` for messages about the whole request) and
is empty when the error is about no field. Services' errors are turned into HTTP here:
``NotAllowed`` → 403, ``Conflict`` → 409, any other ``ServiceError`` → 400.

Configured per view by ``api.views.ApiView`` (``get_exception_handler``); settings may also
name it: ``REST_FRAMEWORK["EXCEPTION_HANDLER"] = "api.exceptions.handler"``.
"""
from __future__ import annotations

from typing import Any

from django.core.exceptions import BadRequest, SuspiciousOperation
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers
from rest_framework.views import exception_handler as drf_handler

from core.errors import Conflict, NotAllowed, ServiceError


class ConflictError(exceptions.APIException):
    status_code = 409
    default_detail = "Conflict."
    default_code = "conflict"


class ErrorSerializer(serializers.Serializer):
    """The body of every error response (for the OpenAPI schema)."""

    detail = serializers.CharField(help_text="What went wrong, in a sentence.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.JSONField()),
        help_text="Messages per field (`non_field_errors` for the whole request); may be empty.",
    )


def from_service_error(error: ServiceError) -> exceptions.APIException:
    """NotAllowed → 403, Conflict → 409; other ServiceErrors → 400, attached to their field
    when they name one."""
    if isinstance(error, NotAllowed):
        return exceptions.PermissionDenied(error.message)
    if isinstance(error, Conflict):
        return ConflictError(error.message)
    field = error.field or "non_field_errors"
    return exceptions.ValidationError({field: [error.message]})


def _first_message(errors: Any) -> str | None:
    if isinstance(errors, dict):
        for value in errors.values():
            found = _first_message(value)
            if found:
                return found
        return None
    if isinstance(errors, list):
        for value in errors:
            found = _first_message(value)
            if found:
                return found
        return None
    return str(errors) if errors not in (None, "") else None


def _plain(errors: Any) -> Any:
    """ErrorDetail objects → plain strings, keeping dicts and lists."""
    if isinstance(errors, dict):
        return {str(key): _plain(value) for key, value in errors.items()}
    if isinstance(errors, list):
        return [_plain(value) for value in errors]
    return str(errors)


def handler(exc: Exception, context: dict) -> Any:
    if isinstance(exc, ServiceError):
        exc = from_service_error(exc)
    elif isinstance(exc, SuspiciousOperation | BadRequest):
        # e.g. a form body with more fields than DATA_UPLOAD_MAX_NUMBER_FIELDS: raised while
        # parsing request.data, it would otherwise reach Django's HTML 400 page.
        exc = exceptions.ParseError(_("The request body could not be read: %s") % exc)
    return _formatted(exc, drf_handler(exc, context))


def _formatted(exc: Exception, response):
    if response is None:
        return None  # an unexpected error: Django's 500 handling (and logging) takes over
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        if isinstance(data, dict):
            errors = {key: value if isinstance(value, list) else [value]
                      for key, value in _plain(data).items()}
        else:
            errors = {"non_field_errors": _plain(data if isinstance(data, list) else [data])}
        detail = _("Invalid input.")
        for key, value in errors.items():
            first = _first_message(value)
            if first:
                detail = first if key == "non_field_errors" else f"{key}: {first}"
                break
        response.data = {"detail": detail, "errors": errors}
    else:
        detail = data.get("detail") if isinstance(data, dict) else _first_message(data)
        response.data = {"detail": str(detail or _("The request could not be carried out.")),
                         "errors": {}}
    return response
