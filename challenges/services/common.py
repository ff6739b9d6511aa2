"""What the challenge services share: the clock, locks, who may act, telling people."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation, User
from accounts.notifications import notify
from accounts.permissions import is_member, require_member
from core.exceptions import Conflict

from ..models import Challenge, ChallengeStatus, ConflictDeclaration, Follow
from ..timefmt import uk_datetime

OWNER_KINDS = (Organisation.Kind.PUBLIC_BODY, Organisation.Kind.PROGRAMME_TEAM)


def now() -> datetime.datetime:
    """The server's clock. Every deadline check reads it here, once, so tests can freeze it
    (patch ``challenges.services.common.now``)."""
    return timezone.now()


def lock_challenge(challenge: Challenge | int) -> Challenge:
    """Lock the challenge row: submissions, closing-time changes and closing queue on it."""
    pk = challenge.pk if isinstance(challenge, Challenge) else challenge
    return Challenge.objects.select_for_update(of=("self",)).select_related("owner").get(pk=pk)


def require_owner(actor: User, challenge: Challenge) -> None:
    require_member(actor, challenge.owner)


def is_owner(user: User | None, challenge: Challenge) -> bool:
    return is_member(user, challenge.owner)


def require_open(challenge: Challenge, moment: datetime.datetime) -> None:
    """Refuse unless the challenge takes applications at ``moment`` (to the second)."""
    if challenge.status == ChallengeStatus.DRAFT:
        raise PermissionDenied(_("This challenge is not published."))
    if moment < challenge.opens_at:
        raise Conflict(
            _("Applications open at %(time)s.") % {"time": uk_datetime(challenge.opens_at)},
            code="not_open_yet",
        )
    if challenge.status != ChallengeStatus.PUBLISHED or moment >= challenge.closes_at:
        raise Conflict(
            _("This challenge closed at %(time)s. Nothing can be changed after the close.")
            % {"time": uk_datetime(challenge.closes_at)},
            code="closed",
            closes_at=challenge.closes_at.isoformat(),
        )


def require_closed(challenge: Challenge, moment: datetime.datetime) -> None:
    if challenge.status == ChallengeStatus.DRAFT or moment < challenge.closes_at:
        raise Conflict(
            _("Decisions are made once the challenge has closed, at %(time)s.")
            % {"time": uk_datetime(challenge.closes_at)},
            code="not_closed",
        )


def followers(challenge: Challenge) -> QuerySet[User]:
    return User.objects.filter(challenge_follows__challenge=challenge, is_active=True)


def follow(user: User, challenge: Challenge) -> None:
    Follow.objects.get_or_create(challenge=challenge, user=user)


def tell_followers(challenge: Challenge, *, what: str, key: str = "", **context: object) -> None:
    subjects = {
        "changed": gettext_lazy("Challenge updated: %(title)s"),
        "clarification": gettext_lazy("New clarification: %(title)s"),
    }
    notify(
        users=followers(challenge),
        subject=subjects[what],
        subject_params={"title": challenge.title},
        template=f"challenges/notifications/{what}.txt",
        context={"challenge": challenge, **context},
        url=challenge.get_absolute_url(),
        key=key,
    )


def has_conflict(user: User | None, application_id: int) -> bool:
    """Whether the user declared a conflict with this application (as an assessor).

    A conflicted person never sees the application — not even through the owner's pages, if
    they also belong to the owner."""
    if user is None or not user.is_authenticated:
        return False
    return ConflictDeclaration.objects.filter(
        application_id=application_id, assessor__user=user, conflicted=True
    ).exists()


def require_no_conflict(user: User, application_id: int) -> None:
    if has_conflict(user, application_id):
        raise PermissionDenied(_("You declared a conflict of interest with this applicant."))
