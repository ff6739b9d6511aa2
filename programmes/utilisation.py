"""How much the test beds used in a programme are booked, month by month, for its officers.

"Used in the programme": a test bed on which any of the programme's trials was requested.
Booked days count every confirmed booking on the test bed, not only the programme's (a
test bed's free days are public in its calendar anyway); requests, decisions, lead times and
decline rates count only the programme's own trials, requested in the period.

A fixed number of queries whatever the number of trials or test beds: one for the test
beds, one each for booked and closed days (a column per month), one for the programme's
requests per test bed, one for their median lead times and two for the overall median.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, DurationField, Q, QuerySet, Sum

from accounts.models import Programme
from testbeds.models import Blackout, Booking, TestBed
from trials.models import Trial, TrialStatus

from .filters import FigureFilter, add_months, month_start
from .portfolio import _overlap_days, days, median_duration, median_durations_by


@dataclass
class MonthUse:
    """Booked place-days and bookable place-days (open days × capacity) in one month."""

    month: datetime.date  # its first day
    booked: int = 0
    bookable: int = 0

    @property
    def share(self) -> float | None:
        return self.booked / self.bookable if self.bookable else None


@dataclass
class Requests:
    """The programme's requests in the period: how many, decided, declined, how fast."""

    made: int = 0
    decided: int = 0
    declined: int = 0
    median_lead_days: float | None = None

    @property
    def decline_rate(self) -> float | None:
        return self.declined / self.decided if self.decided else None


@dataclass
class TestBedUse:
    __test__ = False  # not a pytest test class, despite the name

    testbed: TestBed
    months: list[MonthUse]
    requests: Requests = field(default_factory=Requests)

    @property
    def booked(self) -> int:
        return sum(month.booked for month in self.months)

    @property
    def bookable(self) -> int:
        return sum(month.bookable for month in self.months)

    @property
    def share(self) -> float | None:
        return self.booked / self.bookable if self.bookable else None

    @property
    def idle(self) -> bool:
        return self.booked == 0


@dataclass
class ProgrammeUtilisation:
    first: datetime.date
    last: datetime.date
    months: list[MonthUse]  # every test bed together
    testbeds: list[TestBedUse]
    requests: Requests

    @property
    def booked(self) -> int:
        return sum(month.booked for month in self.months)

    @property
    def bookable(self) -> int:
        return sum(month.bookable for month in self.months)

    @property
    def share(self) -> float | None:
        return self.booked / self.bookable if self.bookable else None

    @property
    def idle(self) -> list[TestBedUse]:
        return [use for use in self.testbeds if use.idle]


def month_spans(
    first: datetime.date, last: datetime.date
) -> list[tuple[datetime.date, datetime.date]]:
    """Each calendar month touching [first, last], clipped to it: (first day, last day)."""
    spans = []
    month = month_start(first)
    while month <= last:
        following = add_months(month, 1)
        spans.append((max(month, first), min(following - datetime.timedelta(days=1), last)))
        month = following
    return spans


def programme_testbeds(programme: Programme, filters: FigureFilter) -> QuerySet[TestBed]:
    """Test beds on which the programme's trials were requested, in the region/sector asked."""
    used = Trial.objects.filter(programme=programme).values("testbed_id")
    return TestBed.objects.filter(
        pk__in=TestBed.objects.filter(pk__in=used).filter(filters.testbed_q(prefix="")).values("pk")
    )


def _days_by_month(rows: QuerySet, spans: list) -> dict[int, list[int]]:
    """testbed id → days of [start, end) inside each month span, summed over the rows."""
    sums = {
        f"m{index}": Sum(_overlap_days("start", "end", first, last), output_field=DurationField())
        for index, (first, last) in enumerate(spans)
    }
    result = {}
    for row in rows.values("testbed_id").annotate(**sums).order_by("testbed_id"):
        result[row["testbed_id"]] = [
            (row[f"m{index}"] or datetime.timedelta()).days for index in range(len(spans))
        ]
    return result


def _requests_by_testbed(trials: QuerySet[Trial]) -> dict[int, Requests]:
    rows = (
        trials.values("testbed_id")
        .annotate(
            made=Count("pk"),
            decided=Count("pk", filter=Q(decided_at__isnull=False)),
            declined=Count("pk", filter=Q(status=TrialStatus.DECLINED)),
        )
        .order_by("testbed_id")
    )
    medians = median_durations_by(trials, "testbed_id", "created_at", "decided_at")
    return {
        row["testbed_id"]: Requests(
            made=row["made"],
            decided=row["decided"],
            declined=row["declined"],
            median_lead_days=days(medians.get(row["testbed_id"])),
        )
        for row in rows
    }


def programme_utilisation(programme: Programme, filters: FigureFilter) -> ProgrammeUtilisation:
    """Booked/open days per month for each test bed used in the programme, and overall."""
    first, last = filters.period_start, filters.period_end
    assert first is not None and last is not None, "utilisation needs a period"
    spans = month_spans(first, last)
    testbeds = list(
        programme_testbeds(programme, filters).select_related("organisation").order_by("name", "pk")
    )
    ids = [testbed.pk for testbed in testbeds]
    booked = _days_by_month(
        Booking.objects.filter(
            testbed_id__in=ids,
            status=Booking.Status.CONFIRMED,
            start__lte=last,
            end__gt=first,
        ),
        spans,
    )
    closed = _days_by_month(
        Blackout.objects.filter(testbed_id__in=ids, start__lte=last, end__gt=first), spans
    )
    trials = filters.in_period(
        Trial.objects.filter(programme=programme, testbed_id__in=ids), "created_at"
    )
    requests = _requests_by_testbed(trials)
    zeros = [0] * len(spans)
    uses = []
    for testbed in testbeds:
        months = []
        for index, (span_first, span_last) in enumerate(spans):
            open_days = (span_last - span_first).days + 1 - closed.get(testbed.pk, zeros)[index]
            months.append(
                MonthUse(
                    month=month_start(span_first),
                    booked=booked.get(testbed.pk, zeros)[index],
                    bookable=max(open_days, 0) * testbed.capacity,
                )
            )
        uses.append(
            TestBedUse(
                testbed=testbed, months=months, requests=requests.get(testbed.pk, Requests())
            )
        )
    overall_months = [
        MonthUse(
            month=month_start(span_first),
            booked=sum(use.months[index].booked for use in uses),
            bookable=sum(use.months[index].bookable for use in uses),
        )
        for index, (span_first, _span_last) in enumerate(spans)
    ]
    overall = Requests(
        made=sum(r.made for r in requests.values()),
        decided=sum(r.decided for r in requests.values()),
        declined=sum(r.declined for r in requests.values()),
        median_lead_days=days(median_duration(trials, "created_at", "decided_at")),
    )
    return ProgrammeUtilisation(
        first=first, last=last, months=overall_months, testbeds=uses, requests=overall
    )
