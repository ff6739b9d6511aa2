"""Changes of dates race for the same days with real threads: capacity holds. Runs on both
databases (CI runs the suite on each); on PostgreSQL the row lock and the exclusion
constraint do the work, on SQLite the IMMEDIATE transactions."""

import datetime

import pytest
from django.utils import timezone

from core.exceptions import Conflict
from testbeds.availability import day_loads
from testbeds.models import Booking
from tests.factories import TestBedFactory
from tests.trials.conftest import book
from tests.trials.test_concurrency import run_at_once, startups
from trials import services
from trials.models import ChangeRequest, Trial

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TODAY = timezone.localdate()
CHANGES = 12


def d(days: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=days)


def test_twelve_changes_for_the_same_freed_days_one_wins(provider):
    """Twelve trials on capacity 1 each ask to move onto days another trial freed; all are
    approved at once; exactly one wins, the others answer 409 and keep their days."""
    testbed = TestBedFactory(organisation=provider.organisation, capacity=1)
    members = startups(CHANGES + 1)
    freeing = book(members[-1], testbed, 100, 109, provider)
    services.trial_cancel(actor=members[-1].user, trial=freeing, reason="Freed")
    changes = []
    for index, member in enumerate(members[:CHANGES]):
        trial = book(member, testbed, 10 + index * 5, 13 + index * 5, provider)
        changes.append(
            services.change_request_create(
                actor=member.user, trial=trial, first_day=d(100), last_day=d(103), reason="Move"
            )
        )

    def work(index: int):
        return services.change_request_approve(actor=provider.user, change=changes[index])

    outcomes = run_at_once(work, CHANGES)
    won = [o for o in outcomes if isinstance(o, ChangeRequest)]
    refused = [o for o in outcomes if isinstance(o, Conflict)]
    assert [o for o in outcomes if not isinstance(o, ChangeRequest | Conflict)] == []
    assert len(won) == 1 and len(refused) == CHANGES - 1
    assert ChangeRequest.objects.filter(status="approved").count() == 1
    assert ChangeRequest.objects.filter(status="pending").count() == CHANGES - 1
    testbed.refresh_from_db()
    assert max(day_loads(testbed, d(0), d(120))) == 1
    # the losers keep their old days
    for change in ChangeRequest.objects.filter(status="pending").select_related("trial__booking"):
        booking = change.trial.booking
        assert (booking.start, booking.end) == (change.old_start, change.old_end)


def test_a_change_racing_a_new_approval_never_exceeds_capacity(provider):
    """An extension onto free days and a new request for the same days are approved at the
    same moment, many times over: never more than capacity on any day."""
    testbed = TestBedFactory(organisation=provider.organisation, capacity=1)
    rounds = 6
    members = startups(2 * rounds)
    jobs = []
    for index in range(rounds):
        base = index * 20
        trial = book(members[index], testbed, base + 1, base + 5, provider)
        change = services.change_request_create(
            actor=members[index].user,
            trial=trial,
            first_day=d(base + 1),
            last_day=d(base + 12),
            reason="Longer",
        )
        rival = members[rounds + index]
        request = services.trial_request(
            actor=rival.user,
            organisation=rival.organisation,
            testbed=testbed,
            title="Rival",
            summary="S",
            first_day=d(base + 8),
            last_day=d(base + 10),
        )
        jobs += [
            lambda change=change: services.change_request_approve(
                actor=provider.user, change=change
            ),
            lambda request=request: services.trial_approve(actor=provider.user, trial=request),
        ]

    outcomes = run_at_once(lambda index: jobs[index](), len(jobs))
    assert [o for o in outcomes if not isinstance(o, ChangeRequest | Trial | Conflict)] == []
    wins = [o for o in outcomes if not isinstance(o, Conflict)]
    assert len(wins) == rounds  # one of each pair
    testbed.refresh_from_db()
    assert max(day_loads(testbed, d(0), d(rounds * 20 + 20))) == 1
    rivals_won = sum(isinstance(o, Trial) for o in outcomes)
    assert Booking.objects.filter(testbed=testbed, status="confirmed").count() == (
        rounds + rivals_won
    )
