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
    # No KPIs sent: none counted. The start-up came from the session's memberships.
    assert not any('"trials_kpi"' in query for query in sql)
    assert sum('FROM "accounts_organisation"' in query for query in sql) == 0


def test_a_refused_request_reads_nine_queries(client, startup, at_once):
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
    # Session, person, memberships (middleware); the test bed; the service's membership
    # check; an earlier request of the same start-up; the days' loads; closures; free runs.
    assert len(sql) == 9, sql


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

    answers = iter([True, False])
    monkeypatch.setattr(capacity, "has_room", lambda *args: next(answers))
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
