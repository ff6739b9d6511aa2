"""The funnel of a programme: how far its trials got, step by step, overall and by region.

A cohort view: the trials counted are the programme's trials *requested in the period*
(and on test beds in the region, sector and technology asked for); each step counts those
of them that reached it, whatever their status now:

- trial requests: every one of them;
- approved: decided and not declined (a trial cancelled after approval was approved);
- completed, evidence accepted: the time of that step is set;
- adoption decided: the test bed's public body recorded a decision (adoption.Adoption);
- adopted: that decision is, now, *adopted*.

Drop-outs are the requests declined, withdrawn or cancelled, and the accepted trials not
adopted, once for each reason given (a trial with two reasons counts under both). Medians
are the days between one step and the next among the trials that took both, computed in
the database (the middle rows of each group, ordered by duration). Every figure comes from
a fixed number of grouped queries, whatever the number of trials.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Programme, Region
from adoption.models import AdoptionStatus, NotAdoptedReason
from trials.models import Trial, TrialEvent, TrialStatus

from .filters import FigureFilter
from .portfolio import days, median_durations_by


@dataclass(frozen=True)
class StepDefinition:
    key: str
    label: str
    condition: Q
    since: str = ""  # the time field of the previous step, for the median days between
    at: str = ""  # this step's time field


TRIAL_STEPS = [
    StepDefinition("requested", _("Trial requests"), Q()),
    StepDefinition(
        "approved",
        _("Approved"),
        Q(decided_at__isnull=False) & ~Q(status=TrialStatus.DECLINED),
        since="created_at",
        at="decided_at",
    ),
    StepDefinition(
        "completed",
        _("Completed"),
        Q(completed_at__isnull=False),
        since="decided_at",
        at="completed_at",
    ),
    StepDefinition(
        "accepted",
        _("Evidence accepted"),
        Q(accepted_at__isnull=False),
        since="completed_at",
        at="accepted_at",
    ),
    StepDefinition(
        "adoption_decided",
        _("Adoption decided"),
        Q(adoption__decided_at__isnull=False),
        since="accepted_at",
        at="adoption__decided_at",
    ),
    StepDefinition(
        "adopted",
        _("Adopted"),
        Q(adoption__status=AdoptionStatus.ADOPTED),
        since="adoption__decided_at",
        at="adoption__adopted_at",
    ),
]


def _not_adopted(label) -> str:
    return gettext("Not adopted: %(reason)s") % {"reason": label}


# Translated when shown (in the reader's language), not when the module is imported.
_not_adopted_label = lazy(_not_adopted, str)

DROP_OUTS = [
    StepDefinition(TrialStatus.DECLINED, _("Declined by the provider"), Q(status="declined")),
    StepDefinition(TrialStatus.WITHDRAWN, _("Withdrawn by the start-up"), Q(status="withdrawn")),
    StepDefinition(TrialStatus.CANCELLED, _("Cancelled after approval"), Q(status="cancelled")),
    *(
        StepDefinition(
            f"not_adopted:{code}",
            _not_adopted_label(label),
            Q(adoption__status=AdoptionStatus.NOT_ADOPTED)
            & Q(adoption__reasons__icontains=f'"{code}"'),
        )
        for code, label in NotAdoptedReason.choices
    ),
]
STEPS_BY_KEY = {step.key: step for step in [*TRIAL_STEPS, *DROP_OUTS]}
DROP_OUT_KEYS = {step.key for step in DROP_OUTS}


@dataclass
class Step:
    key: str
    label: str
    count: int
    conversion: float | None = None  # of the previous step
    median_days: float | None = None  # from the previous step


@dataclass
class RegionFunnel:
    code: str
    name: str
    steps: list[Step]
    drop_outs: list[Step]


@dataclass
class Funnel:
    steps: list[Step]
    drop_outs: list[Step]
    regions: list[RegionFunnel] = field(default_factory=list)

    @property
    def requested(self) -> int:
        return self.steps[0].count if self.steps else 0


def cohort(programme: Programme, filters: FigureFilter) -> QuerySet[Trial]:
    """The programme's trials requested in the period, on test beds matching the filters."""
    chosen = filters.in_period(
        Trial.objects.filter(programme=programme).filter(filters.testbed_q()), "created_at"
    )
    if not (filters.sector or filters.technology):
        return chosen
    # A sector or technology joins a many-to-many table: one row a trial again.
    return Trial.objects.filter(pk__in=chosen.values("pk"))


def at_step(trials: QuerySet[Trial], key: str) -> QuerySet[Trial]:
    """The trials of the cohort that reached a step (or dropped out that way)."""
    return trials.filter(STEPS_BY_KEY[key].condition)


def _count_columns() -> dict:
    return {
        step.key: Count("pk", filter=step.condition) if step.condition else Count("pk")
        for step in [*TRIAL_STEPS, *DROP_OUTS]
    }


def _steps(counts: dict, medians: dict[str, datetime.timedelta | None]) -> list[Step]:
    steps, previous = [], None
    for definition in TRIAL_STEPS:
        count = counts.get(definition.key) or 0
        steps.append(
            Step(
                key=definition.key,
                label=str(definition.label),
                count=count,
                conversion=count / previous if previous else None,
                median_days=days(medians.get(definition.key)),
            )
        )
        previous = count
    return steps


def _drop_outs(counts: dict) -> list[Step]:
    return [Step(key=d.key, label=str(d.label), count=counts.get(d.key) or 0) for d in DROP_OUTS]


def programme_funnel(programme: Programme, filters: FigureFilter) -> Funnel:
    """The funnel overall and for each region, in a fixed number of queries."""
    trials = cohort(programme, filters)
    overall = trials.aggregate(**_count_columns())
    by_region = {
        row["testbed__region"]: row
        for row in trials.values("testbed__region").annotate(**_count_columns()).order_by()
    }
    medians: dict[str, dict] = {}  # step → {group: median}
    for step in TRIAL_STEPS[1:]:
        reached = at_step(trials, step.key)
        medians[step.key] = {
            "all": median_durations_by(reached, "programme_id", step.since, step.at).get(
                programme.pk
            ),
            **median_durations_by(reached, "testbed__region", step.since, step.at),
        }
    regions = [
        RegionFunnel(
            code=code,
            name=str(name),
            steps=_steps(
                by_region[code], {key: values.get(code) for key, values in medians.items()}
            ),
            drop_outs=_drop_outs(by_region[code]),
        )
        for code, name in Region.choices
        if code in by_region
    ]
    return Funnel(
        steps=_steps(overall, {key: values.get("all") for key, values in medians.items()}),
        drop_outs=_drop_outs(overall),
        regions=regions,
    )


def step_trials(trials: QuerySet[Trial], key: str) -> QuerySet[Trial]:
    """The trials behind one figure, with the reason given when they dropped out."""
    reached = at_step(trials, key)
    if key in DROP_OUT_KEYS and key in TrialStatus.values:
        reason = TrialEvent.objects.filter(trial=OuterRef("pk"), to_status=key).order_by(
            "-created_at", "-pk"
        )
        reached = reached.annotate(reason=Subquery(reason.values("note")[:1]))
    return reached
