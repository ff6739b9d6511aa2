"""The panel: assessors invited by e-mail, conflicts declared before an application is
shown, scores per criterion (blind until submitted), moderation notes."""

from __future__ import annotations

import datetime
from functools import partial

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.events import record_event
from accounts.models import User, hash_token
from accounts.services import user_create, user_has_verified_email
from core.exceptions import Conflict, InvalidTransition
from core.tasks import enqueue_named

from ..models import (
    SCORE_MAX,
    SCORE_MIN,
    Application,
    ApplicationStatus,
    Assessment,
    Assessor,
    Challenge,
    ChallengeStatus,
    ConflictDeclaration,
    Criterion,
    ModerationNote,
    Score,
)
from . import common

SEND_INVITATION = "challenges.tasks.send_assessor_invitation"
MAX_ASSESSORS = 50


def assessor_invite(*, actor: User, challenge: Challenge, email: str) -> tuple[Assessor, str]:
    """Invite someone to assess. Returns the assessor and the one-time token for the e-mail.

    Inviting the same address again sends a fresh link (the old one stops working)."""
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("Enter an e-mail address like name@example.org.")})
    with transaction.atomic():
        challenge = common.lock_challenge(challenge)
        common.require_owner(actor, challenge)
        if challenge.status == ChallengeStatus.DECIDED:
            raise Conflict(_("This challenge has been decided."), code="decided")
        token = Assessor.new_token()
        expires = common.now() + datetime.timedelta(days=settings.INVITATION_VALID_DAYS)
        assessor = challenge.assessors.select_for_update().filter(email=email).first()
        if assessor is not None and assessor.status == "accepted":
            raise Conflict(_("%(email)s is already an assessor.") % {"email": email}, code="exists")
        if assessor is None:
            if challenge.assessors.count() >= MAX_ASSESSORS:
                raise Conflict(_("A challenge can have up to 50 assessors."), code="too_many")
            assessor = Assessor(challenge=challenge, email=email)
        assessor.token_hash = hash_token(token)
        assessor.invited_by = actor
        assessor.invited_at = common.now()
        assessor.expires_at = expires
        assessor.revoked_at = None
        assessor.save()
        record_event(
            actor=actor,
            action="assessor.invited",
            target=challenge,
            organisation=challenge.owner,
            summary=email,
        )
        language = actor.language or settings.LANGUAGE_CODE
        transaction.on_commit(partial(enqueue_named, SEND_INVITATION, assessor.pk, token, language))
    return assessor, token


def assessor_for_token(token: str) -> Assessor | None:
    return (
        Assessor.objects.select_related("challenge__owner", "invited_by")
        .filter(token_hash=hash_token(token))
        .first()
    )


@transaction.atomic
def assessor_accept(
    *,
    token: str,
    user: User | None = None,
    full_name: str = "",
    password: str = "",
) -> Assessor:
    """Accept an invitation, once, for its own address only.

    Signed in: the person must hold the invited address, verified. Not signed in: a limited
    account is made for the address (no organisation; it sees only what it assesses) —
    holding the e-mailed token proves the address. If an account already has the address,
    its owner signs in first.
    """
    found = assessor_for_token(token)
    if found is None:
        raise ValidationError(_("This invitation link is not valid."))
    assessor = Assessor.objects.select_for_update().get(pk=found.pk)
    if assessor.status != "pending":
        raise Conflict(
            _("This invitation can no longer be used (%(status)s).")
            % {"status": assessor.get_status_display().lower()},
            code="invitation_" + assessor.status,
        )
    if user is not None and user.is_authenticated:
        if not user_has_verified_email(user, assessor.email):
            raise PermissionDenied(
                _("This invitation was sent to %(email)s. Sign in with that address to accept it.")
                % {"email": assessor.email}
            )
    else:
        if User.objects.filter(email__iexact=assessor.email).exists():
            raise PermissionDenied(
                _("An account already uses %(email)s. Sign in to accept the invitation.")
                % {"email": assessor.email}
            )
        full_name = full_name.strip()
        if not full_name:
            raise ValidationError({"full_name": _("Enter your full name.")})
        candidate = User(email=assessor.email, full_name=full_name)
        try:
            validate_password(password, candidate)
        except ValidationError as error:
            raise ValidationError({"password": error.messages})
        user = user_create(
            email=assessor.email, full_name=full_name, password=password, verified=True
        )
    if (
        Assessor.objects.filter(challenge=assessor.challenge_id, user=user)
        .exclude(pk=assessor.pk)
        .exists()
    ):
        raise Conflict(_("You are already an assessor of this challenge."), code="exists")
    assessor.user = user
    assessor.accepted_at = common.now()
    assessor.save(update_fields=["user", "accepted_at"])
    record_event(
        actor=user,
        action="assessor.accepted",
        target=assessor.challenge,
        organisation=assessor.challenge.owner,
        summary=assessor.email,
    )
    return assessor


@transaction.atomic
def assessor_remove(*, actor: User, assessor: Assessor) -> Assessor:
    """Withdraw an invitation or remove an assessor; their submitted scores stay on record."""
    challenge = common.lock_challenge(assessor.challenge_id)
    common.require_owner(actor, challenge)
    assessor = Assessor.objects.select_for_update().get(pk=assessor.pk)
    if assessor.revoked_at:
        raise InvalidTransition(_("This assessor has already been removed."))
    assessor.revoked_at = common.now()
    assessor.save(update_fields=["revoked_at"])
    record_event(
        actor=actor,
        action="assessor.removed",
        target=challenge,
        organisation=challenge.owner,
        summary=assessor.email,
    )
    return assessor


def active_assessor(user: User | None, challenge: Challenge | int) -> Assessor | None:
    """The user's accepted, not removed, assessor role on the challenge."""
    if user is None or not user.is_authenticated:
        return None
    challenge_id = challenge.pk if isinstance(challenge, Challenge) else challenge
    return Assessor.objects.filter(
        challenge_id=challenge_id, user=user, accepted_at__isnull=False, revoked_at__isnull=True
    ).first()


def require_assessor(user: User, challenge: Challenge | int) -> Assessor:
    assessor = active_assessor(user, challenge)
    if assessor is None:
        raise PermissionDenied(_("You are not an assessor of this challenge."))
    return assessor


def _submitted(application: Application) -> Application:
    application = Application.objects.select_for_update(of=("self",)).get(pk=application.pk)
    if application.status != ApplicationStatus.SUBMITTED:
        raise Conflict(_("Only submitted applications are assessed."), code="not_submitted")
    return application


@transaction.atomic
def conflict_declare(
    *, actor: User, application: Application, conflicted: bool, note: str = ""
) -> ConflictDeclaration:
    """Declare a conflict of interest with the applicant (or none), once, before seeing the
    application. A conflicted assessor never sees it."""
    assessor = require_assessor(actor, application.challenge_id)
    application = _submitted(application)
    if ConflictDeclaration.objects.filter(assessor=assessor, application=application).exists():
        raise InvalidTransition(_("You have already declared for this application."))
    declaration = ConflictDeclaration.objects.create(
        assessor=assessor,
        application=application,
        conflicted=bool(conflicted),
        note=note.strip()[:500],
        declared_at=common.now(),
    )
    record_event(
        actor=actor,
        action="assessor.conflict_declared" if conflicted else "assessor.no_conflict",
        target=application,
        organisation=None,
        summary=assessor.email,
    )
    return declaration


def require_cleared(actor: User, application: Application) -> Assessor:
    """The actor is an assessor of the application's challenge who declared no conflict."""
    assessor = require_assessor(actor, application.challenge_id)
    declaration = ConflictDeclaration.objects.filter(
        assessor=assessor, application=application
    ).first()
    if declaration is None:
        raise PermissionDenied(_("Declare any conflict of interest first."))
    if declaration.conflicted:
        raise PermissionDenied(_("You declared a conflict of interest with this applicant."))
    return assessor


@transaction.atomic
def scores_save(
    *,
    actor: User,
    application: Application,
    scores: dict[int, tuple[int | None, str]],
    submit: bool = False,
) -> Assessment:
    """Save scores (criterion id → (score 0–10 or None, comment)); ``submit`` hands them in,
    which needs every criterion scored and fixes them."""
    assessor = require_cleared(actor, application)
    application = _submitted(application)
    assessment, _created = Assessment.objects.select_for_update().get_or_create(
        assessor=assessor, application=application
    )
    if assessment.is_submitted:
        raise InvalidTransition(_("Your scores are submitted and cannot change."))
    criteria = {c.pk: c for c in Criterion.objects.filter(challenge=application.challenge_id)}
    unknown = set(scores) - set(criteria)
    if unknown:
        raise ValidationError({"scores": _("Score only the challenge's criteria.")})
    errors = {}
    existing = {s.criterion_id: s for s in assessment.scores.all()}
    for criterion_id, (value, comment) in scores.items():
        if value in ("", None):
            if criterion_id in existing:
                existing.pop(criterion_id).delete()
            continue
        try:
            value = int(value)
        except (TypeError, ValueError):
            value = -1
        if not SCORE_MIN <= value <= SCORE_MAX:
            errors[f"score_{criterion_id}"] = _("Give a whole number from 0 to 10.")
            continue
        comment = (comment or "").strip()
        if len(comment) > 3000:
            errors[f"comment_{criterion_id}"] = _("Keep the comment under 3,000 characters.")
            continue
        Score.objects.update_or_create(
            assessment=assessment,
            criterion_id=criterion_id,
            defaults={"score": value, "comment": comment},
        )
    if errors:
        raise ValidationError(errors)
    if submit:
        scored = set(assessment.scores.values_list("criterion_id", flat=True))
        missing = [c.name for pk, c in criteria.items() if pk not in scored]
        if missing:
            raise ValidationError(
                {"scores": _("Score every criterion: %(names)s.") % {"names": ", ".join(missing)}}
            )
        assessment.submitted_at = common.now()
    assessment.save()
    record_event(
        actor=actor,
        action="assessment.submitted" if submit else "assessment.saved",
        target=application,
        summary=assessor.email,
    )
    return assessment


@transaction.atomic
def moderation_note_add(*, actor: User, application: Application, text: str) -> ModerationNote:
    challenge = Challenge.objects.select_related("owner").get(pk=application.challenge_id)
    common.require_owner(actor, challenge)
    if application.status != ApplicationStatus.SUBMITTED:
        raise Conflict(_("Only submitted applications are moderated."), code="not_submitted")
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write the note.")})
    if len(text) > 3000:
        raise ValidationError({"text": _("Keep the note under 3,000 characters.")})
    note = ModerationNote.objects.create(
        application=application, author=actor, text=text, created_at=common.now()
    )
    record_event(
        actor=actor,
        action="application.moderation_note",
        target=application,
        organisation=challenge.owner,
    )
    return note
