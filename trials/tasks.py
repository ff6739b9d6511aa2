"""Background work for trials: rendering evidence packs, daily jobs."""

from __future__ import annotations

import hashlib
import logging

from celery import shared_task
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 3


@shared_task(bind=True, acks_late=True, max_retries=MAX_ATTEMPTS - 1, default_retry_delay=10)
def render_pack(self, pack_id: int) -> str:
    """Render a pack version from its frozen content and make it visible in one step.

    The PDF is written under a new name first; only then does the row point at it and
    turn ready, so nobody is ever served a half-written file. Running twice (a worker
    lost mid-render hands the task to another) renders again and keeps the first result.
    A render whose process died without a broker to hand it on (the web process rendering
    after commit, killed) is picked up by ``resume_evidence_packs`` once its claim is stale.
    """
    from .models import EvidencePack
    from .pdf.content import content_from_json
    from .pdf.render import render_evidence_pack
    from .services.evidence import pack_claim

    # Claim the pack (stamp when and by whom, count the attempt) before rendering: if this
    # process dies mid-render, the claim goes stale and the pack is rendered again.
    pack = pack_claim(pack_id)
    if pack is None:  # ready, failed or gone
        return "skipped"
    try:
        pdf = render_evidence_pack(content_from_json(pack.content))
    except Exception as error:  # noqa: BLE001 — any failure is retried, then recorded
        logger.exception("Rendering pack %s failed", pack_id)
        failed = pack.attempts >= MAX_ATTEMPTS
        # Another worker may have finished the same pack meanwhile: a ready pack stays ready.
        EvidencePack.objects.filter(pk=pack_id).exclude(state=EvidencePack.State.READY).update(
            error=str(error)[:300],
            state=EvidencePack.State.FAILED if failed else EvidencePack.State.PREPARING,
            claimed_at=None,
            claimed_by="",
        )
        if failed:
            return "failed"
        raise self.retry(exc=error)
    digest = hashlib.sha256(pdf).hexdigest()
    name = f"{pack.code}-v{pack.version}-{digest[:12]}.pdf"
    with transaction.atomic():
        locked = EvidencePack.objects.select_for_update().get(pk=pack_id)
        if locked.state == EvidencePack.State.READY:
            return "skipped"
        target = locked.file.field.generate_filename(locked, name)
        if locked.file.storage.exists(target):
            locked.file.storage.delete(target)  # a partial write by a worker that was killed
        locked.file.save(name, ContentFile(pdf), save=False)
        locked.sha256 = digest
        locked.size = len(pdf)
        locked.state = EvidencePack.State.READY
        locked.rendered_at = timezone.now()
        locked.error = ""
        locked.claimed_at = None
        locked.claimed_by = ""
        locked.save(
            update_fields=[
                "file",
                "sha256",
                "size",
                "state",
                "rendered_at",
                "error",
                "claimed_at",
                "claimed_by",
            ]
        )
    return "rendered"


@shared_task(
    name="trials.tasks.send_partner_invitation",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_partner_invitation(partner_id: int, token: str, language: str = "") -> str:
    """E-mail the invitation link to a partner (the token is not stored, only its hash)."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils import translation

    from .models import TrialPartner

    partner = (
        TrialPartner.objects.select_related("trial__organisation", "trial__testbed", "invited_by")
        .filter(pk=partner_id)
        .first()
    )
    if partner is None or partner.status != "invited":
        return "skipped"
    context = {
        "partner": partner,
        "trial": partner.trial,
        "accept_url": settings.SITE_URL
        + reverse("trials:partner_invitation", kwargs={"token": token}),
        "site_url": settings.SITE_URL,
    }
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string("trials/email/partner_invitation_subject.txt", context).strip()
        body = render_to_string("trials/email/partner_invitation_message.txt", context)
    send_mail(subject, body, None, [partner.email])
    return "sent"


@shared_task(
    name="trials.tasks.email_new_message",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def email_new_message(message_id: int) -> int:
    """After a message is posted: e-mail the parties whose 15 minutes have passed."""
    from .services.messages import email_new_message as send

    return send(message_id)
