"""The public outcomes register: an outcome is public only while both parties agree."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.events import record_event
from accounts.models import User
from core.cache import bump_page_version

from ..models import Adoption
from .common import clean_text, is_provider, is_startup, locked, refuse

PARTIES = ("startup", "provider")


@transaction.atomic
def consent_set(
    *,
    actor: User,
    adoption: Adoption,
    party: str,
    agree: bool,
    summary: str | None = None,
    title_cy: str | None = None,
    summary_cy: str | None = None,
) -> Adoption:
    """Give or withdraw one party's consent to publish. With both, and a summary written for
    the register, the outcome is published; withdrawing takes it off at once. Either party
    may write or change the summary (``summary``) while giving consent, and its Welsh title
    and summary (``title_cy``, ``summary_cy``; core.bilingual): a summary in either language
    is enough to publish, and the page shows the other with a note where one is missing."""
    adoption = locked(adoption)
    trial = adoption.trial
    if party not in PARTIES:
        raise ValidationError(
            {"party": _("Say whether you speak for the start-up or the test bed.")}
        )
    allowed = is_startup(actor, trial) if party == "startup" else is_provider(actor, trial)
    if not allowed:
        raise PermissionDenied(_("Only the trial's two parties decide whether it is published."))
    errors: dict = {}
    texts_before = _texts(adoption)
    if summary is not None:
        adoption.register_summary = clean_text(summary, "register_summary", errors, limit=1500)
    if title_cy is not None:
        adoption.register_title_cy = clean_text(
            title_cy, "register_title_cy", errors, limit=200, single_line=True
        )
    if summary_cy is not None:
        adoption.register_summary_cy = clean_text(
            summary_cy, "register_summary_cy", errors, limit=1500
        )
    refuse(errors)
    if agree and not (adoption.register_summary or adoption.register_summary_cy):
        raise ValidationError(
            {"register_summary": _("Write a short plain-English summary for the register.")}
        )
    now = timezone.now()
    field = f"{party}_consent_at"
    setattr(adoption, field, (getattr(adoption, field) or now) if agree else None)
    was_public = adoption.published_at is not None
    both = adoption.startup_consent_at is not None and adoption.provider_consent_at is not None
    if both and not was_public:
        adoption.published_at = now
    elif not both:
        adoption.published_at = None
    adoption.save(
        update_fields=[
            field,
            "published_at",
            "register_summary",
            "register_title_cy",
            "register_summary_cy",
        ]
    )
    changed = [name for name, text in _texts(adoption).items() if text != texts_before[name]]
    record_event(
        actor=actor,
        action="adoption.consent_given" if agree else "adoption.consent_withdrawn",
        target=adoption,
        organisation=trial.organisation if party == "startup" else trial.testbed.organisation,
        summary=f"{trial.reference}: {party}",
        data={"texts_changed": changed} if changed else None,
    )
    if was_public or adoption.published_at is not None:
        bump_page_version()
    return adoption


def _texts(adoption: Adoption) -> dict[str, str]:
    return {
        "register_summary": adoption.register_summary,
        "register_title_cy": adoption.register_title_cy,
        "register_summary_cy": adoption.register_summary_cy,
    }
