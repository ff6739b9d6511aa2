"""The OpenAPI schema: every operation documents the errors it can answer."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse

from core.api import ErrorSerializer

GLOBAL_ERRORS = {
    "400": "Bad input: `errors` names each field (or `non_field_errors`).",
    "401": "The API token is unknown, revoked or expired (`invalid_token`, `token_revoked`, "
    "`token_expired`), or no credentials were sent where they are needed.",
    "403": "Not yours to do, or a read-only token tried to change something (`read_only_token`).",
    "404": "No such object among those you can see (or no such page of a list).",
    "409": "The change does not fit the current state of things: `code` says why, and "
    "details may follow.",
    "413": "The request body is too large (`too_large`).",
    "415": "The body's content type is not one this operation accepts.",
    "429": "Too many requests (`throttled`): wait the seconds `Retry-After` says.",
}


class ApiAutoSchema(AutoSchema):
    """Adds the errors any operation can answer to each operation's documented responses.

    401, 403 and 429 can answer anything; 404 anything with a path parameter and any
    paged list; 400 anything that takes a body or query parameters; 409 any change (a
    service's Conflict); 413 and 415 anything with a body. Operations keep their
    own descriptions where they give one.
    """

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        codes = ["401", "403", "429"]
        paginated = self._is_list_view() and self._get_paginator() is not None
        if "{" in self.path or paginated:
            codes.append("404")
        has_body = self.method in ("POST", "PUT", "PATCH")
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            codes.append("409")
        if has_body or self._get_parameters():
            codes.append("400")
        if has_body:
            codes += ["413", "415"]
        for code in sorted(codes):
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=GLOBAL_ERRORS[code]), code
                )
        responses["401"].setdefault("headers", {})["WWW-Authenticate"] = {
            "schema": {"type": "string"},
            "description": "`Bearer` when a token was refused.",
        }
        responses["429"].setdefault("headers", {})["Retry-After"] = {
            "schema": {"type": "integer"},
            "description": "Seconds to wait before trying again.",
        }
        return dict(sorted(responses.items()))
