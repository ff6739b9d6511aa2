"""A challenge with 500 applications and 10 assessors: the ranking page and the CSV exports.

    .venv/bin/python bench/bench_challenges.py [--applications 500] [--runs 15] [--json PATH]

Runs against its own PostgreSQL database (BENCH_DB_CHALLENGES, default tbx_bench_challenges
on 127.0.0.1, created and migrated if missing). The challenge is seeded once: 500 submitted
applications (one start-up each), 10 assessors who each declared no conflict on every
application except one in ten (conflicted) and submitted a score on each of its 4 criteria,
so about 18,000 scores. The rows are bulk-inserted (bench data, not behaviour: the services
are exercised by the tests). Each page is fetched through Django's test client as the owner,
and the query count is recorded with it; the tests assert that the count does not grow with
the number of applications (tests/challenges/test_assessment.py).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    PG,
    Result,
    ensure_database,
    percentile,
    setup_in_process,
    timed_runs,
    write_results,
)

TITLE = "Bench challenge: 500 applications"


def database_url() -> str:
    return os.environ.get("BENCH_DB_CHALLENGES", f"{PG}/tbx_bench_challenges")


def seed(applications: int, assessors: int):
    """The bench challenge and its owner, created once."""
    import datetime

    from django.utils import timezone

    from accounts.models import Membership, Organisation, User
    from challenges import services
    from challenges.models import (
        Application,
        Assessment,
        Assessor,
        Challenge,
        ConflictDeclaration,
        Score,
    )
    from testbeds.models import TestBed

    owner_user = User.objects.filter(email="bench-owner@bench.test").first()
    challenge = Challenge.objects.filter(title=TITLE).first()
    if challenge is not None and challenge.applications.count() == applications:
        return challenge, owner_user
    if owner_user is None:
        owner_user = User.objects.create_user("bench-owner@bench.test", "bench", full_name="Owner")
        body = Organisation.objects.create(
            kind="public_body", name="Bench Council", slug="bench-council", region="north-east"
        )
        Membership.objects.create(user=owner_user, organisation=body, role="admin")
    body = owner_user.memberships.get().organisation
    testbed = TestBed.objects.filter(slug="bench-challenge-bed").first() or TestBed.objects.create(
        organisation=body,
        name="Bench challenge bed",
        slug="bench-challenge-bed",
        summary="S",
        region="north-east",
        status="published",
        capacity=5,
        contact_email="bed@bench.test",
    )
    challenge = services.challenge_create(
        actor=owner_user,
        owner=body,
        title=TITLE,
        problem="P",
        closes_at=timezone.now() + datetime.timedelta(days=30),
    )
    services.criteria_set(
        actor=owner_user,
        challenge=challenge,
        criteria=[
            {"name": "Fit", "weight": 40},
            {"name": "Evidence", "weight": 30},
            {"name": "Team", "weight": 20},
            {"name": "Value", "weight": 10},
        ],
    )
    services.testbed_link(actor=owner_user, challenge=challenge, testbed=testbed)
    services.challenge_publish(actor=owner_user, challenge=challenge)
    criteria = list(challenge.criteria.all())
    now = timezone.now()
    startups = Organisation.objects.bulk_create(
        Organisation(
            kind="start_up",
            name=f"Bench start-up {n}",
            slug=f"bench-cs-{challenge.pk}-{n}",
            region="north-east",
        )
        for n in range(applications)
    )
    rows = Application.objects.bulk_create(
        Application(
            challenge=challenge,
            organisation=startup,
            status="submitted",
            submitted_at=now,
            title=f"Proposal {n}",
            summary="S",
            plan={"objectives": "O"},
            kpis=[{"name": "K", "baseline": "1", "target": "2"}],
            testbed=testbed,
        )
        for n, startup in enumerate(startups)
    )
    panel = []
    for n in range(assessors):
        user = User.objects.create_user(f"bench-assessor-{challenge.pk}-{n}@bench.test", "bench")
        panel.append(
            Assessor.objects.create(
                challenge=challenge,
                email=user.email,
                user=user,
                token_hash=f"bench-{challenge.pk}-{n}",
                expires_at=now,
                accepted_at=now,
            )
        )
    declarations, assessments = [], []
    for a_index, assessor in enumerate(panel):
        for r_index, application in enumerate(rows):
            conflicted = (r_index + a_index) % 10 == 0
            declarations.append(
                ConflictDeclaration(
                    assessor=assessor, application=application, conflicted=conflicted
                )
            )
            if not conflicted:
                assessments.append(
                    Assessment(assessor=assessor, application=application, submitted_at=now)
                )
    ConflictDeclaration.objects.bulk_create(declarations, batch_size=2000)
    assessments = Assessment.objects.bulk_create(assessments, batch_size=2000)
    Score.objects.bulk_create(
        (
            Score(
                assessment=assessment,
                criterion=criterion,
                score=(assessment.pk + c) % 11,
                comment="ok",
            )
            for assessment in assessments
            for c, criterion in enumerate(criteria)
        ),
        batch_size=5000,
    )
    return challenge, owner_user


def measure(challenge, owner, runs: int) -> list[Result]:
    from django.db import connection
    from django.test import Client

    client = Client()
    client.force_login(owner)
    results = []
    for label, url in (
        ("ranking page", f"/challenges/{challenge.slug}/ranking/"),
        ("applications CSV", f"/challenges/{challenge.slug}/applications.csv"),
        ("scores CSV", f"/challenges/{challenge.slug}/scores.csv"),
    ):

        def fetch(url=url):
            response = client.get(url)
            assert response.status_code == 200, response.status_code
            if hasattr(response, "streaming_content"):
                return b"".join(response.streaming_content)
            return response.content

        executed: list[str] = []

        def count(execute, sql, params, many, context, executed=executed):
            executed.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            body = fetch()
        timings = timed_runs(fetch, runs, warmup=2)
        median = statistics.median(timings)
        print(
            f"{label}: median {median:.0f} ms, p95 {percentile(timings, 0.95):.0f} ms, "
            f"{len(executed)} queries, {len(body) // 1024} KiB"
        )
        results.append(Result("challenges", f"{label}: median", median, "ms"))
        results.append(Result("challenges", f"{label}: queries", len(executed), ""))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=500)
    parser.add_argument("--assessors", type=int, default=10)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--json")
    args = parser.parse_args()
    url = database_url()
    ensure_database(url)
    in_process = setup_in_process(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    challenge, owner = seed(args.applications, args.assessors)
    print(f"{challenge.applications.count()} applications, {challenge.assessors.count()} assessors")
    with in_process:
        results = measure(challenge, owner, args.runs)
    write_results(args.json, results)


if __name__ == "__main__":
    main()
