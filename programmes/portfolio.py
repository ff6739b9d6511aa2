"""Portfolio figures for programme officers and providers, computed in the database.

Every figure here is an aggregate query: the number of queries does not grow with the
number of trials, and no Python loop walks the trials. Medians, which SQLite cannot
compute as an aggregate, are read as the middle row(s) of an ordered query.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Case,
    Count,
    DecimalField,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Greatest, Least, RowNumber
from django.utils import timezone

from accounts.models import Organisation, Programme, Region
from testbeds.models import Blackout, Booking, SectorCode, TestBed
from trials.models import Kpi, Measurement, Trial, TrialPartner, TrialStatus
from trials.selectors import evidence_overdue, reviews_waiting  # noqa: F401 (read here too)

SUBMITTED = [TrialStatus.SUBMITTED, TrialStatus.CHANGES_REQUESTED, TrialStatus.ACCEPTED]
ONE_DAY = datetime.timedelta(days=1)


@dataclass
class PortfolioFilter:
    """Which trials the figures cover: booked in a period, in regions, in sectors."""

    period_start: datetime.date | None = None
    period_end: datetime.date | None = None  # inclusive
    region: str = ""
    sector: str = ""

    def apply(self, trials: QuerySet[Trial]) -> QuerySet[Trial]:
        if self.period_start:
            trials = trials.filter(booking__end__gt=self.period_start)
        if self.period_end:
            trials = trials.filter(booking__start__lte=self.period_end)
        if self.region:
            trials = trials.filter(testbed__region=self.region)
        if self.sector:
            trials = trials.filter(testbed__sectors__code=self.sector)
        return trials


def programme_trials(programme: Programme, filters: PortfolioFilter) -> QuerySet[Trial]:
    return filters.apply(Trial.objects.filter(programme=programme)).distinct()


def _counts(trials: QuerySet[Trial], key: str) -> dict[str, int]:
    ids = trials.values("pk")
    rows = (
        Trial.objects.filter(pk__in=ids)
        .values(key)
        .annotate(n=Count("pk", distinct=True))
        .order_by(key)
    )
    return {row[key]: row["n"] for row in rows if row[key]}


def by_status(trials: QuerySet[Trial]) -> list[tuple[str, str, int]]:
    counts = _counts(trials, "status")
    return [(code, str(label), counts.get(code, 0)) for code, label in TrialStatus.choices]


def by_region(trials: QuerySet[Trial]) -> list[tuple[str, str, int]]:
    counts = _counts(trials, "testbed__region")
    return [(code, str(label), counts[code]) for code, label in Region.choices if code in counts]


def by_sector(trials: QuerySet[Trial]) -> list[tuple[str, str, int]]:
    """A trial counts under each sector of its test bed."""
    counts = _counts(trials, "testbed__sectors__code")
    return [
        (code, str(label), counts[code]) for code, label in SectorCode.choices if code in counts
    ]


def latest_measurement() -> Subquery:
    return Subquery(
        Measurement.objects.filter(kpi=OuterRef("pk")).order_by("-date", "-id").values("value")[:1],
        output_field=DecimalField(max_digits=14, decimal_places=4),
    )


def kpis_with_met(kpis: QuerySet[Kpi]) -> QuerySet[Kpi]:
    """KPIs annotated with their latest value and met = 1/0 (null when never measured)."""
    return kpis.annotate(latest=latest_measurement()).annotate(
        met=Case(
            When(latest__isnull=True, then=Value(None)),
            When(direction=Kpi.Direction.HIGHER, latest__gte=F("target"), then=Value(1)),
            When(direction=Kpi.Direction.LOWER, latest__lte=F("target"), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    )


@dataclass
class KpiSuccess:
    kpis: int
    measured: int
    met: int

    @property
    def share(self) -> float | None:
        return self.met / self.kpis if self.kpis else None


def kpi_success(trials: QuerySet[Trial]) -> KpiSuccess:
    """Among submitted trials: how many KPIs met their target (unmeasured ones count as not met)."""
    kpis = kpis_with_met(
        Kpi.objects.filter(trial__in=trials.filter(status__in=SUBMITTED).values("pk"))
    )
    totals = kpis.aggregate(
        kpi_count=Count("pk"),
        measured_count=Count("pk", filter=Q(latest__isnull=False)),
        met_count=Coalesce(Sum("met"), 0),
    )
    return KpiSuccess(
        kpis=totals["kpi_count"], measured=totals["measured_count"], met=totals["met_count"]
    )


@dataclass
class TrlProgress:
    trials: int
    average_start: float | None
    average_achieved: float | None
    gains: dict[int, int] = field(default_factory=dict)  # levels gained → number of trials


def trl_progression(trials: QuerySet[Trial]) -> TrlProgress:
    with_both = Trial.objects.filter(
        pk__in=trials.values("pk"), trl_start__isnull=False, trl_achieved__isnull=False
    )
    averages = with_both.aggregate(
        n=Count("pk"), start=Avg("trl_start"), achieved=Avg("trl_achieved")
    )
    gains = (
        with_both.annotate(gain=F("trl_achieved") - F("trl_start"))
        .values("gain")
        .annotate(n=Count("pk"))
        .order_by("gain")
    )
    return TrlProgress(
        trials=averages["n"],
        average_start=averages["start"],
        average_achieved=averages["achieved"],
        gains={row["gain"]: row["n"] for row in gains},
    )


class MedianOf(Aggregate):
    """PostgreSQL's median of an expression (an interval here)."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def median_duration(queryset: QuerySet, start: str, end: str) -> datetime.timedelta | None:
    """The median of end − start over rows where both are set: PostgreSQL's percentile_cont,
    elsewhere read as the middle row(s)."""
    if connection.vendor == "postgresql":
        return queryset.filter(**{f"{start}__isnull": False, f"{end}__isnull": False}).aggregate(
            middle=MedianOf(ExpressionWrapper(F(end) - F(start), DurationField()))
        )["middle"]
    durations = (
        queryset.filter(**{f"{start}__isnull": False, f"{end}__isnull": False})
        .annotate(took=ExpressionWrapper(F(end) - F(start), output_field=DurationField()))
        .order_by("took", "pk")
        .values_list("took", flat=True)
    )
    count = durations.count()
    if not count:
        return None
    middle = list(durations[(count - 1) // 2 : count // 2 + 1])
    return sum(middle, datetime.timedelta()) / len(middle)


def median_durations_by(
    queryset: QuerySet, group: str, start: str, end: str
) -> dict[object, datetime.timedelta]:
    """The median of end − start for each value of ``group``, in one query.

    On PostgreSQL, its ordered-set aggregate ``percentile_cont(0.5)`` (the mean of the two
    middle values, as below). Elsewhere each group's rows are numbered in order of duration
    (a window function, which SQLite has too); only the middle row(s) of each group come
    back, so at most two rows a group.
    """
    if connection.vendor == "postgresql":
        rows = (
            queryset.filter(**{f"{start}__isnull": False, f"{end}__isnull": False})
            .values(group)
            .annotate(middle=MedianOf(ExpressionWrapper(F(end) - F(start), DurationField())))
            .order_by()
            .values_list(group, "middle")
        )
        return dict(rows)
    durations = (
        queryset.filter(**{f"{start}__isnull": False, f"{end}__isnull": False})
        .annotate(
            took=ExpressionWrapper(F(end) - F(start), output_field=DurationField()),
        )
        .annotate(
            position=Window(
                RowNumber(), partition_by=[F(group)], order_by=[F("took").asc(), F("pk").asc()]
            ),
            group_size=Window(Count("pk"), partition_by=[F(group)]),
        )
        .filter(
            Q(position=(F("group_size") + 1) / 2) | Q(position=F("group_size") / 2 + 1),
        )
        .values_list(group, "took")
    )
    middles: dict[object, list[datetime.timedelta]] = {}
    for key, took in durations:
        middles.setdefault(key, []).append(took)
    return {key: sum(values, datetime.timedelta()) / len(values) for key, values in middles.items()}


def days(duration: datetime.timedelta | None) -> float | None:
    return None if duration is None else round(duration.total_seconds() / 86400, 1)


@dataclass(frozen=True)
class Collaborations:
    """Start-ups working with companies in the programme's trials."""

    pairs: int  # distinct start-up–company pairs (a partner that joined, even if removed since)
    local: int  # of which the company is in the start-up's region or the test bed's


def collaborations(trials: QuerySet[Trial]) -> Collaborations:
    """Counted in one grouped query over the trials' partners."""
    near = Q(organisation__region=F("trial__organisation__region")) | Q(
        organisation__region=F("trial__testbed__region")
    )
    rows = (
        TrialPartner.objects.filter(
            trial__in=trials.values("pk"),
            organisation__kind=Organisation.Kind.COMPANY,
            accepted_at__isnull=False,
        )
        .values("trial__organisation_id", "organisation_id")
        .annotate(local=Max(Case(When(near, then=1), default=0, output_field=IntegerField())))
        .order_by()
    )
    pairs = list(rows)
    return Collaborations(pairs=len(pairs), local=sum(row["local"] for row in pairs))


@dataclass
class ProgrammeFigures:
    total: int
    by_status: list
    by_region: list
    by_sector: list
    kpi_success: KpiSuccess
    trl: TrlProgress
    median_days_to_decision: float | None
    median_days_to_acceptance: float | None
    collaborations: Collaborations = field(default_factory=lambda: Collaborations(0, 0))


def programme_figures(programme: Programme, filters: PortfolioFilter) -> ProgrammeFigures:
    trials = programme_trials(programme, filters)
    decided = Trial.objects.filter(pk__in=trials.values("pk"))
    return ProgrammeFigures(
        total=trials.count(),
        by_status=by_status(trials),
        by_region=by_region(trials),
        by_sector=by_sector(trials),
        kpi_success=kpi_success(trials),
        trl=trl_progression(trials),
        median_days_to_decision=days(median_duration(decided, "created_at", "decided_at")),
        median_days_to_acceptance=days(
            median_duration(
                decided.filter(status=TrialStatus.ACCEPTED), "completed_at", "accepted_at"
            )
        ),
        collaborations=collaborations(trials),
    )


# Providers -----------------------------------------------------------------------


def current_quarter(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """[first, last] day of the calendar quarter."""
    today = today or timezone.localdate()
    first_month = 3 * ((today.month - 1) // 3) + 1
    first = today.replace(month=first_month, day=1)
    following = (first.replace(day=28) + datetime.timedelta(days=100)).replace(day=1)
    following = following.replace(month=3 * ((following.month - 1) // 3) + 1)
    return first, following - ONE_DAY


def _overlap_days(start: str, end: str, period_start: datetime.date, period_end: datetime.date):
    """Days of [start, end) inside the period, as an integer-valued duration expression."""
    return ExpressionWrapper(
        Greatest(
            Least(F(end), Value(period_end + ONE_DAY)) - Greatest(F(start), Value(period_start)),
            Value(datetime.timedelta(0)),
        ),
        output_field=DurationField(),
    )


@dataclass
class Utilisation:
    testbed: TestBed
    booked_days: float  # place-days held by confirmed bookings in the period
    bookable_days: float  # open days × capacity
    share: float | None


def utilisation(
    testbeds: QuerySet[TestBed], period_start: datetime.date, period_end: datetime.date
) -> list[Utilisation]:
    """Booked place-days over bookable place-days (capacity × days not closed) per test bed."""
    period_days = (period_end - period_start).days + 1
    booked = (
        Booking.objects.filter(
            testbed=OuterRef("pk"),
            status=Booking.Status.CONFIRMED,
            start__lte=period_end,
            end__gt=period_start,
        )
        .annotate(d=_overlap_days("start", "end", period_start, period_end))
        .values("testbed")
        .annotate(total=Sum("d"))
        .values("total")
    )
    closed = (
        Blackout.objects.filter(testbed=OuterRef("pk"), start__lte=period_end, end__gt=period_start)
        .annotate(d=_overlap_days("start", "end", period_start, period_end))
        .values("testbed")
        .annotate(total=Sum("d"))
        .values("total")
    )
    rows = testbeds.annotate(
        booked=Subquery(booked, output_field=DurationField()),
        closed=Subquery(closed, output_field=DurationField()),
    ).order_by("name", "pk")
    result = []
    for testbed in rows:
        booked_days = (testbed.booked or datetime.timedelta()).days
        open_days = period_days - (testbed.closed or datetime.timedelta()).days
        bookable = max(open_days, 0) * testbed.capacity
        result.append(
            Utilisation(
                testbed=testbed,
                booked_days=booked_days,
                bookable_days=bookable,
                share=booked_days / bookable if bookable else None,
            )
        )
    return result


def outcomes_on(testbeds: QuerySet[TestBed]) -> QuerySet[Trial]:
    """Finished trials on these test beds with what they concluded."""
    return (
        Trial.objects.filter(testbed__in=testbeds, status__in=[TrialStatus.COMPLETED, *SUBMITTED])
        .select_related("organisation", "testbed")
        .order_by("-completed_at", "-pk")
    )


def running_on(testbeds: QuerySet[TestBed]) -> QuerySet[Trial]:
    return (
        Trial.objects.filter(testbed__in=testbeds, status=TrialStatus.ACTIVE)
        .select_related("organisation", "testbed", "booking")
        .order_by("booking__end", "pk")
    )
