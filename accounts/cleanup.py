"""Clearing away what has expired: sessions, the session list behind "Your sessions", and
API tokens long past their expiry or revocation. A periodic job (accounts/periodic.py).

Idempotent: a second run finds nothing left to delete. Tokens stay listed (as expired or
revoked) for ``TOKEN_KEEP_DAYS`` so their owners can still recognise them, then go.
"""

from __future__ import annotations

import datetime
from importlib import import_module

from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .events import record_event
from .models import ApiToken

TOKEN_KEEP_DAYS = 90


def clear_expired(now: datetime.datetime | None = None) -> dict[str, int]:
    """Delete expired sessions, session-list rows whose session is gone, and API tokens
    expired or revoked more than TOKEN_KEEP_DAYS ago. Returns what was deleted."""
    now = now or timezone.now()
    store = import_module(settings.SESSION_ENGINE).SessionStore
    in_database = issubclass(store, db.SessionStore)
    with transaction.atomic():
        sessions = listed = 0
        if in_database:
            sessions, _ = Session.objects.filter(expire_date__lt=now).delete()
            live = Session.objects.values("session_key")
            listed, _ = UserSession.objects.exclude(session_key__in=live).delete()
        else:  # file sessions; cache and signed-cookie sessions expire by themselves
            store.clear_expired()
        cutoff = now - datetime.timedelta(days=TOKEN_KEEP_DAYS)
        tokens, _ = ApiToken.objects.filter(
            Q(expires_at__lt=cutoff) | Q(revoked_at__lt=cutoff)
        ).delete()
        counts = {"sessions": sessions, "session_list": listed, "api_tokens": tokens}
        if any(counts.values()):
            record_event(
                actor=None,
                action="cleanup.expired",
                summary="Expired sessions and tokens deleted",
                data=counts,
            )
    return counts
