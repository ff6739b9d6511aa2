"""Double requests at the same moment, with real threads and transactions (issue 21, item 2).

Runs on both databases; CI runs it on PostgreSQL, where the threads really overlap.
"""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from accounts.tokens import token_create
from core.exceptions import Conflict
from testbeds.models import Booking
from tests.factories import MembershipFactory, OrganisationFactory, TestBedFactory
from tests.trials.test_concurrency import run_at_once
from trials import services
from trials.models import Trial

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

THREADS = 12
TODAY = timezone.localdate()


def d(days: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=days)


@pytest.mark.parametrize("requires_approval", [True, False])
def test_simultaneous_identical_requests_make_one_trial(requires_approval):
    testbed = TestBedFactory(capacity=5, requires_approval=requires_approval)
    member = MembershipFactory(organisation=OrganisationFactory(start_up=True), admin=True)

    def work(index: int):
        return services.trial_request(
            actor=member.user,
            organisation=member.organisation,
            testbed=testbed,
            title="Air quality sensing",
            summary="Double click",
            first_day=d(10),
            last_day=d(20),
        )

    outcomes = run_at_once(work, THREADS)
    made = [o for o in outcomes if isinstance(o, Trial)]
    refused = [o for o in outcomes if isinstance(o, Conflict)]
    assert [o for o in outcomes if not isinstance(o, Trial | Conflict)] == []
    assert len(made) == 1
    assert {error.code for error in refused} == {"duplicate_request"}
    assert Trial.objects.count() == 1
    assert Booking.objects.count() == 1


def test_simultaneous_api_posts_with_one_idempotency_key_make_one_trial():
    testbed = TestBedFactory(capacity=5)
    member = MembershipFactory(organisation=OrganisationFactory(start_up=True), admin=True)
    _, raw = token_create(actor=member.user, name="test", scope="write")
    body = {
        "testbed": testbed.slug,
        "title": "Air quality sensing",
        "summary": "A client retrying",
        "first_day": d(10).isoformat(),
        "last_day": d(20).isoformat(),
    }

    def work(index: int):
        client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
        response = client.post(
            "/api/v1/trials/",
            body,
            content_type="application/json",
            headers={"Idempotency-Key": "one-key"},
        )
        return response.status_code, response.json()

    outcomes = run_at_once(work, THREADS)
    assert all(isinstance(o, tuple) for o in outcomes), outcomes
    statuses = [status for status, _ in outcomes]
    assert set(statuses) <= {201, 409}, outcomes
    created = [answer for status, answer in outcomes if status == 201]
    assert created and len({answer["id"] for answer in created}) == 1  # replays of one answer
    in_progress = [answer for status, answer in outcomes if status == 409]
    assert {answer["code"] for answer in in_progress} <= {"idempotency_key_in_progress"}
    assert Trial.objects.count() == 1
