"""The start of a programme's funnel: its challenges, the applications they drew, the awards
made, and the trial requests the awards became.

A cohort view like the trial funnel (programmes.funnel): the challenges counted are those the
programme published in the period (UK-wide ones count in every region; sector and technology
through the challenge's own); each later step counts what came of them. Medians are the days
between one step and the next, in the database. Four grouped queries, whatever the numbers.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Programme
from challenges.models import Application, Challenge, Decision
from challenges.selectors import programme_applications, programme_challenges

from .filters import FigureFilter
from .funnel import Step
from .portfolio import days, median_durations_by

CHALLENGE_STEP_LABELS = {
    "challenges": _("Challenges published"),
    "applications": _("Applications"),
    "awards": _("Awards"),
    "awarded_trials": _("Trial requests from awards"),
}
AWARDED = Q(decision__outcome=Decision.Outcome.AWARDED)


def challenge_cohort(programme: Programme, filters: FigureFilter) -> QuerySet[Challenge]:
    """The programme's challenges published in the period, matching the filters."""
    challenges = filters.in_period(programme_challenges(programme.pk), "published_at")
    if filters.region:
        challenges = challenges.filter(Q(region=filters.region) | Q(region=""))
    if filters.sector:
        challenges = challenges.filter(sectors__code=filters.sector)
    if filters.technology:
        challenges = challenges.filter(technologies__code=filters.technology)
    return Challenge.objects.filter(pk__in=challenges.values("pk"))


def applications_at(
    applications: QuerySet[Application], challenges: QuerySet[Challenge], key: str
) -> QuerySet[Application]:
    """The applications behind the applications, awards or awarded-trials figure."""
    applications = applications.filter(challenge__in=challenges.values("pk"))
    if key in ("awards", "awarded_trials"):
        applications = applications.filter(AWARDED)
    if key == "awarded_trials":
        applications = applications.filter(trial__isnull=False)
    return applications


def challenge_steps(programme: Programme, filters: FigureFilter) -> list[Step]:
    """Challenges published → applications → awards → trial requests from awards; empty
    when the programme has set no challenge."""
    challenges = challenge_cohort(programme, filters)
    published = challenges.count()
    if not published:
        return []
    applications = Application.objects.filter(
        challenge__in=challenges.values("pk"), submitted_at__isnull=False
    )
    counts = applications.aggregate(
        applications=Count("pk"),
        awards=Count("pk", filter=AWARDED),
        awarded_trials=Count("pk", filter=AWARDED & Q(trial__isnull=False)),
    )
    group = "challenge__programme_id"
    medians = {
        "applications": median_durations_by(
            applications, group, "challenge__published_at", "submitted_at"
        ),
        "awards": median_durations_by(
            applications.filter(AWARDED), group, "submitted_at", "decision__decided_at"
        ),
        "awarded_trials": median_durations_by(
            applications.filter(AWARDED, trial__isnull=False),
            group,
            "decision__decided_at",
            "trial__created_at",
        ),
    }
    steps = [Step("challenges", str(CHALLENGE_STEP_LABELS["challenges"]), published)]
    for key in ("applications", "awards", "awarded_trials"):
        count, previous = counts[key] or 0, steps[-1].count
        steps.append(
            Step(
                key=key,
                label=str(CHALLENGE_STEP_LABELS[key]),
                count=count,
                # Applications per challenge is not a proportion: no conversion shown.
                conversion=count / previous if previous and key != "applications" else None,
                median_days=days(medians[key].get(programme.pk)),
            )
        )
    return steps


def officer_applications(user, programme: Programme, filters: FigureFilter, key: str):
    """The list behind an applications/awards figure, as this officer may see it."""
    return applications_at(
        programme_applications(user, programme.pk), challenge_cohort(programme, filters), key
    )
