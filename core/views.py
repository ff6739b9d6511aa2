"""Pages that belong to no single app: home, health, static information."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_cache() -> str:
    cache.set("healthz", "ok", 5)
    if cache.get("healthz") != "ok":
        raise RuntimeError("cache did not return what was stored")
    return "ok"


def _check_broker() -> str:
    from config.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database (and the cache and broker, when configured) answer; else 503."""
    checks = {"database": _check_database}
    if settings.REDIS_URL:
        checks["cache"] = _check_cache
    if settings.CELERY_BROKER_URL:
        checks["broker"] = _check_broker
    results: dict[str, str] = {}
    for name, check in checks.items():
        try:
            results[name] = check()
        except Exception as error:  # noqa: BLE001 — any failure means "down"
            logger.warning("healthz: %s is down: %s", name, error)
            results[name] = "down"
    healthy = all(value == "ok" for value in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "down", "checks": results}, status=200 if healthy else 503
    )


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


def about(request: HttpRequest) -> HttpResponse:
    return render(request, "core/about.html")


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html")


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "core/privacy.html")


PUBLIC_MEDIA_PREFIXES = ("testbeds/",)


def public_media(request: HttpRequest, path: str) -> HttpResponse:
    """Photos of test beds: public, immutable (new uploads get new names), cached long.

    Only the public prefixes are served; trial evidence and packs live under
    ``private/`` and go through permission-checked views.
    """
    from django.core.files.storage import default_storage
    from django.http import FileResponse, Http404
    from django.utils._os import safe_join

    if not path.startswith(PUBLIC_MEDIA_PREFIXES) or ".." in path.split("/"):
        raise Http404
    try:
        safe_join(str(settings.MEDIA_ROOT), path)
        handle = default_storage.open(path, "rb")
    except Exception as error:  # noqa: BLE001 — any failure is "not found"
        raise Http404 from error
    response = FileResponse(handle, content_type="image/jpeg" if path.endswith(".jpg") else None)
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    return response
