"""Assessors, conflicts, blind scores, ranking, decisions and the award's trial request."""

import datetime
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from challenges import selectors, services
from challenges.models import ChallengeStatus, Decision
from core.exceptions import Conflict
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from trials.models import Trial, TrialStatus

from .conftest import applied, assessor_of, score_all

pytestmark = pytest.mark.django_db


def after_close(challenge):
    return mock.patch(
        "challenges.services.common.now",
        return_value=challenge.closes_at + datetime.timedelta(minutes=1),
    )


def test_invitation_makes_a_limited_account_once_for_its_address(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assessor, token = services.assessor_invite(
            actor=world.owner.user, challenge=world.challenge, email="Panel@Example.org"
        )
    assert len(mail.outbox) == 1 and token in mail.outbox[0].body
    assert assessor.token_hash != token
    accepted = services.assessor_accept(
        token=token, full_name="Pat Panel", password="a-long-pass-phrase-77"
    )
    assert accepted.user.email == "panel@example.org"
    assert not accepted.user.memberships.exists()
    with pytest.raises(Conflict):
        services.assessor_accept(token=token, full_name="Other", password="a-long-pass-phrase-77")


def test_invitation_is_valid_only_for_its_address(world):
    _assessor, token = services.assessor_invite(
        actor=world.owner.user, challenge=world.challenge, email="panel@example.org"
    )
    someone_else = UserFactory()
    with pytest.raises(PermissionDenied):
        services.assessor_accept(token=token, user=someone_else)


def test_a_conflicted_assessor_never_sees_the_application(world):
    application = applied(world.challenge, world.testbed)
    assessor = assessor_of(world.challenge, world.owner)
    services.conflict_declare(actor=assessor.user, application=application, conflicted=True)
    client = Client()
    client.force_login(assessor.user)
    base = f"/challenges/{world.challenge.slug}/applications/{application.pk}/"
    for url in (base, base + "score/", base + "application.pdf", base + "conflict/"):
        assert client.get(url).status_code == 404, url
    page = client.get(f"/challenges/{world.challenge.slug}/assess/").content.decode()
    assert application.title not in page
    with pytest.raises(PermissionDenied):
        services.scores_save(actor=assessor.user, application=application, scores={})


def test_scores_are_blind_until_submitted(world):
    application = applied(world.challenge, world.testbed)
    first = assessor_of(world.challenge, world.owner)
    second = assessor_of(world.challenge, world.owner)
    score_all(first, application, 8)
    services.conflict_declare(actor=second.user, application=application, conflicted=False)
    assert selectors.scores_for_assessor(second, application)["others"] == []
    score_all_second = {c.pk: (3, "weak") for c in world.challenge.criteria.all()}
    services.scores_save(
        actor=second.user, application=application, scores=score_all_second, submit=True
    )
    others = selectors.scores_for_assessor(second, application)["others"]
    assert {s.score for s in others} == {8}


def test_ranking_flags_spread_and_coverage(world):
    a = applied(world.challenge, world.testbed)
    b = applied(world.challenge, world.testbed)
    panel = [assessor_of(world.challenge, world.owner) for _ in range(2)]
    score_all(panel[0], a, 9)
    score_all(panel[1], a, 4)
    score_all(panel[0], b, 6)
    rows = selectors.ranking(world.challenge, world.owner.user)
    assert [r.application.pk for r in rows] == [a.pk, b.pk]
    top_a = next(r for r in rows if r.application.pk == a.pk)
    assert top_a.weighted_mean == 6.5 and top_a.highlight and top_a.covered
    assert not next(r for r in rows if r.application.pk == b.pk).covered


def test_ranking_page_queries_do_not_grow_with_applications(world):
    client = Client()
    client.force_login(world.owner.user)
    panel = [assessor_of(world.challenge, world.owner) for _ in range(2)]

    def add(n):
        for _ in range(n):
            application = applied(world.challenge, world.testbed)
            for assessor in panel:
                score_all(assessor, application, 7)

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
        assert response.status_code == 200
        return len(queries)

    urls = [
        f"/challenges/{world.challenge.slug}/ranking/",
        f"/challenges/{world.challenge.slug}/applications.csv",
        f"/challenges/{world.challenge.slug}/scores.csv",
    ]
    add(2)
    few = [count(url) for url in urls]
    add(6)
    many = [count(url) for url in urls]
    assert few == many


def test_decision_needs_the_close_and_two_assessors(world):
    application = applied(world.challenge, world.testbed)
    first, second = (
        assessor_of(world.challenge, world.owner),
        assessor_of(world.challenge, world.owner),
    )
    score_all(first, application, 8)
    with pytest.raises(Conflict) as error:
        services.decide(
            actor=world.owner.user, application=application, outcome="awarded", feedback="Well done"
        )
    assert error.value.code == "not_closed"
    with after_close(world.challenge), pytest.raises(Conflict) as error:
        services.decide(
            actor=world.owner.user, application=application, outcome="awarded", feedback="Well done"
        )
    assert error.value.code == "coverage"
    score_all(second, application, 7)
    assert not Decision.objects.exists()


def test_award_becomes_a_trial_request_with_plan_and_kpis(
    world, django_capture_on_commit_callbacks
):
    application = applied(world.challenge, world.testbed)
    for assessor in (
        assessor_of(world.challenge, world.owner),
        assessor_of(world.challenge, world.owner),
    ):
        score_all(assessor, application, 8)
    with after_close(world.challenge), django_capture_on_commit_callbacks(execute=True):
        decision = services.decide(
            actor=world.owner.user,
            application=application,
            outcome="awarded",
            feedback="Great plan.",
        )
    application.refresh_from_db()
    trial = application.trial
    assert decision.trial_problem == ""
    assert trial.status == TrialStatus.REQUESTED and trial.testbed == world.testbed
    assert trial.objectives == "Halve missed visits." and trial.trl_start == 6
    assert list(trial.kpis.values_list("name", flat=True)) == ["Missed visits a week"]
    assert trial.challenge_application == application
    world.challenge.refresh_from_db()
    assert world.challenge.status == ChallengeStatus.DECIDED
    body = (
        application.organisation.memberships.get()
        .user.notifications.filter(subject__contains="Decision")
        .get()
        .body
    )
    assert "Great plan." in body
    client = Client()
    client.force_login(world.owner.user)
    assert world.challenge.title in client.get(trial.get_absolute_url()).content.decode()


def test_award_stands_when_the_dates_no_longer_fit(world):
    application = applied(world.challenge, world.testbed)
    for assessor in (
        assessor_of(world.challenge, world.owner),
        assessor_of(world.challenge, world.owner),
    ):
        score_all(assessor, application, 8)
    world.testbed.capacity = 1
    world.testbed.requires_approval = False
    world.testbed.save()
    from trials import services as trial_services

    blocker = MembershipFactory(organisation=OrganisationFactory(start_up=True), admin=True)
    trial_services.trial_request(
        actor=blocker.user,
        organisation=blocker.organisation,
        testbed=world.testbed,
        title="Blocker",
        summary="S",
        first_day=application.first_day,
        last_day=application.last_day,
    )
    with after_close(world.challenge):
        decision = services.decide(
            actor=world.owner.user, application=application, outcome="awarded", feedback="Yes."
        )
    application.refresh_from_db()
    assert decision.outcome == "awarded" and decision.trial_problem and application.trial is None
    member = application.organisation.memberships.get().user
    first = application.last_day + datetime.timedelta(days=10)
    trial = services.award_new_dates(
        actor=member,
        application=application,
        first_day=first,
        last_day=first + datetime.timedelta(days=5),
    )
    application.refresh_from_db()
    assert application.trial == trial
    assert Trial.objects.filter(challenge_application=application).exists()


def test_an_owner_member_with_a_conflict_cannot_decide_or_see(world):
    application = applied(world.challenge, world.testbed)
    colleague = MembershipFactory(organisation=world.owner.organisation)
    assessor = assessor_of(world.challenge, world.owner, user=colleague.user)
    services.conflict_declare(actor=assessor.user, application=application, conflicted=True)
    client = Client()
    client.force_login(colleague.user)
    assert client.get(application.get_absolute_url()).status_code == 404
    assert (
        application.reference
        not in client.get(f"/challenges/{world.challenge.slug}/ranking/").content.decode()
    )
    assert (
        application.reference
        not in b"".join(
            client.get(f"/challenges/{world.challenge.slug}/scores.csv").streaming_content
        ).decode()
    )
    with after_close(world.challenge), pytest.raises(PermissionDenied):
        services.decide(
            actor=colleague.user, application=application, outcome="not_funded", feedback="No"
        )
    assert User.objects.filter(pk=colleague.user.pk).exists()


def test_csv_export_is_formula_safe(world):
    application = applied(world.challenge, world.testbed)
    application.title = '=HYPERLINK("http://evil")'
    application.save()
    client = Client()
    client.force_login(world.owner.user)
    body = b"".join(
        client.get(f"/challenges/{world.challenge.slug}/applications.csv").streaming_content
    ).decode()
    assert "'=HYPERLINK" in body


def test_the_panel_pdf_escapes_user_text(world):
    application = applied(world.challenge, world.testbed)
    application.summary = "<b>bold</b> & <img src=x>"
    application.save()
    from challenges.pdf import render_application

    data = render_application(application)
    assert data.startswith(b"%PDF")


def test_new_dates_page_asks_the_test_beds_own_questions(world):
    """An award fails on a test bed question nobody answered; the start-up answers it on the
    new-dates page and the trial request goes through."""
    from testbeds import services as testbed_services

    application = applied(world.challenge, world.testbed)
    for assessor in (
        assessor_of(world.challenge, world.owner),
        assessor_of(world.challenge, world.owner),
    ):
        score_all(assessor, application, 8)
    question = testbed_services.question_add(
        actor=world.owner.user, testbed=world.testbed, text="Insured?", kind="yes-no", required=True
    )
    with after_close(world.challenge):
        decision = services.decide(
            actor=world.owner.user, application=application, outcome="awarded", feedback="Yes."
        )
    assert "Insured?" in decision.trial_problem
    member = application.organisation.memberships.get().user
    client = Client()
    client.force_login(member)
    url = f"/challenges/{world.challenge.slug}/applications/{application.pk}/new-dates/"
    page = client.get(url)
    assert page.status_code == 200 and "Insured?" in page.content.decode()
    first = application.first_day
    response = client.post(
        url,
        {
            "testbed": world.testbed.pk,
            "first_day": first.isoformat(),
            "last_day": (first + datetime.timedelta(days=5)).isoformat(),
            f"question_{question.pk}": "yes",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    application.refresh_from_db()
    assert application.trial.answers[0]["answer"] == "yes"
