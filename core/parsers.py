"""The API's JSON parser: malformed or hostile JSON is a 400 ``parse_error``, never a 500."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# Deeper than any body this API takes (a trial request with its plan and KPIs is 4 deep).
MAX_JSON_DEPTH = 32


def _too_deep(text: str, limit: int) -> bool:
    """True if brackets nest deeper than ``limit`` (outside strings), checked before
    parsing: the standard library's decoder recurses per level and would overflow."""
    if text.count("[") + text.count("{") <= limit:
        return False  # the usual body: too few brackets to be too deep
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


class SafeJSONParser(JSONParser):
    def parse(self, stream, media_type: str | None = None, parser_context: dict | None = None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding)
        except UnicodeDecodeError:
            raise ParseError(_("The body is not valid %(encoding)s.") % {"encoding": encoding})
        if _too_deep(text, MAX_JSON_DEPTH):
            raise ParseError(
                _("The JSON is nested more than %(n)s levels deep.") % {"n": MAX_JSON_DEPTH}
            )
        try:
            return json.loads(text, parse_constant=_refuse_constant)
        except (ValueError, RecursionError) as error:
            raise ParseError(_("The body is not valid JSON: %(error)s") % {"error": error})


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")
