"""A Redis cache that treats an unreachable Redis as an empty cache instead of an error.

The cache holds nothing that cannot be rebuilt: cached pages, rate-limit counters. So
when Redis is down (connection refused, time-out) every operation behaves as a miss
rather than raising: ``get`` returns the default, ``get_many`` nothing, ``has_key``
False, ``set``/``delete``/``clear`` do nothing, ``incr`` raises ``ValueError`` (Django's
"no such key", which callers already handle). ``add`` answers True ("stored"), so that
locks taken with ``add`` — allauth's rate-limit lock — are granted: rate limits *fail
open* while the cache is down (logins are allowed, not refused) instead of every login
waiting a second for a lock and then being refused.

After a failure the backend stops trying for ``RETRY_AFTER`` seconds (each attempt on a
black-holed host would cost the socket time-out), then tries again. The failure is
logged at most once a minute. ``ping()`` talks to Redis directly and raises: the health
check uses it so that ``/healthz`` reports the cache as down.
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

CACHE_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)
RETRY_AFTER = 5.0  # seconds without trying after a failure
LOG_EVERY = 60.0  # seconds between two warnings about the same outage

_state_lock = threading.Lock()
# Per server list: the monotonic time until which Redis is treated as down, and when
# the last warning was logged. Shared by every thread (each has its own cache object).
_down_until: dict[str, float] = {}
_last_logged: dict[str, float] = {}


class ResilientRedisCache(RedisCache):
    @property
    def _state_key(self) -> str:
        return ",".join(self._servers)

    def _is_down(self) -> bool:
        return _down_until.get(self._state_key, 0.0) > time.monotonic()

    def _failed(self, operation: str, error: BaseException) -> None:
        now = time.monotonic()
        key = self._state_key
        with _state_lock:
            _down_until[key] = now + RETRY_AFTER
            log = now - _last_logged.get(key, -LOG_EVERY) >= LOG_EVERY
            if log:
                _last_logged[key] = now
        if log:
            logger.warning(
                "Cache unavailable (%s during %s): serving without it; retrying every %ss",
                error,
                operation,
                RETRY_AFTER,
            )

    def _recovered(self) -> None:
        key = self._state_key
        if key in _down_until:
            with _state_lock:
                if _down_until.pop(key, None) is not None:
                    _last_logged.pop(key, None)
                    logger.warning("Cache available again")

    def _call(self, operation: str, fallback, method, *args, **kwargs):
        """Run a RedisCache operation; on a connection failure return ``fallback``."""
        if self._is_down():
            return fallback
        try:
            result = method(*args, **kwargs)
        except CACHE_ERRORS as error:
            self._failed(operation, error)
            return fallback
        self._recovered()
        return result

    def ping(self) -> bool:
        """Ask Redis directly (no fallback); raises if it cannot be reached."""
        client = self._cache.get_client(None, write=True)
        try:
            answer = client.ping()
        except CACHE_ERRORS as error:
            self._failed("ping", error)
            raise
        self._recovered()
        return answer

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # True while down: a lock taken with add is granted (rate limits fail open).
        return self._call("add", True, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._call("set", None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        missing = object()
        result = self._call("incr", missing, super().incr, key, delta, version)
        if result is missing:
            # Django's contract for a key that does not exist; callers handle it.
            raise ValueError(f"Key '{key}' not found (cache unavailable)")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        # The keys that were not stored: all of them while the cache is down.
        return self._call("set_many", list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        self._call("delete_many", None, super().delete_many, keys, version)

    def clear(self):
        return self._call("clear", False, super().clear)
