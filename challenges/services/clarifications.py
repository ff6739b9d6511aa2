"""Clarifications: asked privately, answered to everyone without saying who asked."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.events import record_event
from accounts.models import User
from accounts.notifications import members_of, notify
from core.exceptions import Conflict, InvalidTransition

from ..models import Challenge, ChallengeStatus, Clarification
from . import common

MAX_OPEN_QUESTIONS_PER_PERSON = 20


@transaction.atomic
def clarification_ask(*, actor: User, challenge: Challenge, question: str) -> Clarification:
    """Ask the owner a question, privately, while the challenge is open."""
    challenge = common.lock_challenge(challenge)
    if challenge.status != ChallengeStatus.PUBLISHED:
        raise PermissionDenied(_("This challenge is not open."))
    if challenge.has_closed(common.now()):
        raise Conflict(_("Questions can be asked only until the challenge closes."), code="closed")
    question = question.strip()
    if not question:
        raise ValidationError({"question": _("Enter your question.")})
    if len(question) > 2000:
        raise ValidationError({"question": _("Keep your question under 2,000 characters.")})
    waiting = challenge.clarifications.filter(asked_by=actor, published_at__isnull=True).count()
    if waiting >= MAX_OPEN_QUESTIONS_PER_PERSON:
        raise Conflict(_("You have 20 questions waiting for an answer."), code="too_many")
    clarification = Clarification.objects.create(
        challenge=challenge, asked_by=actor, question=question, asked_at=common.now()
    )
    record_event(
        actor=actor,
        action="clarification.asked",
        target=challenge,
        organisation=challenge.owner,
        summary=question[:100],
    )
    common.follow(actor, challenge)
    notify(
        users=members_of(challenge.owner),
        subject=gettext_lazy("A question about %(title)s"),
        subject_params={"title": challenge.title},
        template="challenges/notifications/asked.txt",
        context={"challenge": challenge, "clarification": clarification},
        url=challenge.get_absolute_url() + "clarifications/",
    )
    return clarification


@transaction.atomic
def clarification_publish(
    *, actor: User, clarification: Clarification, question: str, answer: str
) -> Clarification:
    """Answer to all: the question (reworded by the owner to leave out who asked) and the
    answer go on the challenge page, and every follower is told."""
    clarification = Clarification.objects.select_for_update().get(pk=clarification.pk)
    challenge = Challenge.objects.select_related("owner").get(pk=clarification.challenge_id)
    common.require_owner(actor, challenge)
    if clarification.published_at is not None:
        raise InvalidTransition(_("This clarification is already published."))
    question, answer = question.strip(), answer.strip()
    errors = {}
    if not question:
        errors["question"] = _("Enter the question as it will be published.")
    if not answer:
        errors["answer"] = _("Enter the answer.")
    if errors:
        raise ValidationError(errors)
    clarification.published_question = question[:2000]
    clarification.answer = answer[:5000]
    clarification.answered_by = actor
    clarification.published_at = common.now()
    clarification.save()
    record_event(
        actor=actor,
        action="clarification.published",
        target=challenge,
        organisation=challenge.owner,
        summary=question[:100],
    )
    common.tell_followers(
        challenge,
        what="clarification",
        key=f"clarification-{clarification.pk}",
        clarification=clarification,
    )
    return clarification
