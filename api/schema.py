"""OpenAPI schema details drf-spectacular cannot guess: every operation documents the error
responses it can give, all in the one error format (api.exceptions.ErrorSerializer)."""
from __future__ import annotations

from drf_spectacular.openapi import AutoSchema

from .exceptions import ErrorSerializer

ERROR_DESCRIPTIONS = {
    "400": "Invalid input, or a state that refuses the action (a service's error).",
    "401": "Not authenticated (or an invalid token).",
    "403": "Not allowed here, now (role, city or phase).",
    "404": "No such object, or not visible to you (also: a page number past the end).",
    "429": "Too many requests; see the Retry-After header.",
}


class CabildoAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = {"401", "403", "429"}
        unsafe = self.method not in ("GET", "HEAD", "OPTIONS")
        has_query = bool(self._get_filter_parameters() or self._get_pagination_parameters())
        if unsafe or has_query or "{" in self.path:
            codes.add("400")
        if "{" in self.path or has_query:
            codes.add("404")
        for code in sorted(codes):
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code,
                                                        direction=direction)
                response["description"] = ERROR_DESCRIPTIONS[code]
                responses[code] = response
        return responses

