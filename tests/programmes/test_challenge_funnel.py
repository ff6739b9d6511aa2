"""The funnel's first steps: a programme's challenges, their applications, the awards and the
trial requests the awards became; and challenges set for a programme."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from challenges import services
from challenges.models import Application, ChallengeStatus, Decision
from programmes.challenge_funnel import challenge_steps
from programmes.filters import FigureFilter
from tests.challenges.conftest import applied, assessor_of, build_challenge, score_all
from tests.challenges.test_assessment import after_close
from tests.factories import MembershipFactory, ProgrammeFactory, TestBedFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    """A programme's team (its officers) with one of its members."""
    programme = ProgrammeFactory()
    member = MembershipFactory(organisation=programme.team, admin=True)
    return programme, member


def team_challenge(member, programme, testbed, **kw):
    challenge = build_challenge(member, publish=False, **kw)
    services.challenge_update(actor=member.user, challenge=challenge, programme=programme)
    link = services.testbed_link(actor=member.user, challenge=challenge, testbed=testbed)
    provider = MembershipFactory(organisation=testbed.organisation, admin=True)
    services.testbed_link_respond(actor=provider.user, link=link, agree=True)
    services.challenge_publish(actor=member.user, challenge=challenge)
    challenge.refresh_from_db()
    return challenge


def award(challenge, member, application):
    for assessor in (assessor_of(challenge, member), assessor_of(challenge, member)):
        score_all(assessor, application, 8)
    with after_close(challenge):
        return services.decide(
            actor=member.user, application=application, outcome="awarded", feedback="Yes."
        )


def test_a_programme_challenge_award_becomes_a_trial_of_the_programme(team):
    programme, member = team
    testbed = TestBedFactory(capacity=3)
    challenge = team_challenge(member, programme, testbed)
    application = applied(challenge, testbed)
    award(challenge, member, application)
    application.refresh_from_db()
    assert application.trial is not None
    assert application.trial.programme == programme


def test_only_the_owning_teams_programmes_can_be_chosen(team):
    programme, member = team
    challenge = build_challenge(member, publish=False)
    for other in (ProgrammeFactory().pk, 999999):  # another team's, and one that does not exist
        with pytest.raises(ValidationError) as error:
            services.challenge_update(actor=member.user, challenge=challenge, programme=other)
        assert error.value.message_dict["programme"] == ["Choose one of your team's programmes."]
    challenge.refresh_from_db()
    assert challenge.programme is None


def test_the_form_offers_a_programme_only_to_programme_teams(team, client, provider):
    programme, member = team
    client.force_login(member.user)
    page = client.get(reverse("challenges:create")).content.decode()
    assert f'value="{programme.pk}"' in page and programme.name in page
    client.force_login(provider.user)
    assert 'name="programme"' not in client.get(reverse("challenges:create")).content.decode()


def test_challenge_steps_count_the_cohort_with_medians(team):
    programme, member = team
    testbed = TestBedFactory(capacity=3)
    challenge = team_challenge(member, programme, testbed)
    first = applied(challenge, testbed)
    applied(challenge, testbed)
    award(challenge, member, first)
    # Another programme's challenge is not counted.
    other = ProgrammeFactory()
    other_member = MembershipFactory(organisation=other.team, admin=True)
    team_challenge(other_member, other, TestBedFactory())

    steps = {step.key: step for step in challenge_steps(programme, FigureFilter())}
    assert [steps[k].count for k in ("challenges", "applications", "awards", "awarded_trials")] == [
        1,
        2,
        1,
        1,
    ]
    assert steps["applications"].conversion is None  # applications per challenge: no rate
    assert steps["awards"].conversion == 0.5
    assert steps["awarded_trials"].conversion == 1.0
    assert steps["applications"].median_days is not None


def test_challenge_steps_filter_by_region_and_period(team):
    programme, member = team
    testbed = TestBedFactory()
    team_challenge(member, programme, testbed)  # UK-wide: counts in every region
    welsh = team_challenge(member, programme, testbed)
    services.challenge_update(actor=member.user, challenge=welsh, region="wales")
    assert challenge_steps(programme, FigureFilter(region="wales"))[0].count == 2
    assert challenge_steps(programme, FigureFilter(region="scotland"))[0].count == 1
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert challenge_steps(programme, FigureFilter(period_start=tomorrow)) == []


def test_funnel_page_and_api_show_the_challenge_steps_with_their_lists(team, client):
    programme, member = team
    testbed = TestBedFactory(capacity=3)
    challenge = team_challenge(member, programme, testbed)
    application = applied(challenge, testbed)
    client.force_login(member.user)
    page = client.get(reverse("programmes:funnel", kwargs={"pk": programme.pk}))
    assert "From challenge to award" in page.content.decode()
    api = APIClient()
    api.force_authenticate(member.user)
    body = api.get(reverse("api:programme-funnel", kwargs={"pk": programme.pk})).json()
    keys = [step["key"] for step in body["challenge_steps"]]
    assert keys == ["challenges", "applications", "awards", "awarded_trials"]
    listing = client.get(body["challenge_steps"][1]["list"])
    assert listing.status_code == 200 and application.title in listing.content.decode()
    listing = client.get(body["challenge_steps"][0]["list"])
    assert challenge.title in listing.content.decode()


def test_the_list_behind_applications_hides_the_viewers_conflicts(team, client):
    programme, member = team
    testbed = TestBedFactory(capacity=3)
    challenge = team_challenge(member, programme, testbed)
    shown, hidden = applied(challenge, testbed), applied(challenge, testbed)
    Application.objects.filter(pk=hidden.pk).update(title="Conflicted proposal")
    Application.objects.filter(pk=shown.pk).update(title="Open proposal")
    assessor = assessor_of(challenge, member, user=member.user)
    services.conflict_declare(actor=assessor.user, application=hidden, conflicted=True)
    client.force_login(member.user)
    url = reverse("programmes:challenges", kwargs={"pk": programme.pk})
    page = client.get(url, {"step": "applications"}).content.decode()
    assert "Open proposal" in page and "Conflicted proposal" not in page


def test_only_the_programmes_officers_see_the_lists(team, client, provider):
    programme, _member = team
    client.force_login(provider.user)
    url = reverse("programmes:challenges", kwargs={"pk": programme.pk})
    assert client.get(url, {"step": "applications"}).status_code == 404
    client.force_login(_member.user)
    assert client.get(url, {"step": "nonsense"}).status_code == 400


def test_challenge_steps_take_a_fixed_number_of_queries(team):
    programme, member = team
    testbed = TestBedFactory(capacity=5)

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            challenge_steps(programme, FigureFilter())
        return len(queries)

    challenge = team_challenge(member, programme, testbed)
    applied(challenge, testbed)
    few = count_queries()
    for _ in range(3):
        applied(challenge, testbed)
    team_challenge(member, programme, testbed)
    assert count_queries() == few


def test_decided_challenges_still_count(team):
    programme, member = team
    testbed = TestBedFactory(capacity=3)
    challenge = team_challenge(member, programme, testbed)
    application = applied(challenge, testbed)
    award(challenge, member, application)
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.DECIDED
    assert Decision.objects.filter(application=application).exists()
    assert challenge_steps(programme, FigureFilter())[0].count == 1
