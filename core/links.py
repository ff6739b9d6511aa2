"""Many links to one view that differ by one argument, reversed once (issue 20).

A list page of 20 rows called ``reverse()`` (or ``{% url %}``) 20 times or more, each a
walk over the URL patterns; the links differ only by an id or a slug.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from django.urls import reverse
from django.utils.http import RFC3986_SUBDELIMS

# Digits only, so that it matches the int, slug and str converters alike.
_SENTINEL = "7391046285"
# What ``reverse`` leaves unquoted in a path (RFC 3986 ``pchar``).
_SAFE = RFC3986_SUBDELIMS + "/~:@"


def link_maker(viewname: str, argument: str) -> Callable[[object], str]:
    """``lambda value: reverse(viewname, kwargs={argument: value})``, reversed once.

    For a view whose only argument is ``argument``, and values its converter takes
    (ids, slugs): the value is quoted as ``reverse`` quotes it."""
    head, tail = reverse(viewname, kwargs={argument: _SENTINEL}).split(_SENTINEL)
    return lambda value: f"{head}{quote(str(value), safe=_SAFE)}{tail}"
