"""Builders for challenge tests: a published challenge with criteria, questions and test beds,
applications filled in step by step, assessors who accepted."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from accounts.models import User
from challenges import services
from challenges.models import Application, Assessor, Challenge
from tests.factories import MembershipFactory, OrganisationFactory, TestBedFactory, UserFactory

NOW = timezone.now()


def later(**delta) -> datetime.datetime:
    return (timezone.now() + datetime.timedelta(**delta)).replace(microsecond=0)


def build_challenge(
    owner,
    testbeds=(),
    *,
    publish=True,
    closes_in=datetime.timedelta(days=14),
    criteria=None,
    questions=None,
) -> Challenge:
    challenge = services.challenge_create(
        actor=owner.user,
        owner=owner.organisation,
        title="Fewer missed home-care visits",
        summary="Rural visits are missed.",
        problem="Carers miss visits in rural areas.",
        closes_at=(timezone.now() + closes_in).replace(microsecond=0),
    )
    services.criteria_set(
        actor=owner.user,
        challenge=challenge,
        criteria=criteria
        or [
            {"name": "Fit to the problem", "weight": 50},
            {"name": "Team", "weight": 30},
            {"name": "Value", "weight": 20},
        ],
    )
    services.questions_set(
        actor=owner.user,
        challenge=challenge,
        questions=questions
        if questions is not None
        else [
            {"text": "Are you UK-registered?", "kind": "yes-no", "required": True},
            {"text": "Staff count", "kind": "number", "required": False},
        ],
    )
    for testbed in testbeds:
        services.testbed_link(actor=owner.user, challenge=challenge, testbed=testbed)
    if publish:
        services.challenge_publish(actor=owner.user, challenge=challenge)
    challenge.refresh_from_db()
    return challenge


def fill(application: Application, user: User, testbed, *, days_ahead: int = 30) -> Application:
    """Every step of an application, through the service."""
    questions = {q.text: q for q in application.challenge.questions.all()}
    answers = {}
    if "Are you UK-registered?" in questions:
        answers[str(questions["Are you UK-registered?"].pk)] = "yes"
    first = timezone.localdate() + datetime.timedelta(days=days_ahead)
    return services.application_save(
        actor=user,
        application=application,
        title="Route planner for carers",
        summary="Plans rural rounds so no visit is missed.",
        partners="Powys Care Ltd — care provider",
        answers=answers,
        plan={
            "product_name": "RoundPlan",
            "objectives": "Halve missed visits.",
            "trl_start": 6,
            "trl_target": 7,
        },
        kpis=[
            {
                "name": "Missed visits a week",
                "baseline": "40",
                "target": "20",
                "direction": "lower",
                "unit": "visits",
            }
        ],
        testbed=testbed,
        first_day=first,
        last_day=first + datetime.timedelta(days=13),
    )


def applied(challenge: Challenge, testbed, member=None, *, submit=True) -> Application:
    member = member or MembershipFactory(
        organisation=OrganisationFactory(start_up=True), admin=True
    )
    application = services.application_start(
        actor=member.user, organisation=member.organisation, challenge=challenge
    )
    application = fill(application, member.user, testbed)
    if submit:
        application = services.application_submit(actor=member.user, application=application)
    return application


def assessor_of(challenge: Challenge, owner, user=None) -> Assessor:
    user = user or UserFactory()
    _assessor, token = services.assessor_invite(
        actor=owner.user, challenge=challenge, email=user.email
    )
    return services.assessor_accept(token=token, user=user)


def score_all(assessor: Assessor, application: Application, value: int) -> None:
    services.conflict_declare(actor=assessor.user, application=application, conflicted=False)
    services.scores_save(
        actor=assessor.user,
        application=application,
        scores={c.pk: (value, "ok") for c in application.challenge.criteria.all()},
        submit=True,
    )


@dataclass
class World:
    owner: object
    testbed: object
    challenge: Challenge


@pytest.fixture
def world(db, provider) -> World:
    testbed = TestBedFactory(organisation=provider.organisation, capacity=2)
    return World(owner=provider, testbed=testbed, challenge=build_challenge(provider, [testbed]))
