"""Demo challenges for `manage.py seed_demo`, through the services. Safe to run again.

- An open challenge from Sunderland City Council on two of its test beds, with applications
  submitted by both demo start-ups and assessor@demo.test invited (a limited account outside
  any organisation), who has declared a conflict with one of them.
- A closed, decided challenge whose award became a trial request (one of the demo trials).

The one liberty taken: the decided challenge is set up open, applied to and scored, then its
opening and closing times are moved into the past with a direct update (as trials/demo.py
moves bookings), since the rules let nobody apply to a closed challenge.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from accounts.demo import DemoAccounts, demo_user
from accounts.models import User
from testbeds.models import TestBed

from . import services
from .models import Application, Assessor, Challenge

OPEN_TITLE = "Keeping Sunderland's streets safe in winter"
DECIDED_TITLE = "Cutting energy waste at the bus depot"
CRITERIA = [
    {"name": "Fit to the problem", "weight": 40, "guidance": "0: unrelated; 10: solves it."},
    {"name": "Evidence it works", "weight": 30, "guidance": "0: none; 10: trialled elsewhere."},
    {"name": "Team and delivery", "weight": 20, "guidance": ""},
    {"name": "Value for money", "weight": 10, "guidance": ""},
]
QUESTIONS = [
    {"text": "Is your company registered in the UK?", "kind": "yes-no", "required": True},
    {"text": "How many staff do you have?", "kind": "number", "required": False},
    {"text": "What similar work have you done?", "kind": "text", "required": True},
]


def _challenge(accounts: DemoAccounts, title: str, testbeds: list[TestBed], **fields) -> Challenge:
    challenge = services.challenge_create(
        actor=accounts.provider,
        owner=accounts.provider_body,
        title=title,
        closes_at=(timezone.now() + datetime.timedelta(days=21)).replace(
            hour=17, minute=0, second=0, microsecond=0
        ),
        contact_name="Priya Patel",
        contact_email="innovation@sunderland.example",
        **fields,
    )
    services.criteria_set(actor=accounts.provider, challenge=challenge, criteria=CRITERIA)
    services.questions_set(actor=accounts.provider, challenge=challenge, questions=QUESTIONS)
    for testbed in testbeds:
        services.testbed_link(actor=accounts.provider, challenge=challenge, testbed=testbed)
    return services.challenge_publish(actor=accounts.provider, challenge=challenge)


def _apply(
    challenge: Challenge, user: User, organisation, testbed: TestBed, product: str
) -> Application:
    questions = {q.text: q for q in challenge.questions.all()}
    start = timezone.localdate() + datetime.timedelta(days=max(testbed.notice_days, 1) + 45)
    length = max(testbed.min_days, 14)
    application = services.application_start(
        actor=user, organisation=organisation, challenge=challenge
    )
    services.application_save(
        actor=user,
        application=application,
        title=f"{product} for {testbed.name}",
        summary=f"{product} on {testbed.name}: sensors and a live dashboard for the council.",
        partners="Sunderland University — independent evaluation",
        answers={
            str(questions["Is your company registered in the UK?"].pk): "yes",
            str(questions["How many staff do you have?"].pk): "12",
            str(questions["What similar work have you done?"].pk): "Two pilots with councils.",
        },
        plan={
            "product_name": product,
            "problem_statement": "Teams learn of problems only when residents report them.",
            "objectives": "Act on live data before residents notice a problem.",
            "hypothesis": "Live sensor data cuts response times by half.",
            "setting_and_participants": "The test bed's site and the council's operations team.",
            "trl_start": 6,
            "trl_target": 8,
        },
        kpis=[
            {
                "name": "Response time",
                "baseline": "48",
                "target": "24",
                "direction": "lower",
                "unit": "hours",
                "method": "Council job logs, weekly.",
                "data_source": "Council CRM",
            },
            {
                "name": "Sensor uptime",
                "baseline": "90",
                "target": "99",
                "direction": "higher",
                "unit": "%",
                "method": "Platform export.",
                "data_source": "Vendor dashboard",
            },
        ],
        testbed=testbed,
        first_day=start,
        last_day=start + datetime.timedelta(days=length - 1),
    )
    return services.application_submit(actor=user, application=application)


def _assessor(challenge: Challenge, accounts: DemoAccounts, user: User) -> Assessor:
    existing = challenge.assessors.filter(user=user, accepted_at__isnull=False).first()
    if existing is not None:
        return existing
    _invited, token = services.assessor_invite(
        actor=accounts.provider, challenge=challenge, email=user.email
    )
    return services.assessor_accept(token=token, user=user)


def _score(assessor: Assessor, application: Application, values: list[int]) -> None:
    services.conflict_declare(actor=assessor.user, application=application, conflicted=False)
    criteria = list(application.challenge.criteria.all())
    services.scores_save(
        actor=assessor.user,
        application=application,
        scores={
            c.pk: (v, "Clear plan; KPIs measurable.") for c, v in zip(criteria, values, strict=True)
        },
        submit=True,
    )


def seed_challenges(accounts: DemoAccounts, testbeds: list[TestBed]) -> None:
    assessor_user = demo_user("assessor@demo.test", "Jordan Reed")
    own = list(
        TestBed.objects.filter(
            pk__in=[t.pk for t in testbeds],
            organisation=accounts.provider_body,
            status=TestBed.Status.PUBLISHED,
        ).order_by("name")
    )
    if len(own) < 2:
        return
    if not Challenge.objects.filter(title=OPEN_TITLE).exists():
        challenge = _challenge(
            accounts,
            OPEN_TITLE,
            own[:2],
            summary="Find icy pavements and blocked drains before residents fall or flood.",
            problem=(
                "Gritting and drain clearing follow fixed rounds. Icy pavements and blocked "
                "drains are found when residents report them, often after someone has fallen."
            ),
            affected="Older residents, people with disabilities, and the council's crews.",
            success="Crews sent where they are needed, before residents report a problem.",
            region="north-east",
            budget_per_award=50000,
            awards=2,
            eligibility="UK-registered SMEs.",
        )
        first = _apply(
            challenge, accounts.startup, accounts.startup_org, own[0], "Wearwell Streets"
        )
        second = _apply(challenge, accounts.startup2, accounts.startup2_org, own[1], "Tidal Routes")
        _assessor(challenge, accounts, assessor_user)
        services.conflict_declare(
            actor=assessor_user,
            application=second,
            conflicted=True,
            note="I advised Tidal Mobility last year.",
        )
        services.conflict_declare(actor=assessor_user, application=first, conflicted=False)
    if not Challenge.objects.filter(title=DECIDED_TITLE).exists():
        depot = next((t for t in own if "Depot" in t.name), own[-1])
        challenge = _challenge(
            accounts,
            DECIDED_TITLE,
            [depot],
            summary="Show where the depot's chargers and buildings waste energy.",
            problem="The depot's energy bills rose 40% with the electric fleet.",
            region="north-east",
            budget_per_award=30000,
            awards=1,
        )
        application = _apply(
            challenge, accounts.startup, accounts.startup_org, depot, "Wearwell Energy"
        )
        _score(_assessor(challenge, accounts, assessor_user), application, [8, 7, 8, 6])
        _score(_assessor(challenge, accounts, accounts.provider), application, [7, 8, 7, 7])
        now = timezone.now()
        Challenge.objects.filter(pk=challenge.pk).update(
            opens_at=now - datetime.timedelta(days=40), closes_at=now - datetime.timedelta(days=5)
        )
        services.decide(
            actor=accounts.provider,
            application=application,
            outcome="awarded",
            feedback="A strong, well-evidenced plan. We look forward to the trial.",
        )
