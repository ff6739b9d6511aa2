"""API rate limits: per token (or per person, for the browser session) and per IP.

Counters live in the default cache (Redis in production, so every web process shares
them; local memory otherwise) as fixed one-window counters: one atomic increment per
request and limit, not a list of timestamps. Rates come from
``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` and are read on each request, so tests can
override them. Over a limit the API answers 429 with ``Retry-After`` (core.api).

- ``anon``: requests without credentials, per IP.
- ``user``: requests with a token (per token) or a session (per person).
- ``ip``: every request, per IP, so many tokens from one address still have a ceiling.
- ``write``: the costly writes — booking requests and uploads — per token or person.
"""

from __future__ import annotations

import math
import time

from django.core.cache import cache
from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from ..models import ApiToken

# (router basename, viewset action) of the writes the ``write`` scope also limits,
# besides any multipart upload.
# Writes that cost more (bookings, uploads, e-mails to outside addresses): the "write" rate.
COSTLY_WRITES = {
    ("trial", "create"),
    ("trial", "files"),
    ("trial", "partners"),
    ("trial", "messages"),
    ("testbed", "photos"),
}


class WindowRateThrottle(BaseThrottle):
    scope = ""
    timer = time.time

    def get_rate(self) -> tuple[int, int] | None:
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        if not rate:
            return None
        number, period = rate.split("/")
        return int(number), {"s": 1, "m": 60, "h": 3600, "d": 86400}[period.strip()[0]]

    def get_ident_key(self, request, view) -> str | None:
        raise NotImplementedError

    def allow_request(self, request, view) -> bool:
        rate = self.get_rate()
        ident = self.get_ident_key(request, view) if rate else None
        if rate is None or ident is None:
            return True
        limit, duration = rate
        now = self.timer()
        window = int(now // duration)
        key = f"throttle:{self.scope}:{ident}:{duration}:{window}"
        cache.add(key, 0, timeout=duration + 5)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=duration + 5)
            count = 1
        self._wait = (window + 1) * duration - now
        return count <= limit

    def wait(self) -> int:
        return max(1, math.ceil(getattr(self, "_wait", 1)))


def _client_key(request) -> str | None:
    if isinstance(request.auth, ApiToken):
        return f"token:{request.auth.pk}"
    if request.user and request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return None


class AnonRateThrottle(WindowRateThrottle):
    scope = "anon"

    def get_ident_key(self, request, view) -> str | None:
        if request.user and request.user.is_authenticated:
            return None
        return f"ip:{self.get_ident(request)}"


class ClientRateThrottle(WindowRateThrottle):
    scope = "user"

    def get_ident_key(self, request, view) -> str | None:
        return _client_key(request)


class IpRateThrottle(WindowRateThrottle):
    scope = "ip"

    def get_ident_key(self, request, view) -> str | None:
        return f"ip:{self.get_ident(request)}"


def is_costly_write(request, view) -> bool:
    if request.method in SAFE_METHODS:
        return False
    if (request.content_type or "").startswith("multipart/"):
        return True
    if getattr(view, "throttle_scope", None) == "write":
        return True
    return (getattr(view, "basename", None), getattr(view, "action", None)) in COSTLY_WRITES


class WriteRateThrottle(WindowRateThrottle):
    scope = "write"

    def get_ident_key(self, request, view) -> str | None:
        if not is_costly_write(request, view):
            return None
        return _client_key(request) or f"ip:{self.get_ident(request)}"
