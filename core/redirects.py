"""Going back where a form or link came from, only ever within this site."""

from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def redirect_back(request: HttpRequest, url: str | None, fallback: object) -> HttpResponseRedirect:
    """Redirect to ``url`` if it stays on this site (Django's check: no ``//`` or ``/\\``
    tricks), else to ``fallback`` (anything ``redirect`` takes)."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(url)
    return redirect(fallback)
