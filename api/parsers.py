"""Request bodies the API reads: JSON with a size and a nesting limit, so that an oversized or
deeply nested body is a 400 in the API's error format rather than a RecursionError (a 500) or
minutes of parsing. Form and multipart bodies are bounded by Django's DATA_UPLOAD_* settings."""
from __future__ import annotations

import json

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


def _depth(value) -> int:
    """How deeply lists and objects nest in a parsed JSON value (iteratively: no recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, list):
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in item)
    return deepest


class BoundedJSONParser(JSONParser):
    """JSON of at most API_MAX_JSON_BYTES bytes, nested at most API_MAX_JSON_DEPTH deep."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_MAX_JSON_BYTES
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise ParseError(_("The request body is larger than %(n)s bytes.") % {"n": limit})
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            data = json.loads(raw.decode(encoding), parse_constant=_no_constant)
        except RecursionError as error:
            raise ParseError(_nested_too_deep()) from error
        except (ValueError, UnicodeDecodeError) as error:
            raise ParseError(_("The request body is not valid JSON: %s") % error) from error
        if _depth(data) > settings.API_MAX_JSON_DEPTH:
            raise ParseError(_nested_too_deep())
        return data


def _nested_too_deep() -> str:
    return _("The request body nests deeper than %(n)s levels.") % {
        "n": settings.API_MAX_JSON_DEPTH}


def _no_constant(name: str):
    raise ValueError(f"{name} is not JSON")
