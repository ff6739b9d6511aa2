"""The test bed page keeps its main column as a fragment shared by everyone who may see it
(issue 20): what it costs, what changes it, and what stays per person."""

import datetime

import pytest
from django.utils import timezone

from testbeds import services
from tests.factories import MembershipFactory, OrganisationFactory, TestBedFactory


@pytest.fixture
def testbed(provider):
    return TestBedFactory(organisation=provider.organisation)


def page(client, testbed, **params) -> str:
    response = client.get(f"/testbeds/{testbed.slug}/", params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_a_kept_main_column_costs_no_query(client, startup, testbed, django_assert_num_queries):
    client.force_login(startup.user)
    first = page(client, testbed)
    # Session, person with memberships, the test bed with its public body, unread counts.
    with django_assert_num_queries(4):
        again = page(client, testbed)
    assert first == again
    assert "Health and care" in again and 'aria-current="date"' in again


@pytest.mark.django_db
def test_a_closure_shows_at_once(
    client, startup, provider, testbed, django_capture_on_commit_callbacks
):
    client.force_login(startup.user)
    assert "Closed" not in page(client, testbed)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    if tomorrow.month != timezone.localdate().month:
        tomorrow = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        services.blackout_add(
            actor=provider.user,
            testbed=testbed,
            first_day=tomorrow,
            last_day=tomorrow,
            reason="Road works",
        )
    assert 'title="Road works"' in page(client, testbed)


@pytest.mark.django_db
def test_the_side_column_is_each_persons_own(client, startup, provider, testbed):
    client.force_login(startup.user)
    html = page(client, testbed)
    assert "Request a trial" in html and "Manage this test bed" not in html
    client.force_login(provider.user)
    html = page(client, testbed)
    assert "Manage this test bed" in html and "Request a trial" not in html
    stranger = MembershipFactory(organisation=OrganisationFactory(public_body=True))
    client.force_login(stranger.user)
    html = page(client, testbed)
    assert "Manage this test bed" not in html and "Switch to your start-up" in html


@pytest.mark.django_db
def test_each_language_and_month_has_its_own_column(client, startup, testbed):
    client.force_login(startup.user)
    english = page(client, testbed)
    client.cookies["django_language"] = "cy"
    welsh = page(client, testbed)
    assert "Availability" in english and "Availability" not in welsh
    later = (timezone.localdate().replace(day=1) + datetime.timedelta(days=40)).replace(day=1)
    shown = page(client, testbed, month=later.strftime("%Y-%m"))
    assert 'aria-current="date"' not in shown
