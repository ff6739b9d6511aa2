"""At sign-in: accept an invitation opened before it, and use the person's saved language."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import PermissionDenied, ValidationError
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _

from core.exceptions import Conflict
from core.forms_util import error_message

from .middleware import LANGUAGE_TO_REMEMBER, SESSION_KEY
from .models import User

INVITATION_SESSION_KEY = "invitation_token"


@receiver(user_logged_in)
def accept_invitation_after_login(
    sender: type, request: HttpRequest, user: User, **kwargs: object
) -> None:
    if request is None or not hasattr(request, "session"):
        return
    token = request.session.pop(INVITATION_SESSION_KEY, None)
    if not token:
        return
    from .services import invitation_accept

    try:
        membership = invitation_accept(user=user, token=token)
    except (ValidationError, PermissionDenied, Conflict) as error:
        messages.error(request, error_message(error))
        return
    request.session[SESSION_KEY] = membership.organisation_id
    messages.success(
        request, _("You have joined %(name)s.") % {"name": membership.organisation.name}
    )


@receiver(user_logged_in)
def use_saved_language(sender: type, request: HttpRequest, user: User, **kwargs: object) -> None:
    """Sign-in on a device with no language chosen yet shows the person's saved language.

    A language already chosen on this device (the cookie) is left alone: it was picked on
    purpose, perhaps just before signing in.
    """
    if request is None or settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
        return
    if user.language not in dict(settings.LANGUAGES):
        return
    translation.activate(user.language)
    request.LANGUAGE_CODE = user.language
    setattr(request, LANGUAGE_TO_REMEMBER, user.language)
