"""An accepted trial with its parties, and other public bodies, for the adoption tests."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from accounts.models import Membership
from adoption.models import Adoption
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    ProgrammeFactory,
    TestBedFactory,
    enrolled,
)
from trials import services as trial_services
from trials.models import Trial, TrialEvent

TODAY = timezone.localdate()


def d(days: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=days)


def accepted_trial(
    startup: Membership,
    provider: Membership,
    programme=None,
    *,
    title="Smart bins",
    kpis: int = 1,
    testbed=None,
) -> Trial:
    """A trial that ran and whose evidence was accepted, the fast way: the lifecycle up to
    active through the services, then the acceptance event written as ``pack_review``
    writes it (the PDF path is covered in test_acceptance_opens_the_record)."""
    testbed = testbed or TestBedFactory(organisation=provider.organisation, capacity=5)
    trial = trial_services.trial_request(
        actor=startup.user,
        organisation=startup.organisation,
        testbed=testbed,
        title=title,
        summary="Fill-level sensors on bins.",
        first_day=TODAY,
        last_day=d(20),
        programme=enrolled(startup.organisation, programme) if programme else None,
    )
    trial_services.trial_approve(actor=provider.user, trial=trial)
    trial_services.trial_start(actor=startup.user, trial=trial)
    for index in range(kpis):
        trial_services.kpi_add(
            actor=startup.user,
            trial=trial,
            name=f"Overflows {index}",
            baseline=30,
            target=10,
            direction="lower",
        )
    now = timezone.now()
    Trial.objects.filter(pk=trial.pk).update(status="accepted", accepted_at=now)
    trial.refresh_from_db()
    TrialEvent.objects.create(
        trial=trial,
        from_status="submitted",
        to_status="accepted",
        actor_name="Officer",
        created_at=now,
    )
    return trial


@dataclass
class World:
    trial: Trial
    adoption: Adoption
    startup: Membership
    provider: Membership
    officer: Membership
    other_body: Membership  # another public body
    other_startup: Membership


@pytest.fixture
def world(db, startup, provider) -> World:
    programme = ProgrammeFactory()
    officer = MembershipFactory(organisation=programme.team)
    trial = accepted_trial(startup, provider, programme)
    return World(
        trial=trial,
        adoption=trial.adoption,
        startup=startup,
        provider=provider,
        officer=officer,
        other_body=MembershipFactory(
            organisation=OrganisationFactory(public_body=True, name="Cyngor Gwynedd"), admin=True
        ),
        other_startup=MembershipFactory(organisation=OrganisationFactory(start_up=True)),
    )


def adopted(**extra) -> dict:
    return {
        "status": "adopted",
        "route": "framework",
        "framework_name": "G-Cloud 14",
        "notice_url": "https://www.contractsfinder.service.gov.uk/notice/abc",
        "contract_value": "125000.50",
        "start_date": d(30),
        "sites": 12,
        **extra,
    }


def publish(world: World, summary: str = "Bins that say when they are full.") -> Adoption:
    from adoption import services

    services.consent_set(
        actor=world.startup.user,
        adoption=world.adoption,
        party="startup",
        agree=True,
        summary=summary,
    )
    return services.consent_set(
        actor=world.provider.user, adoption=world.adoption, party="provider", agree=True
    )
