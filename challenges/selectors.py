"""Reads for challenge pages, the API and exports, scoped to what the person may see.

Who sees an application: its start-up's members (always); the owner's members once it is
submitted (never a draft); an assessor who declared no conflict with it. Anyone who declared
a conflict never sees it, whatever else they are. Everything else answers 404.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from accounts.models import User
from accounts.permissions import is_member, organisations_of

from .models import (
    MIN_ASSESSORS,
    SPREAD_HIGHLIGHT,
    Application,
    ApplicationStatus,
    Assessor,
    Challenge,
    ChallengeStatus,
    ChallengeTestBed,
    Clarification,
    ConflictDeclaration,
    Criterion,
    Score,
)
from .services.common import now

PHASES = ("open", "upcoming", "closed")


def public_challenges() -> QuerySet[Challenge]:
    return Challenge.objects.exclude(status=ChallengeStatus.DRAFT)


def open_challenges() -> QuerySet[Challenge]:
    """Published challenges taking applications now."""
    return filter_challenges(public_challenges(), phase="open")


def with_list_data(challenges: QuerySet[Challenge]) -> QuerySet[Challenge]:
    return challenges.select_related("owner").prefetch_related("sectors")


def filter_challenges(
    challenges: QuerySet[Challenge], *, region: str = "", sector: str = "", phase: str = ""
) -> QuerySet[Challenge]:
    moment = now()
    if region:
        # A UK-wide challenge is open to every region.
        challenges = challenges.filter(Q(region=region) | Q(region=""))
    if sector:
        challenges = challenges.filter(sectors__code=sector)
    published = Q(status=ChallengeStatus.PUBLISHED)
    if phase == "open":
        challenges = challenges.filter(published, opens_at__lte=moment, closes_at__gt=moment)
    elif phase == "upcoming":
        challenges = challenges.filter(published, opens_at__gt=moment)
    elif phase == "closed":
        challenges = challenges.filter(
            Q(status__in=[ChallengeStatus.CLOSED, ChallengeStatus.DECIDED])
            | Q(published, closes_at__lte=moment)
        )
    return challenges.distinct()


def challenge_for_viewer(*, user: User | None, slug: str) -> Challenge:
    """A published challenge, or a draft for its owner's members; 404 otherwise."""
    challenge = Challenge.objects.select_related("owner").filter(slug=slug).first()
    if challenge is None:
        raise Http404
    if challenge.status == ChallengeStatus.DRAFT and not is_member(user, challenge.owner):
        raise Http404
    return challenge


def challenge_for_owner(*, user: User | None, slug: str) -> Challenge:
    challenge = Challenge.objects.select_related("owner").filter(slug=slug).first()
    if challenge is None or not is_member(user, challenge.owner):
        raise Http404
    return challenge


def challenge_for_assessor(*, user: User | None, slug: str) -> tuple[Challenge, Assessor]:
    challenge = Challenge.objects.select_related("owner").filter(slug=slug).first()
    if challenge is None or user is None or not user.is_authenticated:
        raise Http404
    assessor = Assessor.objects.filter(
        challenge=challenge, user=user, accepted_at__isnull=False, revoked_at__isnull=True
    ).first()
    if assessor is None:
        raise Http404
    return challenge, assessor


def owned_challenges(user: User) -> QuerySet[Challenge]:
    return Challenge.objects.filter(owner__in=organisations_of(user)).select_related("owner")


def assessed_challenges(user: User) -> QuerySet[Challenge]:
    if not user.is_authenticated:
        return Challenge.objects.none()
    return Challenge.objects.filter(
        assessors__user=user,
        assessors__accepted_at__isnull=False,
        assessors__revoked_at__isnull=True,
    ).select_related("owner")


def applications_of(user: User) -> QuerySet[Application]:
    return (
        Application.objects.filter(organisation__in=organisations_of(user))
        .select_related("challenge", "organisation", "decision")
        .order_by("-created_at", "-id")
    )


def agreed_links(challenge: Challenge) -> QuerySet[ChallengeTestBed]:
    return challenge.links.filter(status=ChallengeTestBed.Status.AGREED).select_related(
        "testbed__organisation"
    )


def published_clarifications(challenge: Challenge) -> QuerySet[Clarification]:
    return challenge.clarifications.filter(published_at__isnull=False).order_by(
        "published_at", "id"
    )


def conflicted_ids(user: User | None, challenge: Challenge) -> set[int]:
    """The applications of the challenge this person declared a conflict with."""
    if user is None or not user.is_authenticated:
        return set()
    return set(
        ConflictDeclaration.objects.filter(
            application__challenge=challenge, assessor__user=user, conflicted=True
        ).values_list("application_id", flat=True)
    )


def owner_applications(user: User, challenge: Challenge) -> QuerySet[Application]:
    """What the owner's members see: submitted and withdrawn applications, less the viewer's
    own conflicts."""
    return (
        challenge.applications.exclude(status=ApplicationStatus.DRAFT)
        .exclude(
            Exists(
                ConflictDeclaration.objects.filter(
                    application=OuterRef("pk"), assessor__user=user, conflicted=True
                )
            )
        )
        .select_related("organisation", "testbed", "decision", "trial")
        .order_by("submitted_at", "id")
    )


def programme_challenges(programme_id: int) -> QuerySet[Challenge]:
    """The published (or since closed and decided) challenges set for a programme."""
    return Challenge.objects.filter(programme_id=programme_id, published_at__isnull=False)


def programme_applications(user: User, programme_id: int) -> QuerySet[Application]:
    """The submitted applications to a programme's challenges, for its officers (the team
    that owns the challenges), less those the viewer declared a conflict with."""
    return (
        Application.objects.filter(challenge__programme_id=programme_id, submitted_at__isnull=False)
        .exclude(
            Exists(
                ConflictDeclaration.objects.filter(
                    application=OuterRef("pk"), assessor__user=user, conflicted=True
                )
            )
        )
        .select_related("challenge", "organisation", "decision", "trial")
    )


@dataclass
class Access:
    """Why a person may see an application (several may hold)."""

    applicant: bool = False
    owner: bool = False
    assessor: Assessor | None = None
    declared: bool = False  # the assessor has declared (no conflict) — may read it

    @property
    def can_read(self) -> bool:
        return self.applicant or self.owner or (self.assessor is not None and self.declared)


def application_for_viewer(
    *, user: User | None, pk: int, slug: str | None = None
) -> tuple[Application, Access]:
    """The application with how the user may see it; 404 if they may not see it at all.

    An assessor who has not yet declared gets the application back with ``declared`` False:
    pages then show only who applied, to declare a conflict against."""
    if user is None or not user.is_authenticated:
        raise Http404
    query = Application.objects.select_related(
        "challenge__owner", "organisation", "testbed__organisation", "decision", "trial"
    ).filter(pk=pk)
    if slug is not None:
        query = query.filter(challenge__slug=slug)
    application = query.first()
    if application is None:
        raise Http404
    access = Access(applicant=is_member(user, application.organisation))
    if access.applicant:
        return application, access
    declaration = (
        ConflictDeclaration.objects.filter(application=application, assessor__user=user)
        .select_related("assessor")
        .first()
    )
    if declaration is not None and declaration.conflicted:
        raise Http404
    if application.status == ApplicationStatus.DRAFT:
        raise Http404
    access.owner = is_member(user, application.challenge.owner)
    assessor = Assessor.objects.filter(
        challenge=application.challenge_id,
        user=user,
        accepted_at__isnull=False,
        revoked_at__isnull=True,
    ).first()
    if assessor is not None and application.status == ApplicationStatus.SUBMITTED:
        access.assessor = assessor
        access.declared = declaration is not None
    if not (access.owner or access.assessor):
        raise Http404
    return application, access


def assessor_queue(assessor: Assessor) -> list[dict]:
    """The submitted applications for an assessor, each with their declaration and progress.
    Conflicted ones show only as declared, never with their content."""
    declarations = {
        d.application_id: d for d in ConflictDeclaration.objects.filter(assessor=assessor)
    }
    progress = {a.application_id: a for a in assessor.assessments.all()}
    rows = []
    for application in (
        assessor.challenge.applications.filter(status=ApplicationStatus.SUBMITTED)
        .select_related("organisation")
        .order_by("submitted_at", "id")
    ):
        declaration = declarations.get(application.pk)
        rows.append(
            {
                "application": application,
                "declaration": declaration,
                "conflicted": bool(declaration and declaration.conflicted),
                "assessment": progress.get(application.pk),
            }
        )
    return rows


def scores_for_assessor(assessor: Assessor, application: Application) -> dict:
    """The assessor's own scores, and others' submitted scores once theirs are submitted."""
    own = assessor.assessments.filter(application=application).prefetch_related("scores").first()
    others = []
    if own is not None and own.is_submitted:
        others = list(
            Score.objects.filter(
                assessment__application=application, assessment__submitted_at__isnull=False
            )
            .exclude(assessment__assessor=assessor)
            .select_related("criterion", "assessment__assessor")
            .order_by("assessment__assessor__email", "criterion__position")
        )
    return {"own": own, "others": others}


# Ranking ----------------------------------------------------------------------------------


@dataclass
class CriterionResult:
    criterion: Criterion
    scores: list[int] = field(default_factory=list)

    @property
    def mean(self) -> Decimal | None:
        if not self.scores:
            return None
        return Decimal(statistics.fmean(self.scores)).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def spread(self) -> int | None:
        return max(self.scores) - min(self.scores) if self.scores else None

    @property
    def highlight(self) -> bool:
        return self.spread is not None and self.spread > SPREAD_HIGHLIGHT


@dataclass
class RankedApplication:
    application: Application
    criteria: list[CriterionResult]
    assessors: int  # submitted assessments by assessors without a conflict
    conflicts: int
    rank: int | None = None

    @property
    def weighted_mean(self) -> Decimal | None:
        """Σ weight × criterion mean / 100, over criteria with scores (0–10, one decimal)."""
        if not self.assessors:
            return None
        total = sum(
            (Decimal(r.criterion.weight) * Decimal(statistics.fmean(r.scores)))
            for r in self.criteria
            if r.scores
        )
        return (total / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)

    @property
    def spread(self) -> int | None:
        spreads = [r.spread for r in self.criteria if r.spread is not None]
        return max(spreads) if spreads else None

    @property
    def highlight(self) -> bool:
        return any(r.highlight for r in self.criteria)

    @property
    def covered(self) -> bool:
        return self.assessors >= MIN_ASSESSORS


def ranking(challenge: Challenge, user: User) -> list[RankedApplication]:
    """Submitted applications by weighted mean (highest first; unscored last), with each
    criterion's mean and spread and the assessor coverage. A fixed number of queries,
    whatever the number of applications."""
    criteria = list(challenge.criteria.all())
    applications = list(
        owner_applications(user, challenge).filter(status=ApplicationStatus.SUBMITTED)
    )
    ids = [a.pk for a in applications]
    scores: dict[int, dict[int, list[int]]] = {}
    assessed: dict[int, set[int]] = {}
    for application_id, criterion_id, assessor_id, value in Score.objects.filter(
        assessment__application__challenge=challenge,
        assessment__submitted_at__isnull=False,
    ).values_list("assessment__application_id", "criterion_id", "assessment__assessor_id", "score"):
        scores.setdefault(application_id, {}).setdefault(criterion_id, []).append(value)
        assessed.setdefault(application_id, set()).add(assessor_id)
    conflicts = (
        dict(
            ConflictDeclaration.objects.filter(application_id__in=ids, conflicted=True)
            .values("application_id")
            .annotate(n=Count("id"))
            .values_list("application_id", "n")
        )
        if ids
        else {}
    )
    rows = [
        RankedApplication(
            application=application,
            criteria=[
                CriterionResult(c, scores.get(application.pk, {}).get(c.pk, [])) for c in criteria
            ],
            assessors=len(assessed.get(application.pk, ())),
            conflicts=conflicts.get(application.pk, 0),
        )
        for application in applications
    ]
    rows.sort(key=lambda r: (r.weighted_mean is None, -(r.weighted_mean or 0), r.application.pk))
    for number, row in enumerate(rows, start=1):
        row.rank = number if row.weighted_mean is not None else None
    return rows


def export_scores(challenge: Challenge, user: User):
    """Every submitted score as plain rows, less the viewer's conflicted applications:
    (application id, start-up, assessor, criterion, weight, score, comment, submitted at)."""
    hidden = conflicted_ids(user, challenge)
    return (
        Score.objects.filter(
            assessment__application__challenge=challenge, assessment__submitted_at__isnull=False
        )
        .exclude(assessment__application_id__in=hidden)
        .order_by(
            "assessment__application_id", "assessment__assessor__email", "criterion__position"
        )
        .values_list(
            "assessment__application_id",
            "assessment__application__organisation__name",
            "assessment__assessor__email",
            "criterion__name",
            "criterion__weight",
            "score",
            "comment",
            "assessment__submitted_at",
        )
    )


def application_detail_data(application: Application) -> dict:
    """Questions with answers and files, for the application page, PDF and API."""
    files = {f.question_id: f for f in application.files.all()}
    answers = []
    for question in application.challenge.questions.all():
        answers.append(
            {
                "question": question,
                "answer": application.answers.get(str(question.pk), ""),
                "file": files.get(question.pk),
            }
        )
    return {"answers": answers}
