"""Real threads, real transactions: capacity holds whatever the number of simultaneous
requests or approvers. Runs on both databases (CI runs the suite on each)."""

import datetime
import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone

from core.exceptions import Conflict
from testbeds.models import Booking
from tests.factories import MembershipFactory, OrganisationFactory, TestBedFactory
from trials import services
from trials.models import Trial

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

THREADS = 50
TODAY = timezone.localdate()


def d(days: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=days)


def run_at_once(work, count: int) -> list:
    """Run work(i) in `count` threads released together by a barrier; collect outcomes."""
    barrier = threading.Barrier(count)
    outcomes: list = [None] * count

    def runner(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            outcomes[index] = work(index)
        except Exception as error:  # noqa: BLE001 — every outcome is checked below
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def startups(count: int) -> list:
    return [
        MembershipFactory(organisation=OrganisationFactory(start_up=True), admin=True)
        for _ in range(count)
    ]


@pytest.mark.parametrize("capacity", [1, 3])
def test_simultaneous_requests_confirm_exactly_capacity(capacity):
    testbed = TestBedFactory(capacity=capacity, requires_approval=False)
    members = startups(THREADS)

    def work(index: int):
        member = members[index]
        return services.trial_request(
            actor=member.user,
            organisation=member.organisation,
            testbed=testbed,
            title=f"Trial {index}",
            summary="Same days as everyone",
            first_day=d(10),
            last_day=d(20),
        )

    outcomes = run_at_once(work, THREADS)
    confirmed = [o for o in outcomes if isinstance(o, Trial)]
    refused = [o for o in outcomes if isinstance(o, Conflict)]
    others = [o for o in outcomes if not isinstance(o, Trial | Conflict)]
    assert others == []
    assert len(confirmed) == capacity
    assert len(refused) == THREADS - capacity
    assert Booking.objects.filter(testbed=testbed, status="confirmed").count() == capacity
    assert Trial.objects.filter(testbed=testbed).count() == capacity


def test_two_approvers_racing_approve_only_one():
    testbed = TestBedFactory(capacity=1)
    provider = MembershipFactory(organisation=testbed.organisation, admin=True)
    colleague = MembershipFactory(organisation=testbed.organisation)
    members = startups(2)
    trials = [
        services.trial_request(
            actor=m.user,
            organisation=m.organisation,
            testbed=testbed,
            title="Overlap",
            summary="x",
            first_day=d(10),
            last_day=d(20),
        )
        for m in members
    ]
    approvers = [provider.user, colleague.user]

    def work(index: int):
        return services.trial_approve(actor=approvers[index], trial=trials[index])

    outcomes = run_at_once(work, 2)
    assert sorted(type(o).__name__ for o in outcomes) == ["Conflict", "Trial"]
    assert Booking.objects.filter(testbed=testbed, status="confirmed").count() == 1


def test_many_approvers_on_capacity_three():
    testbed = TestBedFactory(capacity=3)
    provider = MembershipFactory(organisation=testbed.organisation, admin=True)
    members = startups(12)
    trials = [
        services.trial_request(
            actor=m.user,
            organisation=m.organisation,
            testbed=testbed,
            title="Overlap",
            summary="x",
            first_day=d(10 + i % 3),
            last_day=d(20),
        )
        for i, m in enumerate(members)
    ]

    outcomes = run_at_once(
        lambda i: services.trial_approve(actor=provider.user, trial=trials[i]), 12
    )
    assert sum(isinstance(o, Trial) for o in outcomes) == 3
    assert all(isinstance(o, Trial | Conflict) for o in outcomes)


def test_raw_insert_that_bypasses_the_service_is_rejected_by_postgres():
    """The exclusion constraint is the backstop: no code path can double-book a unit."""
    if connection.vendor != "postgresql":
        # SQLite has no exclusion constraints: there the IMMEDIATE transaction and the
        # service's re-count are the guard (the threaded tests above).
        pytest.skip("PostgreSQL's constraint; runs in CI's PostgreSQL pass")
    testbed = TestBedFactory(capacity=1)
    organisation = OrganisationFactory(start_up=True)
    Booking.objects.create(
        testbed=testbed,
        organisation=organisation,
        start=d(10),
        end=d(20),
        status="confirmed",
        unit=1,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(
            testbed=testbed,
            organisation=organisation,
            start=d(15),
            end=d(25),
            status="confirmed",
            unit=1,
        )
    # Back-to-back on the same unit is fine: the ranges are half-open.
    Booking.objects.create(
        testbed=testbed,
        organisation=organisation,
        start=d(20),
        end=d(25),
        status="confirmed",
        unit=1,
    )
