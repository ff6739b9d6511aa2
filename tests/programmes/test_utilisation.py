"""Test-bed utilisation for programme officers: per month, idle test beds, lead time, declines."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programmes.filters import FigureFilter
from programmes.portfolio import median_durations_by
from programmes.utilisation import month_spans, programme_utilisation
from testbeds.models import Blackout, Booking
from tests.factories import MembershipFactory, OrganisationFactory, ProgrammeFactory, TestBedFactory
from trials.models import Trial

pytestmark = pytest.mark.django_db

D = datetime.date
JAN, MAR = D(2026, 1, 1), D(2026, 3, 31)


def booking(testbed, start, end, *, status="confirmed", unit=1):
    return Booking.objects.create(
        testbed=testbed,
        organisation=OrganisationFactory(start_up=True),
        start=start,
        end=end,
        status=status,
        unit=unit if status == "confirmed" else None,
    )


def trial(programme, testbed, *, status="approved", requested=None, decided_after=None, **extra):
    """A programme trial straight into the tables, requested at ``requested`` (a datetime)."""
    item = Trial.objects.create(
        organisation=OrganisationFactory(start_up=True),
        testbed=testbed,
        booking=booking(testbed, D(2027, 1, 1), D(2027, 1, 5), status="pending"),
        programme=programme,
        title="T",
        summary="S",
        status=status,
        **extra,
    )
    requested = requested or timezone.make_aware(datetime.datetime(2026, 2, 1, 9))
    decided = requested + decided_after if decided_after is not None else None
    Trial.objects.filter(pk=item.pk).update(created_at=requested, decided_at=decided)
    return item


@pytest.fixture
def programme():
    return ProgrammeFactory()


def test_month_spans_clip_to_the_period():
    assert month_spans(D(2026, 1, 15), D(2026, 3, 10)) == [
        (D(2026, 1, 15), D(2026, 1, 31)),
        (D(2026, 2, 1), D(2026, 2, 28)),
        (D(2026, 3, 1), D(2026, 3, 10)),
    ]


def test_booked_and_open_days_per_month_and_overall(programme):
    busy = TestBedFactory(name="Busy", capacity=2)
    idle = TestBedFactory(name="Idle", capacity=1)
    unused = TestBedFactory(name="Not in the programme")
    trial(programme, busy)
    trial(programme, idle)
    booking(unused, JAN, D(2026, 2, 1))  # not used by the programme: not listed
    booking(busy, D(2026, 1, 22), D(2026, 2, 5))  # 10 days in January, 4 in February
    booking(busy, D(2026, 2, 1), D(2026, 2, 11), unit=2)  # 10 days in February
    booking(busy, D(2026, 3, 1), D(2026, 3, 5), status="pending")  # holds nothing
    Blackout.objects.create(testbed=busy, start=D(2026, 3, 1), end=D(2026, 3, 11), reason="Works")
    figures = programme_utilisation(programme, FigureFilter(period_start=JAN, period_end=MAR))
    assert [use.testbed.name for use in figures.testbeds] == ["Busy", "Idle"]
    by_name = {use.testbed.name: use for use in figures.testbeds}
    months = [(m.month, m.booked, m.bookable) for m in by_name["Busy"].months]
    # Open place-days: 31×2, 28×2, (31 − 10 closed)×2.
    assert months == [(JAN, 10, 62), (D(2026, 2, 1), 14, 56), (D(2026, 3, 1), 0, 42)]
    assert by_name["Busy"].share == pytest.approx(24 / 160)
    assert [use.testbed.name for use in figures.idle] == ["Idle"]
    assert [(m.booked, m.bookable) for m in figures.months] == [(10, 93), (14, 84), (0, 73)]
    assert figures.share == pytest.approx(24 / 250)


def test_lead_time_and_decline_rate_count_the_programmes_requests_in_the_period(programme):
    testbed = TestBedFactory()
    other_bed = TestBedFactory()
    day = datetime.timedelta(days=1)
    trial(programme, testbed, decided_after=1 * day)
    trial(programme, testbed, decided_after=3 * day, status="declined")
    trial(programme, testbed, decided_after=10 * day)
    trial(programme, testbed, status="requested")  # not decided yet
    trial(programme, other_bed, decided_after=4 * day, status="declined")
    trial(programme, other_bed, decided_after=6 * day)
    before = timezone.make_aware(datetime.datetime(2025, 6, 1))
    trial(programme, testbed, requested=before, decided_after=90 * day)  # outside the period
    trial(ProgrammeFactory(), testbed, decided_after=50 * day)  # another programme
    figures = programme_utilisation(programme, FigureFilter(period_start=JAN, period_end=MAR))
    first = next(use for use in figures.testbeds if use.testbed == testbed)
    assert (first.requests.made, first.requests.decided, first.requests.declined) == (4, 3, 1)
    assert first.requests.median_lead_days == 3.0
    assert first.requests.decline_rate == pytest.approx(1 / 3)
    second = next(use for use in figures.testbeds if use.testbed == other_bed)
    assert second.requests.median_lead_days == 5.0  # the mean of the middle two
    assert (figures.requests.made, figures.requests.decided, figures.requests.declined) == (6, 5, 2)
    assert figures.requests.median_lead_days == 4.0  # 1, 3, 4, 6, 10


def test_grouped_medians_match_the_single_median():
    programme = ProgrammeFactory()
    beds = [TestBedFactory() for _ in range(3)]
    hours = {0: [5, 1, 9, 7], 1: [2], 2: [4, 8, 6]}
    for index, values in hours.items():
        for value in values:
            trial(programme, beds[index], decided_after=datetime.timedelta(hours=value))
    medians = median_durations_by(
        Trial.objects.filter(programme=programme), "testbed_id", "created_at", "decided_at"
    )
    assert {bed: medians[bed.pk].total_seconds() / 3600 for bed in beds} == {
        beds[0]: 6.0,
        beds[1]: 2.0,
        beds[2]: 6.0,
    }


def test_region_sector_and_technology_filters(programme):
    wales = TestBedFactory(name="Wales", region="wales", technologies=["drones"])
    north = TestBedFactory(name="North", sectors=["energy"])
    trial(programme, wales)
    trial(programme, north)
    period = {"period_start": JAN, "period_end": MAR}

    def names(**filters) -> list[str]:
        figures = programme_utilisation(programme, FigureFilter(**period, **filters))
        return [use.testbed.name for use in figures.testbeds]

    assert names(region="wales") == ["Wales"]
    assert names(sector="energy") == ["North"]
    assert names(technology="drones") == ["Wales"]
    assert names(sector="health-care") == ["Wales"]


def test_page_for_the_programmes_officers_only(client, programme):
    testbed = TestBedFactory(name="Keel Square")
    trial(programme, testbed)
    url = reverse("programmes:utilisation", args=[programme.pk])
    client.force_login(MembershipFactory(organisation=programme.team).user)
    page = client.get(url, {"period_start": "2026-01-01", "period_end": "2026-03-31"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Keel Square" in html and "Jan 2026" in html and "<svg" in html
    client.force_login(
        MembershipFactory(organisation=OrganisationFactory(programme_team=True)).user
    )
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"period_start": "2026-02-30"}, "Enter the start date as a real date."),
        ({"period_end": "yesterday"}, "Enter the end date as a real date."),
        ({"period_start": "2026-03-01", "period_end": "2026-01-01"}, "on or after the start"),
        ({"period_start": "2024-01-01", "period_end": "2026-01-01"}, "at most 12 months"),
        ({"period_start": "1066-10-14"}, "Enter a date between 2000 and 2099."),
        ({"period_end": "20266-01-01"}, "Enter the end date as a real date."),
        ({"region": "atlantis"}, "Select a valid choice."),
    ],
)
def test_bad_periods_get_a_clear_message(client, programme, params, message):
    client.force_login(MembershipFactory(organisation=programme.team).user)
    page = client.get(reverse("programmes:utilisation", args=[programme.pk]), params)
    assert page.status_code == 400
    html = page.content.decode()
    assert "govuk-error-summary" in html and message in html


def test_page_queries_do_not_grow_with_trials_or_test_beds(client, programme):
    client.force_login(MembershipFactory(organisation=programme.team).user)
    url = reverse("programmes:utilisation", args=[programme.pk])
    period = {"period_start": "2026-01-01", "period_end": "2026-12-31"}

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, period).status_code == 200
        return len(captured)

    day = datetime.timedelta(days=1)
    trial(programme, TestBedFactory(), decided_after=day)
    client.get(url, period)
    small = queries()
    for _ in range(8):
        testbed = TestBedFactory()
        trial(programme, testbed, decided_after=2 * day)
        trial(programme, testbed, status="declined", decided_after=day)
        booking(testbed, D(2026, 5, 1), D(2026, 5, 20))
        Blackout.objects.create(testbed=testbed, start=D(2026, 7, 1), end=D(2026, 7, 3))
    assert queries() == small
