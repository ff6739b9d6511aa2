"""Background work for challenges: the assessor invitation e-mail, sent after commit."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import Assessor


@shared_task(
    name="challenges.tasks.send_assessor_invitation",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_assessor_invitation(assessor_id: int, token: str, language: str = "") -> None:
    assessor = (
        Assessor.objects.select_related("challenge__owner", "invited_by")
        .filter(pk=assessor_id)
        .first()
    )
    if assessor is None or assessor.status != "pending":
        return
    context = {
        "assessor": assessor,
        "challenge": assessor.challenge,
        "accept_url": settings.SITE_URL
        + reverse("challenges:assessor_invitation", kwargs={"token": token}),
        "site_url": settings.SITE_URL,
    }
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string("challenges/email/invitation_subject.txt", context).strip()
        body = render_to_string("challenges/email/invitation_message.txt", context)
    send_mail(subject, body, None, [assessor.email])
