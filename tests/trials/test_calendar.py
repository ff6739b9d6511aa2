import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from accounts import services as account_services
from tests.factories import MembershipFactory, OrganisationFactory, TestBedFactory
from trials import services

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def d(days: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=days)


@pytest.fixture
def booked(startup, provider):
    testbed = TestBedFactory(organisation=provider.organisation, capacity=2)
    approved = services.trial_request(
        actor=startup.user,
        organisation=startup.organisation,
        testbed=testbed,
        title="Approved <b>trial</b>",
        summary="Line one\nLine two; with, punctuation",
        first_day=d(10),
        last_day=d(19),
    )
    services.trial_approve(actor=provider.user, trial=approved)
    other = MembershipFactory(organisation=OrganisationFactory(start_up=True))
    pending = services.trial_request(
        actor=other.user,
        organisation=other.organisation,
        testbed=testbed,
        title="Pending trial",
        summary="x",
        first_day=d(30),
        last_day=d(35),
    )
    declined = services.trial_request(
        actor=other.user,
        organisation=other.organisation,
        testbed=testbed,
        title="Declined trial",
        summary="x",
        first_day=d(40),
        last_day=d(45),
    )
    services.trial_decline(actor=provider.user, trial=declined, reason="No")
    return testbed, approved, pending


def events(response) -> dict[str, dict]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    return {str(e["summary"]): e for e in calendar.walk("VEVENT")}


def test_test_bed_feed_lists_its_trials(client, booked):
    testbed, approved, pending = booked
    found = events(client.get(reverse("testbed_calendar", args=[testbed.calendar_token])))
    assert set(found) == {
        f"{approved.organisation.name}: Approved <b>trial</b>",
        f"{pending.organisation.name}: Pending trial",
    }
    event = found[f"{approved.organisation.name}: Approved <b>trial</b>"]
    assert event.decoded("dtstart") == d(10)
    assert event.decoded("dtend") == d(20)
    assert str(event["status"]) == "CONFIRMED"
    assert "Line two; with, punctuation" in str(event["description"])
    assert str(found[f"{pending.organisation.name}: Pending trial"]["status"]) == "TENTATIVE"


def test_organisation_feed_and_token_reset(client, booked, startup):
    organisation = account_services.organisation_reset_calendar_token(
        actor=startup.user, organisation=startup.organisation
    )
    old = organisation.calendar_token
    found = events(client.get(reverse("organisation_calendar", args=[old])))
    assert list(found) == ["Approved <b>trial</b> (" + booked[0].name + ")"]
    account_services.organisation_reset_calendar_token(
        actor=startup.user, organisation=organisation
    )
    assert client.get(reverse("organisation_calendar", args=[old])).status_code == 404


def test_test_bed_token_reset_invalidates_the_old_address(client, booked, provider):
    testbed = booked[0]
    old = testbed.calendar_token
    client.force_login(provider.user)
    client.post(reverse("testbeds:calendar_reset", args=[testbed.slug]))
    client.logout()
    assert client.get(reverse("testbed_calendar", args=[old])).status_code == 404
    testbed.refresh_from_db()
    assert client.get(reverse("testbed_calendar", args=[testbed.calendar_token])).status_code == 200


def test_unknown_or_short_tokens_are_404(client, booked):
    assert client.get(reverse("testbed_calendar", args=["x"])).status_code == 404
    assert client.get(reverse("organisation_calendar", args=["a" * 32])).status_code == 404
