"""Refuse request bodies over the upload limit before anything reads them."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _


class RequestSizeLimitMiddleware:
    """A 413 for any body whose declared length is over MAX_REQUEST_BYTES.

    Django would otherwise stream a large upload to a temporary file before the
    view could refuse it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES:
            return self.too_large(request)
        return self.get_response(request)

    def too_large(self, request: HttpRequest) -> HttpResponse:
        limit = settings.MAX_REQUEST_BYTES // (1024 * 1024)
        message = _("The upload is too large: the limit is %(mb)s MB.") % {"mb": limit}
        if request.path.startswith("/api/"):
            return JsonResponse({"code": "too_large", "message": message}, status=413)
        html = render_to_string("413.html", {"message": message}, request=request)
        return HttpResponse(html, status=413)


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
