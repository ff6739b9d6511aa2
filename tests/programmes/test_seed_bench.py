"""seed_bench: bench data that is valid, separate from other data, and made only once."""

from collections import defaultdict
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import Organisation
from testbeds.models import Booking, TestBed
from tests.factories import TestBedFactory
from trials.models import Trial, TrialStatus

pytestmark = pytest.mark.django_db

SMALL = {"testbeds": 20, "bookings": 300, "trials": 30}


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_bench", stdout=out, **{**SMALL, **options})
    return out.getvalue()


def bench_bookings():
    return Booking.objects.filter(testbed__slug__startswith="bench-")


def test_seeds_the_requested_counts_marked_bench():
    other = TestBedFactory()
    seed()
    assert TestBed.objects.filter(slug__startswith="bench-").count() == 20
    assert bench_bookings().count() == 300
    assert Trial.objects.filter(testbed__slug__startswith="bench-").count() == 30
    assert set(
        Organisation.objects.filter(testbeds__slug__startswith="bench-").values_list(
            "slug", flat=True
        )
    ) <= set(Organisation.objects.filter(slug__startswith="bench-").values_list("slug", flat=True))
    assert TestBed.objects.filter(pk=other.pk).exists()
    assert set(TestBed.objects.filter(slug__startswith="bench-").values_list("capacity", flat=True))
    assert set(bench_bookings().values_list("status", flat=True)) == {
        "confirmed",
        "pending",
        "released",
    }


def test_running_again_changes_nothing():
    seed()
    ids = set(bench_bookings().values_list("id", flat=True))
    out = seed()
    assert "already there" in out
    assert set(bench_bookings().values_list("id", flat=True)) == ids
    assert TestBed.objects.filter(slug__startswith="bench-").count() == 20


def test_other_sizes_replace_the_bench_data_and_keep_the_rest():
    other = TestBedFactory()
    seed()
    seed(testbeds=10, bookings=100, trials=5)
    assert TestBed.objects.filter(slug__startswith="bench-").count() == 10
    assert bench_bookings().count() == 100
    assert Trial.objects.filter(testbed__slug__startswith="bench-").count() == 5
    assert TestBed.objects.filter(pk=other.pk).exists()


def test_no_unit_is_double_booked_and_capacity_holds():
    seed()
    by_unit = defaultdict(list)
    for testbed_id, unit, start, end in (
        bench_bookings()
        .filter(status="confirmed")
        .values_list("testbed_id", "unit", "start", "end")
    ):
        by_unit[testbed_id, unit].append((start, end))
    capacity = dict(TestBed.objects.values_list("id", "capacity"))
    for (testbed_id, unit), ranges in by_unit.items():
        assert 1 <= unit <= capacity[testbed_id]
        ranges.sort()
        for (_, end), (next_start, _) in zip(ranges, ranges[1:], strict=False):
            assert end <= next_start, f"unit {unit} of test bed {testbed_id} is double-booked"
    assert not bench_bookings().exclude(status="confirmed").exclude(unit=None).exists()


def test_trials_match_their_bookings():
    seed()
    for trial in Trial.objects.filter(testbed__slug__startswith="bench-").select_related("booking"):
        assert trial.organisation_id == trial.booking.organisation_id
        assert trial.testbed_id == trial.booking.testbed_id
        if trial.booking.status == "pending":
            assert trial.status == TrialStatus.REQUESTED
        if trial.booking.status == "confirmed":
            assert trial.status in {
                TrialStatus.APPROVED,
                TrialStatus.ACTIVE,
                TrialStatus.COMPLETED,
            }


def test_accepted_trials_get_adoption_records_in_one_programme():
    from adoption.models import Adoption, ImpactReport

    seed(accepted=10)
    adoptions = Adoption.objects.filter(trial__testbed__slug__startswith="bench-")
    assert adoptions.count() == 10
    assert set(adoptions.values_list("trial__status", flat=True)) == {TrialStatus.ACCEPTED}
    assert len(set(adoptions.values_list("trial__programme", flat=True))) == 1
    assert ImpactReport.objects.filter(adoption__in=adoptions).count() == 30
    assert "already there" in seed(accepted=10)
    seed(testbeds=10, bookings=100, trials=5)  # other sizes remove them, programme and all
    assert not Adoption.objects.exists()
