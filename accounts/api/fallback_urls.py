"""The API's answer to a path it does not have: its JSON 404, not the site's HTML page.

Included last under /api/v1/, after every app's API routes. A path that lacks only its
trailing slash is redirected to it (308 keeps the method and body), as Django's
APPEND_SLASH would have done.
"""

from django.http import HttpRequest, HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, path, resolve
from django.utils.translation import gettext as _


def not_found(request: HttpRequest, rest: str = "") -> JsonResponse | HttpResponsePermanentRedirect:
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not not_found:
            location = request.path + "/"
            if request.META.get("QUERY_STRING"):
                location += "?" + request.META["QUERY_STRING"]
            response = HttpResponsePermanentRedirect(location)
            response.status_code = 308
            return response
    return JsonResponse(
        {"code": "not_found", "message": _("There is no such API path: see /api/docs/.")},
        status=404,
    )


urlpatterns = [path("<path:rest>", not_found, name="not_found")]
