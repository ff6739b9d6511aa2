"""The tenancy matrix for challenges: every challenge route, every role of a challenge.

Roles: the owner (a public body's admin), the applicant (a start-up that submitted), another
start-up, an assessor (declared no conflict), a conflicted assessor, a stranger (another
public body's admin) and an anonymous visitor. ``test_every_route_has_a_rule`` in
test_tenancy_matrix.py counts these rules too.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import resolve

from challenges import services
from tests.challenges.conftest import assessor_of, build_challenge, fill
from tests.factories import MembershipFactory, OrganisationFactory, TestBedFactory
from tests.security.test_tenancy_matrix import LOGIN, Rule, _matches, p

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "owner", "applicant", "other_startup", "assessor", "conflicted", "stranger"]
SIGNED_IN = [r for r in ROLES if r != "anonymous"]
OWNER = {"owner"}
APPLICANT = {"applicant"}
READERS = {"owner", "applicant", "assessor"}


def everyone(status=200) -> dict:
    return dict.fromkeys(ROLES, status)


def signed_in(ok: set[str] | None = None, other=200) -> dict:
    return {"anonymous": LOGIN} | {r: (200 if ok is None or r in ok else other) for r in SIGNED_IN}


def owned(viewers: set[str], status=200) -> dict:
    return {"anonymous": LOGIN} | {r: (status if r in viewers else 404) for r in SIGNED_IN}


def refused(doers: set[str], viewers: set[str] = frozenset()) -> dict:
    expected: dict = {"anonymous": LOGIN}
    for role in SIGNED_IN:
        if role not in doers:
            expected[role] = 403 if role in viewers else 404
    return expected


A = "/challenges/{challenge}/applications/{application}/"

CHALLENGE_RULES: dict[str, Rule] = {
    "challenges:list": Rule(p("/challenges/"), everyone()),
    "challenges:feed": Rule(p("/challenges/feed/"), everyone()),
    "challenges:create": Rule(
        p("/challenges/new/"), signed_in(ok={"owner", "stranger"}, other=403)
    ),
    "challenges:mine": Rule(p("/challenges/mine/"), signed_in()),
    "challenges:link_requests": Rule(p("/challenges/testbed-requests/"), signed_in()),
    "challenges:link_respond": Rule(
        p("/challenges/testbed-requests/{link}/"), post=refused({"stranger"})
    ),
    "challenges:assessor_invitation": Rule(
        p("/challenges/assessor-invitations/{token}/"), everyone()
    ),
    "challenges:detail": Rule(p("/challenges/{challenge}/"), everyone()),
    "challenges:follow": Rule(p("/challenges/{challenge}/follow/"), post={"anonymous": LOGIN}),
    "challenges:ask": Rule(p("/challenges/{challenge}/ask/"), signed_in()),
    "challenges:edit": Rule(p("/challenges/{challenge}/edit/"), owned(OWNER)),
    "challenges:criteria": Rule(p("/challenges/{challenge}/criteria/"), owned(OWNER)),
    "challenges:questions": Rule(p("/challenges/{challenge}/questions/"), owned(OWNER)),
    "challenges:testbeds": Rule(p("/challenges/{challenge}/testbeds/"), owned(OWNER)),
    "challenges:testbed_remove": Rule(
        p("/challenges/{challenge}/testbeds/{link}/remove/"), post=refused(OWNER)
    ),
    "challenges:publish": Rule(p("/challenges/{challenge}/publish/"), post=refused(OWNER)),
    "challenges:clarifications": Rule(p("/challenges/{challenge}/clarifications/"), owned(OWNER)),
    "challenges:clarification_answer": Rule(
        p("/challenges/{challenge}/clarifications/{clarification}/answer/"), owned(OWNER)
    ),
    "challenges:manage": Rule(p("/challenges/{challenge}/manage/"), owned(OWNER)),
    "challenges:assessors": Rule(p("/challenges/{challenge}/assessors/"), owned(OWNER)),
    "challenges:assessor_remove": Rule(
        p("/challenges/{challenge}/assessors/{assessor}/remove/"), post=refused(OWNER)
    ),
    "challenges:assess": Rule(
        p("/challenges/{challenge}/assess/"), owned({"assessor", "conflicted"})
    ),
    "challenges:ranking": Rule(p("/challenges/{challenge}/ranking/"), owned(OWNER)),
    "challenges:applications_csv": Rule(
        p("/challenges/{challenge}/applications.csv"), owned(OWNER)
    ),
    "challenges:scores_csv": Rule(p("/challenges/{challenge}/scores.csv"), owned(OWNER)),
    "challenges:apply": Rule(
        p("/challenges/{challenge}/apply/"),
        signed_in(ok={"applicant", "other_startup"}, other=403),
    ),
    "challenges:application": Rule(p(A), owned(READERS)),
    "challenges:application_step": Rule(p(A + "edit/about/"), owned(APPLICANT, status=302)),
    "challenges:application_submit": Rule(p(A + "submit/"), post=refused(APPLICANT)),
    "challenges:application_withdraw": Rule(p(A + "withdraw/"), owned(APPLICANT)),
    "challenges:application_file": Rule(p(A + "files/{file}/"), owned(READERS)),
    "challenges:new_dates": Rule(p(A + "new-dates/"), owned(set())),
    "challenges:application_pdf": Rule(p(A + "application.pdf"), owned(READERS)),
    "challenges:conflict": Rule(p(A + "conflict/"), owned({"assessor"}, status=302)),
    "challenges:score": Rule(p(A + "score/"), owned({"assessor"})),
    "challenges:note_add": Rule(p(A + "notes/"), post=refused(OWNER)),
    "challenges:decide": Rule(p(A + "decide/"), owned(OWNER)),
}

API_A = "/api/v1/applications/{application}/"
CHALLENGE_RULES.update(
    {
        "api:challenge-list": Rule(p("/api/v1/challenges/"), everyone(), post={"anonymous": LOGIN}),
        "api:challenge-detail": Rule(p("/api/v1/challenges/{challenge}/"), everyone()),
        "api:challenge-publish": Rule(
            p("/api/v1/challenges/{challenge}/publish/"), post=refused(OWNER)
        ),
        "api:challenge-applications": Rule(
            p("/api/v1/challenges/{challenge}/applications/"),
            signed_in(),
            post={"anonymous": LOGIN},
        ),
        "api:challenge-assessors": Rule(
            p("/api/v1/challenges/{challenge}/assessors/"), owned(OWNER), refused(OWNER)
        ),
        "api:challenge-ranking": Rule(p("/api/v1/challenges/{challenge}/ranking/"), owned(OWNER)),
        "api:application-detail": Rule(p(API_A), owned(READERS)),
        "api:application-submit": Rule(p(API_A + "submit/"), post=refused(APPLICANT)),
        "api:application-conflict": Rule(p(API_A + "conflict/"), post=refused({"assessor"})),
        "api:application-scores": Rule(
            p(API_A + "scores/"), owned({"assessor"}), refused({"assessor"})
        ),
        "api:application-decide": Rule(p(API_A + "decide/"), post=refused(OWNER)),
    }
)


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    owner = MembershipFactory(organisation=OrganisationFactory(public_body=True), admin=True)
    stranger = MembershipFactory(organisation=OrganisationFactory(public_body=True), admin=True)
    applicant = MembershipFactory(organisation=OrganisationFactory(start_up=True), admin=True)
    other = MembershipFactory(organisation=OrganisationFactory(start_up=True), admin=True)
    testbed = TestBedFactory(organisation=owner.organisation)
    challenge = build_challenge(
        owner,
        [testbed],
        questions=[
            {"text": "Are you UK-registered?", "kind": "yes-no", "required": True},
            {"text": "Your data", "kind": "file", "required": False},
        ],
    )
    link = services.testbed_link(
        actor=owner.user,
        challenge=challenge,
        testbed=TestBedFactory(organisation=stranger.organisation),
    )
    application = services.application_start(
        actor=applicant.user, organisation=applicant.organisation, challenge=challenge
    )
    application = fill(application, applicant.user, testbed)
    stored = services.application_file_set(
        actor=applicant.user,
        application=application,
        question=challenge.questions.get(kind="file"),
        upload=SimpleUploadedFile("data.csv", b"site,visits\nA,3\n", content_type="text/csv"),
    )
    services.application_submit(actor=applicant.user, application=application)
    clarification = services.clarification_ask(
        actor=applicant.user, challenge=challenge, question="Can partners apply?"
    )
    assessor = assessor_of(challenge, owner)
    services.conflict_declare(actor=assessor.user, application=application, conflicted=False)
    conflicted = assessor_of(challenge, owner)
    services.conflict_declare(actor=conflicted.user, application=application, conflicted=True)
    _pending, token = services.assessor_invite(
        actor=owner.user, challenge=challenge, email="later@example.org"
    )
    users = {
        "owner": owner.user,
        "applicant": applicant.user,
        "other_startup": other.user,
        "assessor": assessor.user,
        "conflicted": conflicted.user,
        "stranger": stranger.user,
    }
    ids = {
        "challenge": challenge.slug,
        "application": application.pk,
        "link": link.pk,
        "file": stored.pk,
        "clarification": clarification.pk,
        "assessor": assessor.pk,
        "token": token,
    }
    return users, ids


def test_the_challenge_matrix(world):
    users, ids = world
    failures = []
    clients = {}
    for role in ROLES:
        clients[role] = Client(raise_request_exception=False)
        if role != "anonymous":
            clients[role].force_login(users[role])
    for name, rule in sorted(CHALLENGE_RULES.items()):
        url = rule.path(ids)
        reached = resolve(url.split("?")[0]).view_name
        if reached != name or not (rule.get or rule.post):
            failures.append(f"rule {name}: {url} reaches {reached}")
            continue
        api = url.startswith("/api/")
        for method, expectations in (("get", rule.get), ("post", rule.post)):
            for role, expected in expectations.items():
                response = getattr(clients[role], method)(
                    url,
                    **({"content_type": "application/json"} if api and method == "post" else {}),
                )
                if response.status_code >= 500 or not _matches(
                    response.status_code, expected, api=api, response=response
                ):
                    failures.append(
                        f"{method.upper()} {url} as {role}: "
                        f"{response.status_code}, expected {expected}"
                    )
    assert not failures, "\n".join(failures)
