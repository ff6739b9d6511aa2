"""Reads of adoption records, the public outcomes register and the programme's figures.

Unpublished adoption data is seen by the trial's start-up, the test bed's public body, the
programme's officers and staff (``services.can_see_private``); to anyone else it does not
exist (404). The register shows an outcome only while both parties agree.
"""

from __future__ import annotations

import datetime
import re
import statistics
from collections import Counter
from decimal import Decimal

from django.db.models import (
    Count,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from testbeds.models import TestBed
from trials.models import EvidencePack, Kpi, Measurement, Trial, TrialStatus

from .models import (
    Adoption,
    AdoptionStatus,
    ImpactReport,
    Interest,
    NotAdoptedReason,
)
from .services import can_see_private


def adoption_for_viewer(user: User | None, trial_pk: int) -> Adoption:
    adoption = (
        Adoption.objects.select_related(
            "trial__organisation",
            "trial__testbed__organisation",
            "trial__programme__team",
            "trial__booking",
        )
        .filter(trial__pk=trial_pk)  # not trial_id: it skips the range check
        .first()
    )
    if adoption is None or not can_see_private(user, adoption.trial):
        raise Http404
    return adoption


def report_for_viewer(user: User | None, pk: int) -> ImpactReport:
    report = (
        ImpactReport.objects.select_related(
            "adoption__trial__organisation",
            "adoption__trial__testbed__organisation",
            "adoption__trial__programme__team",
            "adoption__trial__booking",
        )
        .filter(pk=pk)
        .first()
    )
    if report is None or not can_see_private(user, report.adoption.trial):
        raise Http404
    return report


def open_interests(adoption: Adoption) -> QuerySet[Interest]:
    return adoption.interests.filter(withdrawn_at__isnull=True).select_related("organisation")


# The register -------------------------------------------------------------------------


def published() -> QuerySet[Adoption]:
    return Adoption.objects.filter(published_at__isnull=False, trial__status=TrialStatus.ACCEPTED)


def outcome_for_anyone(pk: int) -> Adoption:
    adoption = with_register_data(published().filter(pk=pk)).first()
    if adoption is None:
        raise Http404
    return adoption


def filter_outcomes(
    outcomes: QuerySet[Adoption],
    *,
    region: str = "",
    sector: str = "",
    technology: str = "",
    status: str = "",
    q: str = "",
) -> QuerySet[Adoption]:
    if region:
        outcomes = outcomes.filter(trial__testbed__region=region)
    if sector:
        outcomes = outcomes.filter(
            trial__testbed__in=TestBed.objects.filter(sectors__code=sector).values("pk")
        )
    if technology:
        outcomes = outcomes.filter(
            trial__testbed__in=TestBed.objects.filter(technologies__code=technology).values("pk")
        )
    if status in AdoptionStatus.values:
        outcomes = outcomes.filter(status=status)
    words = [w for w in re.split(r"\s+", (q or "").replace("\x00", "").strip()) if w][:8]
    for word in words:
        outcomes = outcomes.filter(
            Q(register_summary__icontains=word)
            | Q(register_summary_cy__icontains=word)
            | Q(register_title_cy__icontains=word)
            | Q(trial__title__icontains=word)
            | Q(trial__product_name__icontains=word)
            | Q(trial__organisation__name__icontains=word)
            | Q(trial__testbed__name__icontains=word)
            | Q(trial__testbed__name_cy__icontains=word)
            | Q(trial__testbed__organisation__name__icontains=word)
        )
    return outcomes


def _kpis_with_latest() -> QuerySet[Kpi]:
    latest = Measurement.objects.filter(kpi=OuterRef("pk")).order_by("-date", "-id")
    return Kpi.objects.annotate(latest=Subquery(latest.values("value")[:1])).order_by(
        "trial", "position", "id"
    )


def with_register_data(outcomes: QuerySet[Adoption]) -> QuerySet[Adoption]:
    """Everything a register row shows, in a fixed number of queries."""
    final_pack = EvidencePack.objects.filter(trial=OuterRef("trial_id"), is_final=True).order_by(
        "-version"
    )
    return (
        outcomes.select_related(
            "trial__organisation",
            "trial__booking",
            "trial__testbed__organisation",
            "trial__challenge_application__challenge",
        )
        .prefetch_related(
            "trial__testbed__sectors",
            "trial__testbed__technologies",
            Prefetch("trial__kpis", queryset=_kpis_with_latest(), to_attr="kpis_with_latest"),
        )
        .annotate(
            pack_code=Subquery(final_pack.values("code")[:1]),
            interest_count=Count(
                "interests", filter=Q(interests__withdrawn_at__isnull=True), distinct=True
            ),
        )
    )


def register_rows(page_of_outcomes) -> list[Adoption]:
    """The register's data for one page only: the page is cut from the plain queryset (its
    count and LIMIT need no join or GROUP BY), then its rows are read with their details."""
    ids = [adoption.pk for adoption in page_of_outcomes]
    found = {a.pk: a for a in with_register_data(Adoption.objects.filter(pk__in=ids))}
    return [found[pk] for pk in ids if pk in found]


def kpi_rows(adoption: Adoption) -> list[dict]:
    rows = []
    for kpi in getattr(adoption.trial, "kpis_with_latest", []):
        rows.append(
            {
                "name": kpi.name,
                "unit": kpi.unit,
                "baseline": kpi.baseline,
                "target": kpi.target,
                "achieved": kpi.latest,
                "met": kpi.is_met(kpi.latest),
            }
        )
    return rows


def kpis_met(adoption: Adoption) -> tuple[int, int]:
    rows = kpi_rows(adoption)
    return sum(1 for row in rows if row["met"]), len(rows)


# Overdue reports -------------------------------------------------------------------------


def overdue_reports(trials: QuerySet[Trial]) -> QuerySet[ImpactReport]:
    today = timezone.localdate()
    return (
        ImpactReport.objects.filter(
            adoption__trial__in=trials.filter(status=TrialStatus.ACCEPTED).values("pk"),
            submitted_at__isnull=True,
            due_on__lt=today,
        )
        .select_related("adoption__trial")
        .order_by("due_on", "id")
    )


# The programme's view ----------------------------------------------------------------------


def programme_adoption(trials: QuerySet[Trial]) -> dict:
    """Accepted → decided → adopted for a set of trials (a programme's), with conversion
    rates, the median days from acceptance to the first decision, money reported, impact
    reports due and overdue, and the not-adopted reasons counted. A few aggregate queries,
    whatever the number of trials."""
    today = timezone.localdate()
    adoptions = Adoption.objects.filter(
        trial__in=trials.filter(status=TrialStatus.ACCEPTED).values("pk")
    )
    counts = adoptions.aggregate(
        accepted=Count("pk"),
        decided=Count("pk", filter=~Q(status=AdoptionStatus.UNDECIDED)),
        adopted=Count("pk", filter=Q(status=AdoptionStatus.ADOPTED)),
        procuring=Count("pk", filter=Q(status=AdoptionStatus.PROCURING)),
        extended=Count("pk", filter=Q(status=AdoptionStatus.EXTENDED_PILOT)),
        not_adopted=Count("pk", filter=Q(status=AdoptionStatus.NOT_ADOPTED)),
        contract_value=Sum(
            "contract_value",
            filter=Q(status__in=[AdoptionStatus.ADOPTED, AdoptionStatus.PROCURING]),
        ),
    )
    days = [
        (decided.date() - accepted).days
        for accepted, decided in adoptions.filter(decided_at__isnull=False).values_list(
            "accepted_on", "decided_at"
        )
    ]
    reports = ImpactReport.objects.filter(adoption__in=adoptions)
    report_counts = reports.aggregate(
        submitted=Count("pk", filter=Q(submitted_at__isnull=False)),
        late=Count("pk", filter=Q(late=True)),
        overdue=Count("pk", filter=Q(submitted_at__isnull=True, due_on__lt=today)),
        due_soon=Count(
            "pk",
            filter=Q(
                submitted_at__isnull=True,
                due_on__gte=today,
                due_on__lte=today + datetime.timedelta(days=30),
            ),
        ),
        investment=Sum("investment"),
        jobs_created=Sum("jobs_created"),
    )
    follow_on = Decimal(0)
    for contracts in reports.filter(submitted_at__isnull=False).values_list("contracts", flat=True):
        for contract in contracts or []:
            try:
                follow_on += Decimal(str(contract.get("value") or 0))
            except ArithmeticError:
                continue
    reasons: Counter = Counter()
    for codes in adoptions.filter(status=AdoptionStatus.NOT_ADOPTED).values_list(
        "reasons", flat=True
    ):
        reasons.update(codes or [])
    labels = dict(NotAdoptedReason.choices)
    accepted, decided, adopted = counts["accepted"], counts["decided"], counts["adopted"]
    return {
        **counts,
        "contract_value": counts["contract_value"] or Decimal(0),
        "decided_rate": decided / accepted if accepted else None,
        "adopted_rate": adopted / accepted if accepted else None,
        "adopted_of_decided": adopted / decided if decided else None,
        "median_days_to_decision": statistics.median(days) if days else None,
        "reports": {**report_counts, "investment": report_counts["investment"] or Decimal(0)},
        "follow_on_value": follow_on,
        "reasons": [
            {"code": code, "label": labels.get(code, code), "count": reasons[code]}
            for code in NotAdoptedReason.values
            if reasons[code]
        ],
    }
