"""The catalogue's free-days search, checked against a plain day-by-day count."""

import datetime
import random

import pytest
from django.urls import reverse
from django.utils import timezone

from testbeds.availability import available_filter, calendar_days, rebuild_free_runs
from testbeds.availability import testbeds_available as find_available
from testbeds.models import Blackout, Booking, TestBed
from tests.factories import OrganisationFactory, TestBedFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def d(days: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=days)


def book(testbed, first: int, end: int, status="confirmed", unit=None):
    """A booking straight into the table (these tests are about reading availability)."""
    if status == "confirmed" and unit is None:
        taken = set(
            Booking.objects.filter(
                testbed=testbed, status="confirmed", start__lt=d(end), end__gt=d(first)
            ).values_list("unit", flat=True)
        )
        unit = next(u for u in range(1, 100) if u not in taken)
    booking = Booking.objects.create(
        testbed=testbed,
        organisation=OrganisationFactory(start_up=True),
        start=d(first),
        end=d(end),
        status=status,
        unit=unit if status == "confirmed" else None,
    )
    rebuild_free_runs([testbed.pk])  # what the booking services do
    return booking


def available(**kwargs) -> set[int]:
    return set(find_available(**kwargs))


def test_free_test_bed_is_found():
    testbed = TestBedFactory()
    assert available(start=d(10), end=d(40), days=14) == {testbed.pk}


def test_full_days_split_the_window():
    testbed = TestBedFactory(capacity=1)
    book(testbed, 20, 30)
    # Free runs: days 10–19 (10 days) and 30–39 (10 days).
    assert available(start=d(10), end=d(40), days=10) == {testbed.pk}
    assert available(start=d(10), end=d(40), days=11) == set()


def test_pending_and_released_bookings_do_not_count():
    testbed = TestBedFactory(capacity=1)
    book(testbed, 10, 40, status="pending")
    book(testbed, 10, 40, status="released")
    assert available(start=d(10), end=d(40), days=30) == {testbed.pk}


def test_capacity_counts_overlaps():
    testbed = TestBedFactory(capacity=2)
    book(testbed, 10, 40)
    assert available(start=d(10), end=d(40), days=30) == {testbed.pk}
    book(testbed, 20, 25)
    assert available(start=d(10), end=d(40), days=15) == {testbed.pk}
    assert available(start=d(10), end=d(40), days=16) == set()


def test_blackouts_count():
    testbed = TestBedFactory(capacity=3)
    Blackout.objects.create(testbed=testbed, start=d(15), end=d(16), reason="Marathon")
    rebuild_free_runs([testbed.pk])
    assert available(start=d(10), end=d(40), days=24) == {testbed.pk}
    assert available(start=d(10), end=d(40), days=25) == set()


def test_rules_narrow_the_window():
    notice = TestBedFactory(notice_days=30)
    horizon = TestBedFactory(horizon_days=25)
    short_max = TestBedFactory(max_days=7)
    long_min = TestBedFactory(min_days=40)
    found = available(start=d(10), end=d(40), days=14)
    assert notice.pk not in found  # only days 30–39 are far enough ahead
    assert notice.pk in available(start=d(10), end=d(40), days=10)
    assert horizon.pk not in available(start=d(10), end=d(40), days=17)
    assert horizon.pk in available(start=d(10), end=d(40), days=16)
    assert short_max.pk not in found
    assert long_min.pk not in found


def test_region_and_candidates():
    north = TestBedFactory(region="north-east")
    TestBedFactory(region="wales")
    assert available(start=d(10), end=d(40), days=14, region="north-east") == {north.pk}


def brute_force(testbed, start, end, days) -> bool:
    """Day by day: the longest run of bookable days in the window."""
    run = best = 0
    for day in calendar_days(testbed, start, end):
        run = run + 1 if day.bookable else 0
        best = max(best, run)
    needed = max(days, testbed.min_days)
    return days <= testbed.max_days and best >= needed


@pytest.mark.parametrize("seed", range(4))
def test_search_agrees_with_a_day_by_day_count(seed):
    rng = random.Random(seed)
    testbeds = []
    for _ in range(12):
        testbed = TestBedFactory(
            capacity=rng.randint(1, 3),
            notice_days=rng.choice([0, 5, 20]),
            horizon_days=rng.choice([60, 365]),
            min_days=rng.choice([1, 7, 14]),
            max_days=rng.choice([14, 90]),
        )
        for _ in range(rng.randint(0, 8)):
            first = rng.randint(-20, 90)
            end = first + rng.randint(1, 25)
            overlapping = Booking.objects.filter(
                testbed=testbed, status="confirmed", start__lt=d(end), end__gt=d(first)
            ).count()
            if overlapping < testbed.capacity:
                book(testbed, first, end)
        if rng.random() < 0.4:
            first = rng.randint(0, 80)
            Blackout.objects.create(
                testbed=testbed, start=d(first), end=d(first + rng.randint(1, 10)), reason="x"
            )
            rebuild_free_runs([testbed.pk])
        testbeds.append(testbed)
    for window_start, window_days, days in [(0, 90, 14), (10, 30, 7), (30, 60, 21), (5, 20, 1)]:
        start, end = d(window_start), d(window_start + window_days)
        expected = {t.pk for t in testbeds if brute_force(t, start, end, days)}
        assert available(start=start, end=end, days=days) == expected, (window_start, days)
        # The catalogue's EXISTS inside its own paged query finds exactly the same.
        narrowed = available_filter(TestBed.objects.all(), start=start, end=end, days=days)
        assert set(narrowed.values_list("pk", flat=True)) == expected, (window_start, days)


def test_catalogue_filters_by_free_dates(client):
    busy = TestBedFactory(name="Busy", capacity=1)
    free = TestBedFactory(name="Free", capacity=1)
    book(busy, 20, 50)
    response = client.get(
        reverse("testbeds:catalogue"),
        {"available_from": d(15), "available_to": d(60), "min_days": 14},
    )
    assert [t.name for t in response.context["page"]] == ["Free"]
    api = client.get(
        "/api/v1/testbeds/", {"available_from": d(15), "available_to": d(60), "min_days": 14}
    )
    assert [row["slug"] for row in api.json()["results"]] == [free.slug]


def test_free_dates_count_stops_a_few_pages_ahead(client, monkeypatch, settings):
    """A free-dates search counts at most (page + PAGES_AHEAD) pages of matches."""
    settings.ANONYMOUS_PAGE_SECONDS = 0
    monkeypatch.setattr("core.pagination.PAGES_AHEAD", 1)
    for n in range(41):
        TestBedFactory(name=f"Bed {n:02d}")
    window = {"available_from": d(15), "available_to": d(60), "min_days": 14}
    first = client.get(reverse("testbeds:catalogue"), window)
    assert len(first.context["page"]) == 20
    assert first.context["page"].paginator.capped
    assert "More than 40 test beds found" in first.content.decode()
    third = client.get(reverse("testbeds:catalogue"), {**window, "page": 3})
    assert [t.name for t in third.context["page"]] == ["Bed 40"]
    assert "41 test beds found" in third.content.decode()


def test_detail_page_calendar(client):
    testbed = TestBedFactory(capacity=1)
    book(testbed, 3, 5)
    month = d(3).strftime("%Y-%m")
    html = client.get(testbed.get_absolute_url(), {"month": month}).content.decode()
    assert "app-calendar__day--full" in html
    assert "Full" in html
    assert client.get(testbed.get_absolute_url(), {"month": "garbage"}).status_code == 200


def test_result_cards_show_the_free_dates_and_places_of_a_date_search(client):
    """Issue 22, point 6: a date search says on each card which searched days are free."""
    pair = TestBedFactory(name="Pair", capacity=2, notice_days=0, min_days=1)
    book(pair, 20, 30)  # one of two places taken from day 20 to day 29
    rebuild_free_runs([pair.pk])
    response = client.get(
        reverse("testbeds:catalogue"),
        {"available_from": d(15), "available_to": d(40), "min_days": 3},
    )
    (card,) = response.context["page"]
    windows = card.free_windows
    assert [(w.first, w.last) for w in windows] == [(d(15), d(40))]
    assert windows[0].places == 1  # one place is free on every day of it
    html = response.content.decode()
    assert "Free in your dates" in html and "1 place free" in html
    plain = client.get(reverse("testbeds:catalogue")).content.decode()
    assert "Free in your dates" not in plain


def test_free_windows_split_around_full_days_and_keep_the_rules():
    from testbeds.availability import free_windows

    single = TestBedFactory(capacity=1, notice_days=0, min_days=1)
    book(single, 20, 25)
    rebuild_free_runs([single.pk])
    windows = free_windows([single], start=d(15), end=d(35), days=2)[single.pk]
    assert [(w.first, w.last, w.places) for w in windows] == [
        (d(15), d(19), 1),
        (d(25), d(34), 1),
    ]
    assert free_windows([single], start=d(15), end=d(35), days=6)[single.pk] == [windows[1]]
