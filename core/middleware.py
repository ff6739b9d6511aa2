"""Refuse request bodies over the upload limit before anything reads them."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from .dates import canonical_query


class RequestSizeLimitMiddleware:
    """A 413 for any body over its limit, before anything reads it.

    Uploads (multipart) may be up to MAX_REQUEST_BYTES: Django would otherwise stream a
    large upload to a temporary file before the view could refuse it. Every other body
    (JSON, form fields) may be up to DATA_UPLOAD_MAX_MEMORY_SIZE: over it Django itself
    would refuse it later with a bare HTML 400, so it is refused here with the same 413
    (JSON under /api/) as an oversize upload.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = self.limit_for(request)
        if length > limit:
            return self.too_large(request, limit)
        return self.get_response(request)

    @staticmethod
    def limit_for(request: HttpRequest) -> int:
        content_type = request.META.get("CONTENT_TYPE", "")
        if content_type.startswith("multipart/form-data"):
            return settings.MAX_REQUEST_BYTES
        return settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    def too_large(self, request: HttpRequest, limit_bytes: int) -> HttpResponse:
        limit = limit_bytes // (1024 * 1024)
        if limit_bytes == settings.MAX_REQUEST_BYTES:
            message = _("The upload is too large: the limit is %(mb)s MB.") % {"mb": limit}
        else:
            message = _("The request is too large: the limit is %(mb)s MB.") % {"mb": limit}
        if request.path.startswith("/api/"):
            return JsonResponse({"code": "too_large", "message": message}, status=413)
        html = render_to_string("413.html", {"message": message}, request=request)
        return HttpResponse(html, status=413)


class IsoDateQueryMiddleware:
    """Filters sent with GOV.UK date inputs (``from_day``, ``from_month``, ``from_year``) are
    redirected to the shareable ISO form (``from=2026-05-01``) that links and bookmarks use.
    Pages only (the API takes ISO dates), and only when every split date is a real date."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "GET" and request.GET and not request.path.startswith("/api/"):
            canonical = canonical_query(request.GET)
            if canonical is not None:
                query = canonical.urlencode()
                return HttpResponseRedirect(f"{request.path}?{query}" if query else request.path)
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Browsers may not give pages of this service the camera, microphone, location…"""

    POLICY = (
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
        "microphone=(), payment=(), usb=(), interest-cohort=()"
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.POLICY)
        return response
