"""Adoption changes racing with real threads: one interest per body, one version number per
decision, one submission per report. Runs on both databases (CI runs the suite on each); on
PostgreSQL the row lock on the adoption record (and the partial unique constraint on open
interests) do the work, on SQLite the IMMEDIATE transactions."""

from __future__ import annotations

import pytest

from adoption import services
from adoption.models import AdoptionDecision, ImpactReport, Interest
from core.exceptions import Conflict
from tests.adoption.conftest import adopted
from tests.conftest import on_postgres
from tests.factories import MembershipFactory
from tests.trials.test_concurrency import run_at_once

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    # Real threads on SQLite's shared in-memory test database wait on table locks in the
    # whole suite; the row locks and the partial unique index are PostgreSQL's to test.
    pytest.mark.skipif(not on_postgres(), reason="real-thread races run on PostgreSQL"),
]

THREADS = 8


def test_one_interest_per_body_however_many_ask_at_once(world):
    from tests.adoption.conftest import publish

    publish(world)
    members = [world.other_body] + [
        MembershipFactory(organisation=world.other_body.organisation) for _ in range(THREADS - 1)
    ]

    def work(index: int):
        return services.interest_register(actor=members[index].user, adoption=world.adoption)

    outcomes = run_at_once(work, THREADS)
    assert sum(isinstance(o, Interest) for o in outcomes) == 1, outcomes
    assert all(isinstance(o, Interest | Conflict) for o in outcomes), outcomes
    assert Interest.objects.filter(withdrawn_at__isnull=True).count() == 1


def test_simultaneous_decisions_get_distinct_versions(world):
    members = [world.provider] + [
        MembershipFactory(organisation=world.provider.organisation) for _ in range(THREADS - 1)
    ]

    def work(index: int):
        return services.adoption_decide(
            actor=members[index].user,
            adoption=world.adoption,
            **adopted(sites=index + 1),
        )

    outcomes = run_at_once(work, THREADS)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    numbers = sorted(AdoptionDecision.objects.values_list("number", flat=True))
    assert numbers == list(range(1, THREADS + 1))
    world.adoption.refresh_from_db()
    assert world.adoption.version == THREADS


def test_a_report_is_submitted_once(world):
    from tests.adoption.test_services import report_data

    report = world.adoption.reports.get(months=6)
    data = report_data(world)

    def work(index: int):
        return services.impact_report_submit(actor=world.startup.user, report=report, **data)

    outcomes = run_at_once(work, 4)
    assert sum(isinstance(o, ImpactReport) for o in outcomes) == 1, outcomes
    assert all(isinstance(o, ImpactReport | Conflict) for o in outcomes), outcomes
