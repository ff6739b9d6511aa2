"""Background work for accounts: e-mails are sent by Celery, enqueued on commit."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from core.text import collapse_whitespace

from .models import Invitation


def absolute(url: str) -> str:
    return settings.SITE_URL + url if url.startswith("/") else url


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitation_email(invitation_id: int, token: str, language: str = "") -> None:
    invitation = (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or invitation.status != "pending":
        return
    context = {
        "invitation": invitation,
        "accept_url": settings.SITE_URL + reverse("accounts:invitation", kwargs={"token": token}),
        "site_url": settings.SITE_URL,
    }
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = collapse_whitespace(
            render_to_string("accounts/email/invitation_subject.txt", context)
        )
        body = render_to_string("accounts/email/invitation_message.txt", context)
    send_mail(subject, body, None, [invitation.email])


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_notification_email(notification_id: int) -> None:
    """E-mail a notification once; a retry after success sends nothing."""
    from django.utils import timezone

    from .models import Notification

    notification = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if notification is None or notification.emailed_at is not None:
        return
    body = notification.body
    if notification.url:
        body = f"{body}\n\n{absolute(notification.url)}"
    body += "\n\nTest Bed Exchange\n" + settings.SITE_URL
    subject = collapse_whitespace("[Test Bed Exchange] " + notification.subject)
    send_mail(subject, body, None, [notification.user.email])
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
