"""Personal API tokens: made, shown once, kept as a hash, looked up by hash, revoked.

A token reads ``tbx_<prefix>_<secret>``: ``tbx_`` so that secret scanners and people
recognise a leaked one, an 8-character prefix that lists show, and a 40-character
random secret (about 238 bits). The database keeps the SHA-256 of the whole token and
the prefix; the token itself exists only in the response that shows it once.
"""

from __future__ import annotations

import datetime
import string

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from core.dates import check_in_range

from .events import record_event
from .models import ApiToken, User, hash_token

TOKEN_PREFIX = "tbx"
ALPHABET = string.ascii_letters + string.digits
PREFIX_LENGTH = 8
SECRET_LENGTH = 40
# last_used_at is written at most this often per token, not on every request.
LAST_USED_GRANULARITY = datetime.timedelta(minutes=1)
MAX_NAME_LENGTH = 100


def new_token() -> tuple[str, str]:
    """A fresh (prefix, token) pair."""
    prefix = get_random_string(PREFIX_LENGTH, string.ascii_lowercase + string.digits)
    return prefix, f"{TOKEN_PREFIX}_{prefix}_{get_random_string(SECRET_LENGTH, ALPHABET)}"


def looks_like_token(value: str) -> bool:
    parts = value.split("_")
    return (
        len(parts) == 3
        and parts[0] == TOKEN_PREFIX
        and len(parts[1]) == PREFIX_LENGTH
        and len(parts[2]) == SECRET_LENGTH
        and all(c in ALPHABET for c in parts[1] + parts[2])
    )


def token_for_key(key: str) -> ApiToken | None:
    """The token this key belongs to, revoked or expired ones included; None if unknown."""
    if not looks_like_token(key):
        return None
    return ApiToken.objects.select_related("user").filter(key_hash=hash_token(key)).first()


def token_touch(token: ApiToken, *, now: datetime.datetime | None = None) -> None:
    """Note the token's use, at most once a minute (a read-mostly API must not write each time)."""
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_GRANULARITY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def token_create(
    *,
    actor: User,
    name: str,
    scope: str = ApiToken.Scope.READ,
    expires_at: datetime.datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new token for the actor. Returns the row and the token, which is never shown again."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name, so you know where it is used.")})
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationError(
            {"name": _("Keep the name under %(n)s characters.") % {"n": MAX_NAME_LENGTH}}
        )
    if scope not in ApiToken.Scope.values:
        raise ValidationError({"scope": _("Choose read only, or read and write.")})
    if expires_at is not None:
        check_in_range(expires_at=expires_at.date())
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry date must be in the future.")})
    if not actor.is_active:
        raise PermissionDenied(_("This account is not active."))
    with transaction.atomic():
        prefix, plain = new_token()
        while ApiToken.objects.filter(prefix=prefix).exists():
            prefix, plain = new_token()
        token = ApiToken.objects.create(
            user=actor,
            name=name,
            prefix=prefix,
            key_hash=hash_token(plain),
            scope=scope,
            expires_at=expires_at,
        )
        record_event(
            actor=actor,
            action="api_token.created",
            target=token,
            summary=f"{name} (tbx_{prefix}_…, {scope})",
        )
    return token, plain


@transaction.atomic
def token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Stop a token working at once. Only its person (or staff) can."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.user_id != actor.pk and not actor.is_staff:
        raise PermissionDenied(_("This is not your token."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_event(
            actor=actor,
            action="api_token.revoked",
            target=token,
            summary=f"{token.name} (tbx_{token.prefix}_…)",
        )
    return token
