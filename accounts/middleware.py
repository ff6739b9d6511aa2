"""Which organisation the signed-in person is acting for on this request."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from .backends import memberships_read_with
from .models import Membership
from .permissions import remember_memberships

SESSION_KEY = "organisation_id"
LANGUAGE_TO_REMEMBER = "tbx_language_to_remember"  # request attribute set at sign-in


def remember_language(response: HttpResponse, code: str) -> None:
    """Keep ``code`` in the language cookie that Django's LocaleMiddleware reads."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE or 365 * 24 * 3600,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class SavedLanguageMiddleware:
    """Writes the language cookie chosen at sign-in (see ``signals.use_saved_language``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        code = getattr(request, LANGUAGE_TO_REMEMBER, None)
        if code:
            remember_language(response, code)
        return response


class CurrentOrganisationMiddleware:
    """Sets request.memberships, request.membership and request.organisation.

    A person may belong to several organisations; the one chosen last (kept in
    the session) is current, else the first by name. They were read with the person
    (``backends``); else (another backend) with one query.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.memberships = []
        request.membership = None
        request.organisation = None
        if request.user.is_authenticated:
            memberships = memberships_read_with(request.user)
            if memberships is None:
                memberships = list(
                    Membership.objects.filter(user=request.user)
                    .select_related("organisation")
                    .order_by("organisation__name")
                )
            chosen = request.session.get(SESSION_KEY)
            current = next(
                (m for m in memberships if m.organisation_id == chosen),
                memberships[0] if memberships else None,
            )
            request.memberships = memberships
            remember_memberships(request.user, memberships)
            request.membership = current
            request.organisation = current.organisation if current else None
        return self.get_response(request)


def switch_organisation(request: HttpRequest, organisation_id: int) -> bool:
    """Make another of the person's organisations current. False if not theirs."""
    membership = next(
        (m for m in request.memberships if m.organisation_id == organisation_id), None
    )
    if membership is None:
        return False
    request.session[SESSION_KEY] = organisation_id
    request.membership = membership
    request.organisation = membership.organisation
    return True
