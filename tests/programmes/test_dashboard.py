"""Each role's dashboard after sign-in (issue 22.3), and the navigation that leads to it."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.challenges.conftest import applied, assessor_of, build_challenge
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    ProgrammeFactory,
    TestBedFactory,
    enrolled,
)
from trials import services

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def d(days: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=days)


def signed_in(membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


def make_trials(startup, provider, n: int, *, programme=None, approve=True, offset=0):
    trials = []
    for i in range(n):
        # One live request per start-up, test bed and day: a test bed each.
        testbed = TestBedFactory(organisation=provider.organisation, capacity=100)
        trial = services.trial_request(
            actor=startup.user,
            organisation=startup.organisation,
            testbed=testbed,
            title=f"Trial {offset + i}",
            summary="S",
            first_day=TODAY,
            last_day=d(10),
            programme=enrolled(startup.organisation, programme) if programme else None,
        )
        if approve:
            services.trial_approve(actor=provider.user, trial=trial)
        trials.append(trial)
    return trials


def queries(client: Client, url: str = "/dashboard/") -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_sign_in_lands_on_the_dashboard(client, startup):
    startup.user.set_password("a-long-password-2026")
    startup.user.save()
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(
        user=startup.user, email=startup.user.email, defaults={"verified": True, "primary": True}
    )
    response = client.post(
        reverse("account_login"),
        {"login": startup.user.email, "password": "a-long-password-2026"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"


def test_start_up_sees_its_trials_and_what_each_needs_next(startup, provider):
    trial = make_trials(startup, provider, 1)[0]
    waiting = make_trials(startup, provider, 1, approve=False, offset=1)[0]
    html = signed_in(startup).get("/dashboard/").content.decode()
    assert trial.title in html and "Start the trial" in html
    assert waiting.title in html and "Waiting for the provider to approve" in html


def test_start_up_dashboard_queries_do_not_grow(startup, provider):
    make_trials(startup, provider, 2)
    client = signed_in(startup)
    few = queries(client)
    make_trials(startup, provider, 15, offset=2)
    assert queries(client) == few


def test_provider_sees_requests_test_beds_and_this_week(startup, provider):
    running = make_trials(startup, provider, 1)[0]
    waiting = make_trials(startup, provider, 1, approve=False, offset=1)[0]
    html = signed_in(provider).get("/dashboard/").content.decode()
    assert "Requests waiting for your decision" in html and waiting.title in html
    assert "Running this week" in html and running.title in html
    assert running.testbed.name in html


def test_provider_dashboard_queries_do_not_grow(startup, provider):
    make_trials(startup, provider, 2)
    make_trials(startup, provider, 1, approve=False, offset=5)
    client = signed_in(provider)
    few = queries(client)
    make_trials(startup, provider, 12, offset=10)
    make_trials(startup, provider, 6, approve=False, offset=30)
    assert queries(client) == few


def test_officer_sees_reviews_waiting_and_overdue_evidence(startup, provider, settings):
    programme = ProgrammeFactory()
    officer = MembershipFactory(organisation=programme.team)
    trials = make_trials(startup, provider, 2, programme=programme)
    from trials.models import Trial

    Trial.objects.filter(pk=trials[0].pk).update(status="submitted", submitted_at=timezone.now())
    Trial.objects.filter(pk=trials[1].pk).update(
        status="completed",
        completed_at=timezone.now() - datetime.timedelta(days=settings.EVIDENCE_DUE_DAYS + 1),
    )
    client = signed_in(officer)
    html = client.get("/dashboard/").content.decode()
    assert "Evidence waiting for your review" in html and "Trial 0" in html
    assert "Evidence overdue" in html and "Trial 1" in html
    few = queries(client)
    more = make_trials(startup, provider, 8, programme=programme, offset=10)
    Trial.objects.filter(pk__in=[t.pk for t in more]).update(
        status="submitted", submitted_at=timezone.now()
    )
    assert queries(client) == few


def test_partner_sees_the_trials_it_is_partner_on(startup, provider):
    trial = make_trials(startup, provider, 1)[0]
    company = MembershipFactory(organisation=OrganisationFactory(kind="company"), admin=True)
    from trials.models import TrialPartner

    TrialPartner.objects.create(
        trial=trial,
        organisation=company.organisation,
        email=company.user.email,
        role="technology",
        contribution="Sensors",
        token_hash="x" * 64,
        expires_at=timezone.now(),
        accepted_at=timezone.now(),
    )
    html = signed_in(company).get("/dashboard/").content.decode()
    assert "Trials you are partner in" in html and trial.title in html


def test_assessor_sees_applications_to_score(provider, startup):
    testbed = TestBedFactory(organisation=provider.organisation)
    challenge = build_challenge(provider, [testbed])
    applied(challenge, testbed, startup)
    assessor = assessor_of(challenge, provider)
    client = Client()
    client.force_login(assessor.user)
    html = client.get("/dashboard/").content.decode()
    assert "Applications to score" in html
    assert "1 application to score" in html


def test_navigation_lights_the_section_you_are_in(provider):
    testbed = TestBedFactory(organisation=provider.organisation)
    client = signed_in(provider)

    def lit(url: str) -> list[str]:
        html = client.get(url).content.decode()
        nav = html.split('id="navigation"', 1)[1].split("</ul>", 1)[0]
        return [
            chunk.split(">", 2)[2].split("<", 1)[0]
            for chunk in nav.split('aria-current="true"')[1:]
        ]

    assert lit("/dashboard/") == ["Dashboard"]
    assert lit(reverse("testbeds:manage", args=[testbed.slug])) == ["Your test beds"]
    assert lit(reverse("testbeds:create")) == ["Your test beds"]
    assert lit(reverse("testbeds:catalogue")) == ["Find test beds"]
    assert lit(testbed.get_absolute_url()) == ["Find test beds"]
    assert lit(reverse("trials:approval_queue")) == ["Requests"]
    assert lit(reverse("trials:list")) == ["Trials"]


def test_officer_navigation_has_reviews():
    programme = ProgrammeFactory()
    officer = MembershipFactory(organisation=programme.team)
    html = signed_in(officer).get(reverse("trials:list") + "?status=submitted").content.decode()
    nav = html.split('id="navigation"', 1)[1].split("</ul>", 1)[0]
    assert "?status=submitted" in nav
    assert (
        'aria-current="true"><strong class="govuk-service-navigation__active-fallback">Reviews'
        in nav
    )


def test_provider_dashboard_counts_requests_beyond_those_it_lists(startup, provider):
    """The count of waiting requests is exact past the 20 listed (it is counted only then)."""
    make_trials(startup, provider, 21, approve=False)
    html = signed_in(provider).get("/dashboard/").content.decode()
    assert '<span class="govuk-tag govuk-tag--yellow">21</span>' in html
    assert html.count('<li><a class="govuk-link" href="/trials/') == 20


def test_provider_dashboard_reads_each_section_once(startup, provider):
    """Session, person with memberships, notifications; then requests (counted only past 20),
    test beds, this week, partnerships, challenges assessed: eight queries."""
    make_trials(startup, provider, 2)
    make_trials(startup, provider, 2, approve=False, offset=5)
    assert queries(signed_in(provider)) == 8
