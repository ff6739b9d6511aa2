"""Whole-page caching for anonymous visitors of the catalogue.

Anonymous pages are the same for everyone who reads them in one language, so they are
kept for a minute. Every change that could alter them (a test bed's listing, photos,
closures, bookings) bumps a version number that is part of the key, so a change shows
at once. Signed-in people, pages with pending messages and anything but GET are never
cached. The pages carry no CSP nonce (no inline script) and no CSRF token.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language

VERSION_KEY = "anonymous-pages:version"
PAGE_SECONDS = 60


def page_seconds() -> int:
    """How long anonymous pages are kept: ``ANONYMOUS_PAGE_SECONDS`` (0 turns caching off,
    which the HTTP bench does to measure the pages' own cost)."""
    return getattr(settings, "ANONYMOUS_PAGE_SECONDS", PAGE_SECONDS)


def page_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, None)
        version = cache.get(VERSION_KEY, 1)
    return version


def bump_page_version() -> None:
    """Forget every cached anonymous page (after the current transaction commits)."""

    def bump() -> None:
        try:
            cache.incr(VERSION_KEY)
        except ValueError:
            cache.set(VERSION_KEY, 2, None)

    transaction.on_commit(bump)


def page_key(kind: str, request: HttpRequest) -> str:
    """A short key for one page in one language (long queries are hashed)."""
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    return f"{kind}:{page_version()}:{get_language()}:{path}"


def is_anonymous_read(request: HttpRequest) -> bool:
    """A GET or HEAD from someone not signed in, with no messages waiting for them."""
    user = getattr(request, "user", None)
    if request.method not in ("GET", "HEAD") or (user is not None and user.is_authenticated):
        return False
    return (
        not any(True for _ in messages.get_messages(request))
        if hasattr(request, "_messages")
        else True
    )


def cached_page(key: str) -> HttpResponse | None:
    """The page kept under ``key``, marked ``X-Cache: hit``; None if there is none."""
    if page_seconds() <= 0:
        return None
    try:
        cached = cache.get(key)
    except Exception:  # noqa: BLE001 — a cache that is down must not take pages down
        return None
    if cached is None:
        return None
    status, content, content_type = cached
    response = HttpResponse(content, status=status, content_type=content_type)
    response["X-Cache"] = "hit"
    return response


def keep_page(key: str, content: bytes, content_type: str) -> None:
    """Keep a 200 page for ``page_seconds()``; a cache that is down only costs time."""
    seconds = page_seconds()
    if seconds <= 0:
        return
    with contextlib.suppress(Exception):
        cache.set(key, (200, content, content_type), seconds)


def cache_anonymous_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_anonymous_read(request):
            return view(request, *args, **kwargs)
        key = page_key("anonymous-page", request)
        cached = cached_page(key)
        if cached is not None:
            return cached
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render) and not response.is_rendered:
            response = response.render()
        if response.status_code == 200 and not response.cookies and not response.streaming:
            keep_page(key, response.content, response["Content-Type"])
        return response

    return wrapper
