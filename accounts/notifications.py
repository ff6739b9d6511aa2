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

from core.tasks import enqueue

from .models import Membership, Notification, Organisation, User


def notify(
    *,
    users: Iterable[User],
    subject: str,
    template: str,
    context: dict,
    url: str = "",
    key: str = "",
) -> list[Notification]:
    """Create a notification for each user (once per key) and e-mail it on commit."""
    from .tasks import send_notification_email

    created = []
    seen: set[int] = set()
    for user in users:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        if key and Notification.objects.filter(user=user, key=key).exists():
            continue
        body = render_to_string(template, {**context, "recipient": user}).strip()
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    user=user, subject=subject[:200], body=body, url=url[:300], key=key
                )
        except IntegrityError:
            continue  # a concurrent run created it first
        created.append(notification)
        transaction.on_commit(partial(enqueue, send_notification_email, notification.pk))
    return created


def members_of(organisation: Organisation, *, admins_only: bool = False) -> list[User]:
    memberships = Membership.objects.filter(organisation=organisation).select_related("user")
    if admins_only:
        memberships = memberships.filter(role=Membership.Role.ADMIN)
    return [m.user for m in memberships]


def absolute(url: str) -> str:
    return settings.SITE_URL + url if url.startswith("/") else url
