"""Setting up and publishing a challenge: bad input changes nothing, times are UK time."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from challenges import services
from challenges.models import Challenge, ChallengeStatus, ChallengeTestBed, Criterion
from challenges.timefmt import uk_datetime, uk_moment, uk_time
from core.exceptions import Conflict
from tests.factories import MembershipFactory, OrganisationFactory, TestBedFactory

from .conftest import build_challenge, later

pytestmark = pytest.mark.django_db


def test_weights_must_sum_to_100_and_nothing_is_saved(provider):
    challenge = build_challenge(provider, publish=False)
    before = list(challenge.criteria.values_list("name", "weight"))
    with pytest.raises(ValidationError) as error:
        services.criteria_set(
            actor=provider.user,
            challenge=challenge,
            criteria=[{"name": "A", "weight": 60}, {"name": "B", "weight": 30}],
        )
    assert "add up to 90" in str(error.value)
    assert list(challenge.criteria.values_list("name", "weight")) == before


def test_closing_in_the_past_or_opening_after_closing_is_refused(provider):
    with pytest.raises(ValidationError) as error:
        services.challenge_create(
            actor=provider.user,
            owner=provider.organisation,
            title="T",
            problem="P",
            closes_at=timezone.now() - datetime.timedelta(minutes=1),
        )
    assert "closes_at" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.challenge_create(
            actor=provider.user,
            owner=provider.organisation,
            title="T",
            problem="P",
            opens_at=later(days=5),
            closes_at=later(days=4),
        )
    assert "opens_at" in error.value.message_dict
    assert not Challenge.objects.exists()


def test_only_public_bodies_and_programme_teams_set_challenges(startup):
    with pytest.raises(PermissionDenied):
        services.challenge_create(
            actor=startup.user,
            owner=startup.organisation,
            title="T",
            problem="P",
            closes_at=later(days=3),
        )


def test_publish_needs_criteria_and_an_agreed_test_bed(provider):
    challenge = build_challenge(provider, publish=False)
    with pytest.raises(ValidationError) as error:
        services.challenge_publish(actor=provider.user, challenge=challenge)
    assert "test bed" in str(error.value)
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.DRAFT


def test_another_bodys_test_bed_needs_its_consent(provider):
    other = MembershipFactory(organisation=OrganisationFactory(public_body=True), admin=True)
    theirs = TestBedFactory(organisation=other.organisation)
    challenge = build_challenge(provider, publish=False)
    link = services.testbed_link(actor=provider.user, challenge=challenge, testbed=theirs)
    assert link.status == ChallengeTestBed.Status.PENDING
    with pytest.raises(ValidationError):
        services.challenge_publish(actor=provider.user, challenge=challenge)
    with pytest.raises(PermissionDenied):
        services.testbed_link_respond(actor=provider.user, link=link, agree=True)
    services.testbed_link_respond(actor=other.user, link=link, agree=True)
    services.challenge_publish(actor=provider.user, challenge=challenge)
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.PUBLISHED


def test_criteria_are_fixed_once_published(world):
    with pytest.raises(Conflict):
        services.criteria_set(
            actor=world.owner.user,
            challenge=world.challenge,
            criteria=[{"name": "X", "weight": 100}],
        )
    assert Criterion.objects.filter(challenge=world.challenge).count() == 3


def test_uk_time_is_shown_with_its_zone_either_side_of_the_clock_change():
    summer = uk_moment(datetime.date(2026, 6, 5), datetime.time(17, 0))
    winter = uk_moment(datetime.date(2026, 12, 4), datetime.time(17, 0))
    assert summer.astimezone(datetime.UTC).hour == 16
    assert winter.astimezone(datetime.UTC).hour == 17
    assert uk_time(summer) == "5pm BST"
    assert uk_time(winter) == "5pm GMT"
    assert uk_datetime(summer) == "5pm BST on 5 June 2026"
    assert uk_time(uk_moment(datetime.date(2026, 3, 2), datetime.time(9, 30))) == "9:30am GMT"


def test_a_time_the_clocks_skip_is_refused_and_a_repeated_one_means_bst():
    with pytest.raises(ValidationError):
        uk_moment(datetime.date(2026, 3, 29), datetime.time(1, 30))
    repeated = uk_moment(datetime.date(2026, 10, 25), datetime.time(1, 30))
    assert uk_time(repeated) == "1:30am BST"


def test_followers_are_told_when_a_published_challenge_changes(world, startup):
    services.follow_set(user=startup.user, challenge=world.challenge, following=True)
    services.challenge_update(
        actor=world.owner.user, challenge=world.challenge, closes_at=later(days=20)
    )
    notification = startup.user.notifications.get()
    assert "updated" in notification.subject
    assert "BST" in notification.body or "GMT" in notification.body


def test_a_published_challenge_cannot_close_in_the_past(world):
    with pytest.raises(ValidationError):
        services.challenge_update(
            actor=world.owner.user,
            challenge=world.challenge,
            closes_at=timezone.now() - datetime.timedelta(hours=1),
        )
    world.challenge.refresh_from_db()
    assert world.challenge.closes_at > timezone.now()


def test_clarification_is_published_anonymously_and_followers_told(world, startup):
    other = MembershipFactory(organisation=OrganisationFactory(start_up=True), admin=True)
    services.follow_set(user=other.user, challenge=world.challenge, following=True)
    asked = services.clarification_ask(
        actor=startup.user, challenge=world.challenge, question="Is Welsh needed? — Sam at Acme"
    )
    services.clarification_publish(
        actor=world.owner.user, clarification=asked, question="Is Welsh needed?", answer="Yes."
    )
    body = other.user.notifications.get().body
    assert "Is Welsh needed?" in body and "Acme" not in body


@pytest.mark.parametrize("title", ["Fewer\r\nBcc: all@example.org", "A\x00B"])
def test_titles_and_criteria_are_single_line(provider, title):
    with pytest.raises(ValidationError):
        services.challenge_create(
            actor=provider.user,
            owner=provider.organisation,
            title=title,
            problem="P",
            closes_at=later(days=3),
        )
    challenge = build_challenge(provider, publish=False)
    with pytest.raises(ValidationError):
        services.criteria_set(
            actor=provider.user, challenge=challenge, criteria=[{"name": title, "weight": 100}]
        )
    assert Challenge.objects.count() == 1


def test_deleting_an_account_drops_follows_and_the_contact_address(world, startup):
    from trials.data_rights import account_delete

    services.follow_set(user=startup.user, challenge=world.challenge, following=True)
    owner = world.owner.user
    Challenge.objects.filter(pk=world.challenge.pk).update(
        contact_name=owner.get_full_name(), contact_email=owner.email
    )
    MembershipFactory(organisation=startup.organisation, role="admin")
    MembershipFactory(organisation=world.owner.organisation, role="admin")
    account_delete(actor=startup.user, user=startup.user)
    account_delete(actor=owner, user=owner)
    challenge = Challenge.objects.get(pk=world.challenge.pk)
    assert not challenge.follows.exists()
    assert (challenge.contact_name, challenge.contact_email) == ("", "")
    assert challenge.status == world.challenge.status  # the challenge itself stays
