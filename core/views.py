"""Pages that belong to no single app: home, health, static information."""

import logging
import secrets

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
    # The cache backend hides an unreachable Redis from pages (core/cache_backend.py),
    # so ask Redis directly, then check that a fresh value makes the round trip.
    ping = getattr(cache, "ping", None)
    if ping is not None:
        ping()
    value = secrets.token_hex(8)
    cache.set("healthz", value, 5)
    if cache.get("healthz") != value:
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


def _outage_errors() -> tuple[type[BaseException], ...]:
    from django.db import DatabaseError, InterfaceError, OperationalError

    return (OperationalError, InterfaceError, DatabaseError)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 handler. A database that is down gets a calm 503 that asks to try again.

    Rendered without the database (no session, no organisation) and without a
    traceback; the error itself is logged by Django.
    """
    import sys

    from django.template.loader import render_to_string
    from django.utils.translation import gettext as _

    error = sys.exc_info()[1]
    outage = error is not None and isinstance(error, _outage_errors())
    status = 503 if outage else 500
    if outage:
        title = _("The service is unavailable for a moment")
        message = _("We cannot reach our database. Nothing you sent has been lost or half-saved.")
        advice = _("Please try again in a minute.")
    else:
        title = _("Sorry, there is a problem with the service")
        message = _("Something went wrong on our side. Nothing you sent has been half-saved.")
        advice = _(
            "Please try again later. If it keeps happening, tell us at feedback@testbed.exchange."
        )
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"code": "unavailable" if outage else "server_error", "message": f"{title}. {advice}"},
            status=status,
        )
    else:
        html = render_to_string(
            "errors/standalone.html", {"title": title, "message": message, "advice": advice}
        )
        response = HttpResponse(html, status=status)
    if outage:
        response["Retry-After"] = "30"
    return response
