"""Tell people things: an in-service notification and an e-mail, sent after commit.

Call from inside a service's transaction. Nothing is sent if the change rolls back,
and a notification with a ``key`` is created at most once per person.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.functional import Promise

from core.tasks import enqueue
from core.text import collapse_whitespace

from .models import Membership, Notification, Organisation, User
from .tasks import send_notification_email


def notify(
    *,
    users: Iterable[User],
    subject: str | Promise,
    template: str,
    context: dict,
    url: str = "",
    key: str = "",
    subject_params: dict | None = None,
    email: bool = True,
) -> list[Notification]:
    """Create a notification for each user (once per key) and e-mail it on commit.

    Each person gets it in their own language: pass the subject untranslated
    (``gettext_lazy``) with its ``subject_params``. ``email=False`` leaves the e-mail to
    the caller (messages batch theirs).
    """
    created = []
    seen: set[int] = set()
    for user in users:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        if key and Notification.objects.filter(user=user, key=key).exists():
            continue
        with translation.override(user.language or settings.LANGUAGE_CODE):
            body = render_to_string(template, {**context, "recipient": user}).strip()
            title = str(subject) % subject_params if subject_params else str(subject)
            title = collapse_whitespace(title)  # a subject is one line, whatever a title holds
        fields = {"user": user, "subject": title[:200], "body": body, "url": url[:300]}
        if not key:  # only a key can clash (notification_once_per_key): no savepoint
            notification = Notification.objects.create(**fields)
        else:
            try:
                with transaction.atomic():
                    notification = Notification.objects.create(**fields, key=key)
            except IntegrityError:
                continue  # a concurrent run created it first
        created.append(notification)
        if email:
            transaction.on_commit(partial(enqueue, send_notification_email, notification.pk))
    return created


def members_of(organisation: Organisation, *, admins_only: bool = False) -> list[User]:
    memberships = Membership.objects.filter(organisation=organisation).select_related("user")
    if admins_only:
        memberships = memberships.filter(role=Membership.Role.ADMIN)
    return [m.user for m in memberships]
