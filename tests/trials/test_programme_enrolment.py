"""A trial's programme is one its start-up takes part in, running on the trial's first day
(issue 21, item 5). Unknown and not-allowed programme ids get the same answer."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Programme, ProgrammeEnrolment
from accounts.tokens import token_create
from tests.factories import ProgrammeFactory, TestBedFactory, UserFactory
from trials import services
from trials.models import Trial

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
MESSAGE = "Choose a programme your start-up takes part in that runs on the trial's first day."


def d(days: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=days)


@pytest.fixture
def programmes(startup):
    running = {"starts_on": d(-30), "ends_on": d(300)}
    mine = ProgrammeFactory(**running)
    account_services.programme_enrol(
        actor=UserFactory(is_staff=True), programme=mine, organisation=startup.organisation
    )
    ended = ProgrammeFactory(starts_on=d(-300), ends_on=d(-1))
    ProgrammeEnrolment.objects.create(programme=ended, organisation=startup.organisation)
    return {"mine": mine, "other": ProgrammeFactory(**running), "ended": ended}


def ask(startup, testbed, programme, first=10):
    return services.trial_request(
        actor=startup.user,
        organisation=startup.organisation,
        testbed=testbed,
        title="Air quality",
        summary="Sensors",
        first_day=d(first),
        last_day=d(first + 10),
        programme=programme,
    )


def test_only_a_programme_the_start_up_takes_part_in_on_its_dates(startup, programmes):
    testbed = TestBedFactory(capacity=5)
    for which in ("other", "ended"):
        with pytest.raises(ValidationError) as refused:
            ask(startup, testbed, programmes[which])
        assert refused.value.message_dict == {"programme": [MESSAGE]}
    assert not Trial.objects.exists()
    assert ask(startup, testbed, programmes["mine"]).programme == programmes["mine"]


def test_plan_edit_cannot_move_the_trial_to_another_programme(startup, programmes):
    trial = ask(startup, TestBedFactory(capacity=5), None)
    for which in ("other", "ended"):
        with pytest.raises(ValidationError) as refused:
            services.trial_update_plan(actor=startup.user, trial=trial, programme=programmes[which])
        assert refused.value.message_dict == {"programme": [MESSAGE]}
    trial.refresh_from_db()
    assert trial.programme is None
    services.trial_update_plan(actor=startup.user, trial=trial, programme=programmes["mine"])
    trial.refresh_from_db()
    assert trial.programme == programmes["mine"]


def test_api_gives_the_same_answer_for_unknown_and_not_allowed_ids(startup, programmes):
    testbed = TestBedFactory(capacity=5)
    _, raw = token_create(actor=startup.user, name="t", scope="write")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    unknown = (Programme.objects.order_by("-pk").first().pk or 0) + 1000
    body = {
        "testbed": testbed.slug,
        "title": "T",
        "summary": "S",
        "first_day": d(10).isoformat(),
        "last_day": d(20).isoformat(),
    }
    answers = []
    for pk in (unknown, programmes["other"].pk, programmes["ended"].pk):
        response = api.post(
            "/api/v1/trials/", {**body, "programme": pk}, content_type="application/json"
        )
        assert response.status_code == 400
        answers.append(response.json())
    assert answers[0] == answers[1] == answers[2]
    assert answers[0]["errors"] == {"programme": [MESSAGE]}
    created = api.post(
        "/api/v1/trials/",
        {**body, "programme": programmes["mine"].pk},
        content_type="application/json",
    )
    assert created.status_code == 201
    trial_id = created.json()["id"]
    patches = [
        api.patch(f"/api/v1/trials/{trial_id}/", {"programme": pk}, content_type="application/json")
        for pk in (unknown, programmes["other"].pk)
    ]
    assert [p.status_code for p in patches] == [400, 400]
    assert patches[0].json() == patches[1].json()
    assert Trial.objects.get(pk=trial_id).programme == programmes["mine"]


def test_web_forms_offer_only_enrolled_programmes_and_refuse_others_alike(
    startup, programmes, client
):
    testbed = TestBedFactory(capacity=5)
    client.force_login(startup.user)
    url = reverse("trials:request", args=[testbed.slug])
    page = client.get(url).content.decode()
    assert programmes["mine"].name in page
    assert programmes["other"].name not in page
    form = {
        "title": "T",
        "summary": "S",
        "first_day": d(10).isoformat(),
        "last_day": d(20).isoformat(),
    }
    for pk in (programmes["other"].pk, 999_999):
        sent = client.post(url, {**form, "programme": pk})
        assert sent.status_code == 400
        assert MESSAGE in sent.content.decode().replace("&#x27;", "'")
    ended = client.post(url, {**form, "programme": programmes["ended"].pk})
    assert ended.status_code == 400
    assert MESSAGE in ended.content.decode().replace("&#x27;", "'")
    assert not Trial.objects.exists()
    trial = ask(startup, testbed, None)
    plan_url = reverse("trials:plan", args=[trial.pk])
    assert programmes["other"].name not in client.get(plan_url).content.decode()
    sent = client.post(plan_url, {"programme": programmes["other"].pk})
    assert sent.status_code in (200, 400)
    assert MESSAGE in sent.content.decode().replace("&#x27;", "'")
    trial.refresh_from_db()
    assert trial.programme is None


def test_enrolling_is_for_the_programme_team(startup, programmes):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        account_services.programme_enrol(
            actor=startup.user, programme=programmes["other"], organisation=startup.organisation
        )
