"""What ``seed_bench --accepted N`` adds: N accepted trials in one bench programme, each
with its adoption record, decision history, impact reports and register consent.

Decisions are spread as a programme might see them: 35 % adopted, 15 % procuring, 10 %
extended pilots, 20 % not adopted (one to three reasons), 20 % undecided; accepted over the
last two years; reports due at 6, 12 and 24 months, those past due mostly submitted (some
late); 60 % published in the outcomes register. Bulk inserts (``bulk_create``): the acceptance
receiver does not run for them.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from accounts.models import Organisation, Programme, Region
from adoption.models import (
    IMPACT_MONTHS,
    Adoption,
    AdoptionDecision,
    AdoptionStatus,
    ImpactReport,
    NotAdoptedReason,
    Route,
)
from adoption.services.common import add_months
from trials.models import Trial, TrialStatus

PROGRAMME_SLUG = "bench-programme-team"
STATUSES = [
    (AdoptionStatus.ADOPTED, 35),
    (AdoptionStatus.PROCURING, 15),
    (AdoptionStatus.EXTENDED_PILOT, 10),
    (AdoptionStatus.NOT_ADOPTED, 20),
    (AdoptionStatus.UNDECIDED, 20),
]


def bench_programme() -> Programme:
    team, _ = Organisation.objects.get_or_create(
        slug=PROGRAMME_SLUG,
        defaults={
            "name": "Bench programme team",
            "kind": Organisation.Kind.PROGRAMME_TEAM,
            "region": Region.NORTH_EAST,
        },
    )
    programme = Programme.objects.filter(team=team).first()
    if programme is None:
        programme = Programme.objects.create(
            team=team,
            name="Bench adoption programme",
            region_focus=Region.NORTH_EAST,
            starts_on=datetime.date(2024, 4, 1),
            ends_on=datetime.date(2028, 3, 31),
        )
    return programme


def make_adoptions(trials: list[Trial], count: int, rng: random.Random) -> dict:
    """Turn ``count`` of the trials into accepted trials of the bench programme."""
    now = timezone.now()
    today = timezone.localdate()
    programme = bench_programme()
    chosen = trials[:count]
    for trial in chosen:
        trial.status = TrialStatus.ACCEPTED
        trial.programme = programme
        trial.accepted_at = now - datetime.timedelta(days=rng.randint(1, 730))
        trial.completed_at = trial.accepted_at - datetime.timedelta(days=rng.randint(5, 40))
        trial.status_changed_at = trial.accepted_at
    Trial.objects.bulk_update(
        chosen,
        ["status", "programme", "accepted_at", "completed_at", "status_changed_at"],
        batch_size=2000,
    )
    statuses = [s for s, _w in STATUSES]
    weights = [w for _s, w in STATUSES]
    adoptions, decisions, reports = [], [], []
    for trial in chosen:
        accepted_on = timezone.localdate(trial.accepted_at)
        status = rng.choices(statuses, weights)[0]
        fields = {"status": status}
        decided_at = None
        if status != AdoptionStatus.UNDECIDED:
            decided_at = trial.accepted_at + datetime.timedelta(days=rng.randint(3, 200))
            decided_at = min(decided_at, now)
        if status == AdoptionStatus.NOT_ADOPTED:
            fields["reasons"] = sorted(
                rng.sample(NotAdoptedReason.values[:-1], rng.randint(1, 3)),
                key=NotAdoptedReason.values.index,
            )
        if status in (AdoptionStatus.ADOPTED, AdoptionStatus.PROCURING):
            fields["route"] = rng.choice(Route.values[:-1])
            if fields["route"] == Route.FRAMEWORK:
                fields["framework_name"] = "G-Cloud 14"
            fields["contract_value"] = Decimal(rng.randint(5_000, 900_000))
            fields["notice_url"] = "https://www.contractsfinder.service.gov.uk/Notice/bench"
            fields["notice_source"] = "contracts_finder"
        if status == AdoptionStatus.ADOPTED:
            fields["start_date"] = accepted_on + datetime.timedelta(days=rng.randint(30, 120))
            fields["sites"] = rng.randint(1, 200)
        published = rng.random() < 0.6
        adoptions.append(
            Adoption(
                trial_id=trial.pk,
                accepted_on=accepted_on,
                version=1 if decided_at else 0,
                decided_at=decided_at,
                adopted_at=decided_at if status == AdoptionStatus.ADOPTED else None,
                changed_at=decided_at,
                changed_by_name="Bench Provider" if decided_at else "",
                register_summary=f"{trial.title}: what it showed, in plain English."
                if published
                else "",
                startup_consent_at=now if published else None,
                provider_consent_at=now if published else None,
                published_at=trial.accepted_at + datetime.timedelta(days=30) if published else None,
                created_at=trial.accepted_at,
                **fields,
            )
        )
    adoptions = Adoption.objects.bulk_create(adoptions, batch_size=2000)
    for adoption in adoptions:
        if adoption.version:
            decisions.append(
                AdoptionDecision(
                    adoption=adoption,
                    number=1,
                    decided_by_name="Bench Provider",
                    organisation_name="Bench provider",
                    created_at=adoption.decided_at,
                    status=adoption.status,
                    reasons=adoption.reasons,
                    route=adoption.route,
                    framework_name=adoption.framework_name,
                    contract_value=adoption.contract_value,
                    start_date=adoption.start_date,
                    sites=adoption.sites,
                )
            )
        for months in IMPACT_MONTHS:
            due = add_months(adoption.accepted_on, months)
            submitted = due <= today + datetime.timedelta(days=14) and rng.random() < 0.8
            late = submitted and rng.random() < 0.2
            at = None
            if submitted:
                moment = due + datetime.timedelta(days=rng.randint(1, 30) if late else -3)
                at = timezone.make_aware(
                    datetime.datetime.combine(min(moment, today), datetime.time(12))
                )
            reports.append(
                ImpactReport(
                    adoption=adoption,
                    months=months,
                    due_on=due,
                    submitted_at=at,
                    submitted_by_name="Bench Start-up" if at else "",
                    late=late,
                    contracts=(
                        [
                            {
                                "buyer": "Another council",
                                "value": "25000.00",
                                "date": adoption.accepted_on.isoformat(),
                                "link": "",
                            }
                        ]
                        if at and rng.random() < 0.3
                        else []
                    ),
                    investment=Decimal(rng.randint(0, 2_000_000)) if at else None,
                    investment_round="Seed" if at else "",
                    jobs_created=rng.randint(0, 12) if at else None,
                )
            )
    AdoptionDecision.objects.bulk_create(decisions, batch_size=2000)
    ImpactReport.objects.bulk_create(reports, batch_size=5000)
    return {
        "accepted trials": len(chosen),
        "adoption decisions": len(decisions),
        "impact reports": len(reports),
    }
