"""The tenancy matrix for adoption: every adoption route, every role of an accepted trial.

Roles: the start-up, the test bed's public body (provider), the programme's officer, a
partner in the trial (sees the trial, not its adoption data), another public body, another
start-up and an anonymous visitor. Unpublished adoption data answers 404 to everyone but
the parties, the officer and staff. ``test_every_route_has_a_rule`` in
test_tenancy_matrix.py counts these rules too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import resolve

from adoption import services
from tests.adoption.conftest import accepted_trial
from tests.factories import MembershipFactory, OrganisationFactory, ProgrammeFactory
from tests.security.test_tenancy_matrix import LOGIN, Rule, _matches, p
from trials.models import TrialPartner

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "startup",
    "provider",
    "officer",
    "partner",
    "other_body",
    "other_startup",
]
SIGNED_IN = [r for r in ROLES if r != "anonymous"]
PRIVATE = {"startup", "provider", "officer"}


def everyone(status=200) -> dict:
    return dict.fromkeys(ROLES, status)


def owned(viewers: set[str], status=200, *, api: bool = False) -> dict:
    return {"anonymous": LOGIN} | {r: (status if r in viewers else 404) for r in SIGNED_IN}


def refused(doers: set[str], viewers: set[str] = frozenset(PRIVATE)) -> dict:
    expected: dict = {"anonymous": LOGIN}
    for role in SIGNED_IN:
        if role not in doers:
            expected[role] = 403 if role in viewers else 404
    return expected


T = "/trials/{trial}/adoption/"
OUT = "/outcomes/{outcome}/"

ADOPTION_RULES: dict[str, Rule] = {
    "adoption:register": Rule(p("/outcomes/"), everyone()),
    "adoption:register_csv": Rule(p("/outcomes/outcomes.csv"), everyone()),
    "adoption:register_json": Rule(p("/outcomes/outcomes.json"), everyone()),
    "adoption:feed": Rule(p("/outcomes/feed/"), everyone()),
    "adoption:outcome": Rule(p(OUT), everyone()),
    "adoption:interest": Rule(
        p(OUT + "interest/"), {"anonymous": LOGIN} | dict.fromkeys(SIGNED_IN, 200)
    ),
    "adoption:interest_withdraw": Rule(p(OUT + "interest/withdraw/"), post={"anonymous": LOGIN}),
    "adoption:detail": Rule(p(T), owned(PRIVATE)),
    "adoption:decide": Rule(p(T + "decide/"), refused({"provider"}), refused({"provider"})),
    "adoption:consent": Rule(
        p(T + "register/"), refused({"provider", "startup"}), refused({"provider", "startup"})
    ),
    "adoption:contact": Rule(p(T + "contact/"), refused({"startup"}), refused({"startup"})),
    "adoption:report": Rule(p("/impact-reports/{report}/"), owned(PRIVATE)),
}


@dataclass
class ApiRule(Rule):
    put: dict = field(default_factory=dict)


API_T = "/api/v1/trials/{trial}/"
ADOPTION_RULES.update(
    {
        "api:outcome-list": Rule(p("/api/v1/outcomes/"), everyone()),
        "api:trial-adoption": ApiRule(
            p(API_T + "adoption/"), owned(PRIVATE), put=refused({"provider"})
        ),
        # Interest is in published outcomes only: this trial is not published.
        "api:trial-adoption-interest": Rule(
            p(API_T + "adoption/interest/"),
            post={"anonymous": LOGIN} | dict.fromkeys(SIGNED_IN, 404),
            delete={"anonymous": LOGIN} | dict.fromkeys(SIGNED_IN, 404),
        ),
        "api:trial-impact-reports": Rule(p(API_T + "impact-reports/"), owned(PRIVATE)),
        "api:impact-report-submit": Rule(
            p("/api/v1/impact-reports/{report}/submit/"), post=refused({"startup"})
        ),
    }
)

# Unpublished outcomes do not exist in the register, for anyone.
UNPUBLISHED = {
    "/outcomes/{private_outcome}/": everyone(404),
    "/outcomes/{private_outcome}/interest/": {"anonymous": LOGIN} | dict.fromkeys(SIGNED_IN, 404),
}


@pytest.fixture
def world():
    startup = MembershipFactory(organisation=OrganisationFactory(start_up=True), admin=True)
    provider = MembershipFactory(organisation=OrganisationFactory(public_body=True), admin=True)
    programme = ProgrammeFactory()
    officer = MembershipFactory(organisation=programme.team)
    partner = MembershipFactory(organisation=OrganisationFactory(kind="company"), admin=True)
    private = accepted_trial(startup, provider, programme, title="Unpublished")
    TrialPartner.objects.create(
        trial=private,
        organisation=partner.organisation,
        email=partner.user.email,
        role="technology",
        contribution="Sensors",
        token_hash="x" * 64,
        expires_at="2030-01-01T00:00:00Z",
        accepted_at="2026-01-01T00:00:00Z",
    )
    public = accepted_trial(startup, provider, programme, title="Published")
    services.consent_set(
        actor=startup.user,
        adoption=public.adoption,
        party="startup",
        agree=True,
        summary="In the register.",
    )
    services.consent_set(
        actor=provider.user, adoption=public.adoption, party="provider", agree=True
    )
    users = {
        "startup": startup.user,
        "provider": provider.user,
        "officer": officer.user,
        "partner": partner.user,
        "other_body": MembershipFactory(
            organisation=OrganisationFactory(public_body=True), admin=True
        ).user,
        "other_startup": MembershipFactory(
            organisation=OrganisationFactory(start_up=True), admin=True
        ).user,
    }
    ids = {
        "trial": private.pk,
        "outcome": public.adoption.pk,
        "private_outcome": private.adoption.pk,
        "report": private.adoption.reports.get(months=6).pk,
    }
    return users, ids


def _clients(users) -> dict[str, Client]:
    clients = {}
    for role in ROLES:
        clients[role] = Client(raise_request_exception=False)
        if role != "anonymous":
            clients[role].force_login(users[role])
    return clients


def _call(client, method, url, api):
    if api and method in ("post", "put", "delete"):
        return getattr(client, method)(url, data="{}", content_type="application/json")
    return getattr(client, method)(url)


def test_the_adoption_matrix(world):
    users, ids = world
    clients = _clients(users)
    failures = []
    for name, rule in sorted(ADOPTION_RULES.items()):
        url = rule.path(ids)
        reached = resolve(url.split("?")[0]).view_name
        if reached != name or not (rule.get or rule.post or rule.delete):
            failures.append(f"rule {name}: {url} reaches {reached}")
            continue
        api = url.startswith("/api/")
        put = getattr(rule, "put", None) or {}
        for method, expectations in (
            ("get", rule.get),
            ("post", rule.post),
            ("delete", rule.delete),
            ("put", put),
        ):
            for role, expected in expectations.items():
                response = _call(clients[role], method, url, api)
                if response.status_code >= 500 or not _matches(
                    response.status_code, expected, api=api, response=response
                ):
                    failures.append(
                        f"{method.upper()} {url} as {role}: "
                        f"{response.status_code}, expected {expected}"
                    )
    for template, expectations in UNPUBLISHED.items():
        url = p(template)(ids)
        for role, expected in expectations.items():
            response = clients[role].get(url)
            if not _matches(response.status_code, expected, api=False, response=response):
                failures.append(f"GET {url} as {role}: {response.status_code}, expected {expected}")
    assert not failures, "\n".join(failures)
