"""Rows of the seeded bench database that the HTTP benchmarks use (after django.setup())."""

from __future__ import annotations

import datetime

from accounts.models import Membership, Organisation, User
from programmes.management.commands.seed_bench import PREFIX, PROVIDER_EMAIL, STARTUP_EMAIL
from testbeds.models import Booking, TestBed
from trials.models import Trial, TrialStatus

#: Not ``bench-``: seed_bench's counts must not see it. Removed by the contention bench.
CONTENTION_SLUG = "benchmark-contention-capacity-3"
CHANGES_SLUG = "benchmark-contention-changes-capacity-1"
CONTENDERS = 50


def bench_user() -> User:
    return User.objects.get(email=STARTUP_EMAIL)


def bench_provider() -> User:
    return User.objects.get(email=PROVIDER_EMAIL)


def bench_testbed() -> TestBed:
    """A published bench test bed with confirmed bookings (the first by slug)."""
    return (
        TestBed.objects.filter(slug__startswith=PREFIX, status=TestBed.Status.PUBLISHED)
        .filter(bookings__status=Booking.Status.CONFIRMED)
        .order_by("slug")
        .first()
    )


def bench_trial() -> Trial:
    """An active or completed trial of the bench user's start-up, with the most KPIs."""
    from django.db.models import Count

    return (
        Trial.objects.filter(
            organisation__memberships__user=bench_user(),
            status__in=[TrialStatus.ACTIVE, TrialStatus.COMPLETED, TrialStatus.APPROVED],
        )
        .annotate(kpi_count=Count("kpis"))
        .order_by("-kpi_count", "pk")
        .first()
    )


def contention_testbed(slug: str = CONTENTION_SLUG) -> TestBed:
    """A capacity-3 test bed that confirms at once, with no bookings, made fresh (``slug``:
    another one, so that two benches running at once do not remove each other's)."""
    remove_contention_testbed(slug)
    template = bench_testbed()
    return TestBed.objects.create(
        organisation=template.organisation,
        name="Benchmark contention test bed",
        slug=slug,
        summary="Made and removed by bench/contention.py.",
        region=template.region,
        capacity=3,
        requires_approval=False,
        min_days=1,
        max_days=90,
        notice_days=0,
        horizon_days=730,
        status=TestBed.Status.PUBLISHED,
    )


def remove_contention_testbed(slug: str = CONTENTION_SLUG) -> None:
    testbeds = TestBed.objects.filter(slug=slug)
    Trial.objects.filter(testbed__in=testbeds).delete()  # change requests go with them
    Booking.objects.filter(testbed__in=testbeds).delete()
    testbeds.delete()


def changes_testbed(slug: str = CHANGES_SLUG) -> TestBed:
    """A capacity-1 test bed whose requests need approval, with no bookings, made fresh."""
    remove_contention_testbed(slug)
    template = bench_testbed()
    return TestBed.objects.create(
        organisation=template.organisation,
        name="Benchmark change-request test bed",
        slug=slug,
        summary="Made and removed by bench/contention.py.",
        region=template.region,
        capacity=1,
        requires_approval=True,
        min_days=1,
        max_days=90,
        notice_days=0,
        horizon_days=730,
        status=TestBed.Status.PUBLISHED,
    )


def changes_provider(testbed: TestBed) -> User:
    """An admin of the test bed's public body, who approves the changes."""
    user, _ = User.objects.get_or_create(
        email="bench-provider@bench.test", defaults={"full_name": "Bench Provider"}
    )
    Membership.objects.get_or_create(
        user=user, organisation=testbed.organisation, defaults={"role": Membership.Role.ADMIN}
    )
    return user


def contenders(count: int = CONTENDERS) -> list[User]:
    """``count`` start-up admins, each of a different bench start-up."""
    startups = list(
        Organisation.objects.filter(
            slug__startswith=PREFIX, kind=Organisation.Kind.START_UP
        ).order_by("slug")[:count]
    )
    users = []
    for n in range(count):
        user, _ = User.objects.get_or_create(
            email=f"bench-contender-{n:02d}@bench.test",
            defaults={"full_name": f"Contender {n:02d}"},
        )
        Membership.objects.get_or_create(
            user=user,
            organisation=startups[n % len(startups)],
            defaults={"role": Membership.Role.ADMIN},
        )
        users.append(user)
    return users


def contention_days(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The same 14 days for every request, a month ahead."""
    first = today + datetime.timedelta(days=30)
    return first, first + datetime.timedelta(days=13)
