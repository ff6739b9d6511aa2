"""The challenge API: create and publish, apply and submit, assess, rank, decide."""

import datetime
from unittest import mock

import pytest
from django.test import Client

from challenges.models import Application, Challenge
from tests.factories import MembershipFactory, OrganisationFactory, TestBedFactory

from .conftest import applied, assessor_of, later, score_all

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_create_refuses_weights_not_summing_to_100_and_saves_nothing(provider):
    testbed = TestBedFactory(organisation=provider.organisation)
    body = {
        "title": "Quieter streets",
        "problem": "Noise.",
        "closes_at": later(days=10).isoformat(),
        "criteria": [{"name": "A", "weight": 70}, {"name": "B", "weight": 20}],
        "testbeds": [testbed.slug],
    }
    response = client_for(provider.user).post(
        "/api/v1/challenges/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert not Challenge.objects.exists()
    body["criteria"][1]["weight"] = 30
    response = client_for(provider.user).post(
        "/api/v1/challenges/", body, content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    slug = response.json()["slug"]
    assert response.json()["testbeds"] == [testbed.slug]
    response = client_for(provider.user).post(f"/api/v1/challenges/{slug}/publish/")
    assert response.status_code == 200 and response.json()["status"] == "published"
    assert Client().get(f"/api/v1/challenges/{slug}/").status_code == 200


def test_apply_submit_and_late_submit(world, startup):
    client = client_for(startup.user)
    question = world.challenge.questions.get(kind="yes-no")
    response = client.post(
        f"/api/v1/challenges/{world.challenge.slug}/applications/",
        {
            "title": "Rounds",
            "summary": "S",
            "answers": {str(question.pk): "yes"},
            "plan": {"objectives": "O"},
            "kpis": [{"name": "K", "baseline": "1", "target": "2"}],
            "testbed": world.testbed.slug,
            "first_day": "2031-01-06",
            "last_day": "2031-01-10",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    response = client.patch(
        f"/api/v1/applications/{pk}/", {"status": "submitted"}, content_type="application/json"
    )
    assert response.status_code == 400
    with mock.patch(
        "challenges.services.common.now",
        return_value=world.challenge.closes_at + datetime.timedelta(seconds=1),
    ):
        response = client.post(f"/api/v1/applications/{pk}/submit/")
    assert response.status_code == 409 and response.json()["code"] == "closed"
    assert "closes_at" in response.json()
    assert Application.objects.get(pk=pk).status == "draft"
    response = client.post(f"/api/v1/applications/{pk}/submit/")
    assert response.status_code == 200 and response.json()["status"] == "submitted"


def test_assess_rank_and_decide_through_the_api(world):
    application = applied(world.challenge, world.testbed)
    first = assessor_of(world.challenge, world.owner)
    second = assessor_of(world.challenge, world.owner)
    conflicted = assessor_of(world.challenge, world.owner)
    api = client_for(conflicted.user)
    assert (
        api.post(
            f"/api/v1/applications/{application.pk}/conflict/",
            {"conflicted": True},
            content_type="application/json",
        ).status_code
        == 201
    )
    assert api.get(f"/api/v1/applications/{application.pk}/").status_code == 404
    assert api.get(f"/api/v1/applications/{application.pk}/scores/").status_code == 404
    score_all(first, application, 8)
    api = client_for(second.user)
    assert api.get(f"/api/v1/applications/{application.pk}/scores/").status_code == 403
    api.post(
        f"/api/v1/applications/{application.pk}/conflict/",
        {"conflicted": False},
        content_type="application/json",
    )
    criteria = list(world.challenge.criteria.all())
    response = api.post(
        f"/api/v1/applications/{application.pk}/scores/",
        {
            "scores": [{"criterion": c.pk, "score": 6, "comment": "ok"} for c in criteria],
            "submit": True,
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    assert {s["score"] for s in response.json()["others"]} == {8}
    owner = client_for(world.owner.user)
    ranking = owner.get(f"/api/v1/challenges/{world.challenge.slug}/ranking/").json()
    assert ranking[0]["weighted_mean"] == "7.00" and ranking[0]["covered"]
    body = {"outcome": "awarded", "feedback": "Well done."}
    response = owner.post(
        f"/api/v1/applications/{application.pk}/decide/", body, content_type="application/json"
    )
    assert response.status_code == 409 and response.json()["code"] == "not_closed"
    with mock.patch(
        "challenges.services.common.now",
        return_value=world.challenge.closes_at + datetime.timedelta(hours=1),
    ):
        response = owner.post(
            f"/api/v1/applications/{application.pk}/decide/", body, content_type="application/json"
        )
    assert response.status_code == 200, response.json()
    assert response.json()["trial"] is not None


def test_other_startups_and_strangers_get_404(world):
    application = applied(world.challenge, world.testbed)
    stranger = MembershipFactory(organisation=OrganisationFactory(public_body=True), admin=True)
    other = MembershipFactory(organisation=OrganisationFactory(start_up=True), admin=True)
    for user in (stranger.user, other.user):
        api = client_for(user)
        assert api.get(f"/api/v1/applications/{application.pk}/").status_code == 404
        assert api.get(f"/api/v1/challenges/{world.challenge.slug}/ranking/").status_code == 404
        assert (
            api.post(
                f"/api/v1/applications/{application.pk}/decide/",
                {"outcome": "awarded", "feedback": "x"},
                content_type="application/json",
            ).status_code
            == 404
        )
