"""The work one booking request does (issue 20): 50 start-ups asking for the same days at
once wait for each other, so each request reads what it needs once, and the test bed's lock
is held for as little as possible. Query counts are asserted so that they stay low."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tokens import token_create
from tests.factories import MembershipFactory, OrganisationFactory, TestBedFactory
from tests.trials.conftest import book

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def d(days: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=days)


def body(testbed, **extra) -> dict:
    return {
        "testbed": testbed.slug,
        "title": "Kerbside sensors",
        "summary": "Sensors on lamp posts.",
        "first_day": d(30).isoformat(),
        "last_day": d(43).isoformat(),
        **extra,
    }


@pytest.fixture
def at_once(provider):
    """A capacity-1 test bed that confirms requests at once, as in bench/contention.py."""
    return TestBedFactory(organisation=provider.organisation, capacity=1, requires_approval=False)


def post(client, payload, **headers):
    with CaptureQueriesContext(connection) as captured:
        response = client.post(
            "/api/v1/trials/", payload, content_type="application/json", **headers
        )
    return response, [query["sql"] for query in captured.captured_queries]


def test_a_request_confirmed_at_once_reads_closures_once_under_the_lock(client, startup, at_once):
    client.force_login(startup.user)
    response, sql = post(client, body(at_once))
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "approved"
    # Once, under the lock; confirming does not read them again.
    assert sum('"testbeds_blackout"' in query for query in sql) == 1
    # The days' bookings: once before the lock, once under it (loads and units together).
    assert sum('FROM "testbeds_booking"' in query for query in sql) == 2
    # No KPIs sent: none counted. The start-up came from the session's memberships.
    assert not any('"trials_kpi"' in query for query in sql)
    assert sum('FROM "accounts_organisation"' in query for query in sql) == 0


def test_a_refused_request_reads_six_queries(client, startup, at_once):
    client.force_login(startup.user)
    assert (
        client.post("/api/v1/trials/", body(at_once), content_type="application/json").status_code
        == 201
    )
    other = MembershipFactory(organisation=OrganisationFactory(start_up=True), admin=True)
    client.force_login(other.user)
    response, sql = post(client, body(at_once))
    assert response.status_code == 409
    assert response.json()["code"] == "capacity"
    assert response.json()["nearest_free_windows"]
    # Session, person with memberships (middleware); the test bed; the days' bookings (their
    # loads, and whether the start-up holds one: it does not, so its earlier requests are
    # not read); closures; free runs. The service's membership check is answered from the
    # memberships the middleware read.
    assert len(sql) == 6, sql
    assert not any('FROM "trials_trial"' in query for query in sql)
    assert sum('"accounts_membership"' in query for query in sql) == 1
    assert not any("FOR UPDATE" in query for query in sql)  # refused without the lock


def test_with_a_token_the_start_up_is_read_for_the_request(client, startup, at_once):
    _, secret = token_create(actor=startup.user, name="CI", scope="write")
    response, _sql = post(client, body(at_once), HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "approved"


def test_a_person_in_two_start_ups_names_one(client, startup, at_once):
    second = OrganisationFactory(start_up=True)
    MembershipFactory(user=startup.user, organisation=second, admin=True)
    client.force_login(startup.user)
    response, _sql = post(client, body(at_once))
    assert response.status_code == 400
    assert "organisation" in response.json()["errors"]
    response, _sql = post(client, body(at_once, organisation=second.slug))
    assert response.status_code == 201, response.json()
    assert response.json()["organisation"] in (second.slug, second.name, second.pk)


def test_days_filled_while_waiting_for_the_lock_are_refused_with_windows(
    client, startup, at_once, monkeypatch
):
    """The check before the lock passes, the one under it finds the days full (someone
    else was confirmed meanwhile): a 409 with the nearest free dates, read after the lock."""
    from testbeds import booking as capacity

    # Before the lock the days are free (room_and_own_booking reads them); under it,
    # they are found full.
    monkeypatch.setattr(capacity, "free_unit_if_room", lambda *args: 0)
    client.force_login(startup.user)
    response, _sql = post(client, body(at_once))
    assert response.status_code == 409
    assert response.json()["code"] == "capacity"
    assert response.json()["nearest_free_windows"]
    assert not at_once.bookings.exists()


def test_a_test_bed_deleted_before_the_lock_is_a_404_not_a_500(startup, at_once):
    from django.http import Http404

    from testbeds.models import TestBed
    from trials import services

    TestBed.objects.filter(pk=at_once.pk).delete()  # gone after the caller read it
    with pytest.raises(Http404):
        services.trial_request(
            actor=startup.user,
            organisation=startup.organisation,
            testbed=at_once,
            title="Kerbside sensors",
            summary="Sensors on lamp posts.",
            first_day=d(30),
            last_day=d(43),
        )


def test_a_refused_change_approval_reads_six_queries_without_the_lock(
    client, startup, provider, at_once
):
    """49 of the contention bench's 50 change approvals: the new days are full already, so
    the approval is refused before queueing for the test bed lock."""
    from trials import services

    other = MembershipFactory(organisation=OrganisationFactory(start_up=True), admin=True)
    changes = [
        services.change_request_create(
            actor=member.user,
            trial=book(member, at_once, first, first + 2),
            first_day=d(60),
            last_day=d(62),
            reason="Later",
        )
        for member, first in ((startup, 20), (other, 30))
    ]
    services.change_request_approve(actor=provider.user, change=changes[0])
    client.force_login(provider.user)
    with CaptureQueriesContext(connection) as captured:
        response = client.post(
            f"/api/v1/change-requests/{changes[1].pk}/approve/", {}, content_type="application/json"
        )
    sql = [query["sql"] for query in captured.captured_queries]
    assert response.status_code == 409, response.json()
    assert response.json()["code"] == "capacity"
    assert response.json()["nearest_free_windows"]
    # Session, person with memberships (middleware); the change with its trial, booking and
    # test bed; closures on the added days; the other bookings around (for the room on the
    # new days and the nearest dates, read once); the closures around. No lock, and no
    # membership read again: the middleware's memberships answer who may see and approve it.
    assert len(sql) == 6, sql
    assert sum('FROM "testbeds_booking"' in query for query in sql) == 1
    assert not any("FOR UPDATE" in query for query in sql)
    assert sum('"accounts_membership"' in query for query in sql) == 1
    changes[1].refresh_from_db()
    assert changes[1].status == "pending"


def test_a_request_confirmed_at_once_reads_the_webhook_endpoints_once(client, startup, at_once):
    """Three events (requested, status changed, approved) for the same parties: their
    endpoints are read once, and each event still gets its delivery."""
    from accounts.models import WebhookDelivery, WebhookEndpoint

    WebhookEndpoint.objects.create(
        organisation=startup.organisation,
        url="https://hooks.example.org/x",
        events=["booking.requested", "booking.approved", "trial.status_changed"],
    )
    client.force_login(startup.user)
    response, sql = post(client, body(at_once))
    assert response.status_code == 201, response.json()
    assert sum('FROM "accounts_webhookendpoint"' in query for query in sql) == 1
    assert sorted(WebhookDelivery.objects.values_list("event", flat=True)) == [
        "booking.approved",
        "booking.requested",
        "trial.status_changed",
    ]


@pytest.mark.parametrize("blocked", [False, True])
def test_a_change_refused_before_the_lock_offers_the_dates_change_conflict_offers(
    startup, provider, blocked
):
    """``change_refusal`` reads the bookings around once; its nearest dates are those
    ``change_conflict`` works out reading them itself, with closures and other bookings
    around, and the booking's own days counting as free."""
    from testbeds import booking as capacity
    from testbeds.models import Blackout

    testbed = TestBedFactory(
        organisation=provider.organisation, capacity=1, requires_approval=False
    )
    trials = [book(startup, testbed, first, first + 4) for first in (20, 40, 50, 70)]
    if blocked:
        Blackout.objects.create(testbed=testbed, start=d(30), end=d(36), reason="Resurfacing")
    booking = trials[0].booking
    booking.refresh_from_db()
    start, end = d(40), d(45)  # onto the second trial's days: full
    refusal = capacity.change_refusal(testbed, booking, start, end)
    expected = capacity.change_conflict(testbed, booking, start, end)
    assert refusal is not None
    assert refusal.details == expected.details
    assert refusal.message == expected.message
    assert refusal.details["nearest_free_windows"]
    # Extending onto full days: the latest end that fits, as change_conflict says it.
    extended = capacity.change_refusal(testbed, booking, booking.start, d(45))
    expected = capacity.change_conflict(testbed, booking, booking.start, d(45))
    assert extended is not None and extended.message == expected.message
    assert extended.details == expected.details
    # Days with room are not refused, moving or extending.
    assert capacity.change_refusal(testbed, booking, d(60), d(65)) is None
    assert capacity.change_refusal(testbed, booking, booking.start, d(35)) is None
