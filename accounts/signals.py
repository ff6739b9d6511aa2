"""Accept an invitation the person opened before signing in or signing up."""

from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import PermissionDenied, ValidationError
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils.translation import gettext as _

from core.exceptions import Conflict

from .middleware import SESSION_KEY
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
        message = getattr(error, "message", None) or " ".join(
            getattr(error, "messages", [str(error)])
        )
        messages.error(request, message)
        return
    request.session[SESSION_KEY] = membership.organisation_id
    messages.success(
        request, _("You have joined %(name)s.") % {"name": membership.organisation.name}
    )
