import datetime

import pytest
from django.utils import timezone

from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    ProgrammeFactory,
    TestBedFactory,
    enrolled,
)
from trials import services

TODAY = timezone.localdate()


def d(days: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=days)


def book(member, testbed, first: int, last: int, provider=None, *, start=False):
    """A trial of ``member``'s start-up from ``d(first)`` to ``d(last)``; approved by
    ``provider`` if given, and started if ``start``."""
    trial = services.trial_request(
        actor=member.user,
        organisation=member.organisation,
        testbed=testbed,
        title=f"Trial {first}",
        summary="S",
        first_day=d(first),
        last_day=d(last),
    )
    if provider is not None:
        services.trial_approve(actor=provider.user, trial=trial)
    if start:
        services.trial_start(actor=member.user, trial=trial)
    trial.refresh_from_db()
    return trial


@pytest.fixture
def programme():
    return ProgrammeFactory()


@pytest.fixture
def officer(programme):
    return MembershipFactory(organisation=programme.team)


@pytest.fixture
def active_trial(startup, provider, programme):
    """An approved trial that started today, in the programme."""
    testbed = TestBedFactory(organisation=provider.organisation, capacity=2)
    enrolled(startup.organisation, programme)
    trial = services.trial_request(
        actor=startup.user,
        organisation=startup.organisation,
        testbed=testbed,
        title="Smart bins",
        summary="Fill-level sensors on bins.",
        first_day=TODAY,
        last_day=d(20),
        programme=programme,
    )
    services.trial_approve(actor=provider.user, trial=trial)
    services.trial_start(actor=startup.user, trial=trial)
    trial.refresh_from_db()
    return trial


@pytest.fixture
def other_startup():
    return MembershipFactory(organisation=OrganisationFactory(start_up=True), admin=True)
