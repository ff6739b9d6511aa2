"""``Authorization: Bearer <token>`` for the API, beside the browser session.

An unknown, revoked or expired token answers 401 (with ``WWW-Authenticate: Bearer``)
in the API's error format. A read-only token may only read: any other method answers
403 with the code ``read_only_token``. Otherwise the token acts exactly as its person
would: the same services check the same organisation permissions.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS

from ..tokens import token_for_key, token_touch

KEYWORD = "bearer"


class InvalidToken(exceptions.AuthenticationFailed):
    default_detail = _("The API token is not valid.")
    default_code = "invalid_token"


class ReadOnlyToken(exceptions.PermissionDenied):
    default_detail = _("This API token is read only: it cannot change anything.")
    default_code = "read_only_token"


class BearerTokenAuthentication(BaseAuthentication):
    """Personal API tokens (``tbx_…``); ``request.auth`` is the ApiToken."""

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.encode():
            return None
        if len(header) != 2:
            raise InvalidToken(_("Send the token as: Authorization: Bearer <token>."))
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise InvalidToken()
        token = token_for_key(key)
        if token is None or not token.user.is_active:
            raise InvalidToken()
        if token.status == "revoked":
            raise InvalidToken(_("This API token has been revoked."), code="token_revoked")
        if token.status == "expired":
            raise InvalidToken(_("This API token has expired."), code="token_expired")
        if not token.can_write and request.method not in SAFE_METHODS:
            raise ReadOnlyToken()
        token_touch(token)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = BearerTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "tbx_<prefix>_<secret>",
            "description": "A personal API token, made on the API tokens page of your "
            "account or with `manage.py create_api_token EMAIL`. Read-only tokens "
            "answer 403 `read_only_token` to anything but GET, HEAD and OPTIONS.",
        }
