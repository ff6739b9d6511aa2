"""Steps that release days, end a trial, submit or remove something ask first (issue 22.1).

For each: GET shows an "are you sure" page saying what will happen and changes nothing; a
POST without the confirmation flag (a skipped step) changes nothing either; the page's own
POST (``confirm=yes``) does it, through the service.
"""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from accounts import services as account_services
from accounts import tokens
from accounts.models import ApiToken, Invitation, Membership
from core.text import day_range
from testbeds import services as testbed_services
from testbeds.models import Blackout, Booking
from tests.factories import MembershipFactory, TestBedFactory
from trials import services
from trials.models import EvidenceFile, Kpi, Trial, TrialPartner, TrialStatus

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
CONFIRM = {"confirm": "yes"}


def d(days: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=days)


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 90, 160)).save(out, "JPEG")
    return out.getvalue()


def signed_in(membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


def asks(client: Client, url: str, *expected: str) -> str:
    """GET and a flagless POST both answer the confirmation page, naming what will happen."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    html = page.content.decode()
    assert 'name="confirm" value="yes"' in html
    for text in expected:
        assert text in html, text
    skipped = client.post(url, {"reason": "Because"})
    assert skipped.status_code == 200
    assert 'name="confirm" value="yes"' in skipped.content.decode()
    return html


def test_completing_early_says_which_days_go_back_and_acts_only_when_confirmed(
    startup, active_trial
):
    client = signed_in(startup)
    url = reverse("trials:complete", args=[active_trial.pk])
    days = day_range(d(1), d(20))
    html = asks(client, url, "Mark the trial as complete?", f"the days from {days} go back")
    assert "Keep the booking to its end" in html
    active_trial.refresh_from_db()
    assert active_trial.status == TrialStatus.ACTIVE
    assert active_trial.booking.end == d(21)

    response = client.post(url, {**CONFIRM, "rest": "release"})
    assert response.status_code == 302
    active_trial.refresh_from_db()
    assert active_trial.status == TrialStatus.COMPLETED
    assert active_trial.booking.end == d(1)


def test_completing_early_can_keep_the_booking_to_its_end(startup, active_trial):
    client = signed_in(startup)
    url = reverse("trials:complete", args=[active_trial.pk])
    client.post(url, {**CONFIRM, "rest": "keep", "note": "Removing kit next week"})
    active_trial.refresh_from_db()
    assert active_trial.status == TrialStatus.COMPLETED
    assert active_trial.booking.end == d(21)
    assert active_trial.events.filter(to_status="completed", note__contains="kit").exists()


def test_the_complete_choice_is_required_when_days_would_go_back(startup, active_trial):
    response = signed_in(startup).post(
        reverse("trials:complete", args=[active_trial.pk]), {**CONFIRM}
    )
    assert response.status_code == 400
    assert "Choose what happens to the rest of the booking" in response.content.decode()
    active_trial.refresh_from_db()
    assert active_trial.status == TrialStatus.ACTIVE


def test_day_range_reads_like_people_write_dates():
    assert day_range(datetime.date(2026, 12, 4), datetime.date(2026, 12, 24)) == (
        "4 to 24 December 2026"
    )
    assert day_range(datetime.date(2026, 11, 28), datetime.date(2026, 12, 3)) == (
        "28 November to 3 December 2026"
    )
    assert day_range(datetime.date(2026, 12, 30), datetime.date(2027, 1, 2)) == (
        "30 December 2026 to 2 January 2027"
    )


def test_cancel_asks_for_the_reason_on_the_confirmation_page(startup, active_trial):
    client = signed_in(startup)
    url = reverse("trials:cancel", args=[active_trial.pk])
    asks(client, url, "Cancel the trial?", f"days from {day_range(d(1), d(20))} go back")
    assert Trial.objects.get(pk=active_trial.pk).status == TrialStatus.ACTIVE
    missing = client.post(url, {**CONFIRM, "reason": ""})
    assert missing.status_code == 400
    assert Trial.objects.get(pk=active_trial.pk).status == TrialStatus.ACTIVE
    client.post(url, {**CONFIRM, "reason": "Funding ended"})
    assert Trial.objects.get(pk=active_trial.pk).status == TrialStatus.CANCELLED


def test_withdraw_asks_first(startup, provider):
    testbed = TestBedFactory(organisation=provider.organisation, requires_approval=True)
    trial = services.trial_request(
        actor=startup.user,
        organisation=startup.organisation,
        testbed=testbed,
        title="Bins",
        summary="S",
        first_day=d(30),
        last_day=d(35),
    )
    client = signed_in(startup)
    url = reverse("trials:withdraw", args=[trial.pk])
    asks(client, url, "Withdraw your request?", day_range(d(30), d(35)))
    assert Trial.objects.get(pk=trial.pk).status == TrialStatus.REQUESTED
    client.post(url, CONFIRM)
    assert Trial.objects.get(pk=trial.pk).status == TrialStatus.WITHDRAWN


def test_submit_asks_first(startup, active_trial, django_capture_on_commit_callbacks):
    kpi = services.kpi_add(
        actor=startup.user, trial=active_trial, name="Fill", baseline=0, target=1
    )
    services.measurement_add(actor=startup.user, kpi=kpi, value=1, date=TODAY)
    services.trial_update_plan(actor=startup.user, trial=active_trial, objectives="Find out")
    services.trial_complete(actor=startup.user, trial=active_trial)
    services.trial_update_outcome(
        actor=startup.user,
        trial=active_trial,
        outcome_summary="Worked",
        lessons_learned="Many",
        safety_incidents="None",
        recommendation="scale",
        trl_achieved=7,
    )
    client = signed_in(startup)
    url = reverse("trials:submit", args=[active_trial.pk])
    asks(client, url, "Submit the evidence for review?")
    assert Trial.objects.get(pk=active_trial.pk).status == TrialStatus.COMPLETED
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, CONFIRM)
    assert Trial.objects.get(pk=active_trial.pk).status == TrialStatus.SUBMITTED


def test_removing_a_kpi_a_file_or_a_partner_asks_first(startup, active_trial):
    client = signed_in(startup)
    kpi = services.kpi_add(
        actor=startup.user, trial=active_trial, name="Fill", baseline=0, target=1
    )
    url = reverse("trials:kpi_remove", args=[active_trial.pk, kpi.pk])
    asks(client, url, "Remove the KPI “Fill”?")
    assert Kpi.objects.filter(pk=kpi.pk).exists()
    client.post(url, CONFIRM)
    assert not Kpi.objects.filter(pk=kpi.pk).exists()

    evidence = services.evidence_file_add(
        actor=startup.user,
        trial=active_trial,
        upload=SimpleUploadedFile("site.jpg", jpeg()),
        caption="Site",
    )
    url = reverse("trials:file_remove", args=[active_trial.pk, evidence.pk])
    asks(client, url, "Remove “site.jpg”?")
    assert EvidenceFile.objects.get(pk=evidence.pk).removed_at is None
    client.post(url, CONFIRM)
    assert EvidenceFile.objects.get(pk=evidence.pk).removed_at is not None

    partner, _token = services.partner_invite(
        actor=startup.user,
        trial=active_trial,
        email="lab@uni.test",
        role="evaluator",
        contribution="Analysis",
    )
    url = reverse("trials:partner_remove", args=[active_trial.pk, partner.pk])
    asks(client, url, "Withdraw the invitation to lab@uni.test?")
    assert TrialPartner.objects.get(pk=partner.pk).status == "invited"
    client.post(url, CONFIRM)
    assert TrialPartner.objects.get(pk=partner.pk).status != "invited"


def test_withdrawing_a_change_of_dates_asks_first(startup, active_trial):
    change = services.change_request_create(
        actor=startup.user, trial=active_trial, first_day=TODAY, last_day=d(25), reason="More"
    )
    client = signed_in(startup)
    url = reverse("trials:change_withdraw", args=[active_trial.pk, change.pk])
    asks(client, url, "Withdraw your change of dates?")
    change.refresh_from_db()
    assert change.status == "pending"
    client.post(url, CONFIRM)
    change.refresh_from_db()
    assert change.status == "withdrawn"


def test_provider_removals_ask_first(provider):
    client = signed_in(provider)
    testbed = TestBedFactory(organisation=provider.organisation)
    photo = testbed_services.photo_add(
        actor=provider.user, testbed=testbed, upload=io.BytesIO(jpeg()), alt_text="The depot"
    )
    url = reverse("testbeds:photo_remove", args=[testbed.slug, photo.pk])
    asks(client, url, "Remove this photo?", "The depot")
    assert testbed.photos.filter(pk=photo.pk).exists()
    client.post(url, CONFIRM)
    assert not testbed.photos.filter(pk=photo.pk).exists()

    closure = testbed_services.blackout_add(
        actor=provider.user, testbed=testbed, first_day=d(40), last_day=d(42), reason="Works"
    )
    url = reverse("testbeds:blackout_remove", args=[testbed.slug, closure.pk])
    asks(client, url, "Remove the closure?", day_range(d(40), d(42)))
    assert Blackout.objects.filter(pk=closure.pk).exists()
    client.post(url, CONFIRM)
    assert not Blackout.objects.filter(pk=closure.pk).exists()

    question = testbed_services.question_add(
        actor=provider.user, testbed=testbed, text="Insured?", kind="yes-no", required=False
    )
    url = reverse("testbeds:question_archive", args=[testbed.slug, question.pk])
    asks(client, url, "Stop asking “Insured?”?")
    question.refresh_from_db()
    assert not question.archived
    client.post(url, CONFIRM)
    question.refresh_from_db()
    assert question.archived

    url = reverse("testbeds:retire", args=[testbed.slug])
    asks(client, url, "Retire")
    testbed.refresh_from_db()
    assert testbed.status != "retired"
    client.post(url, {**CONFIRM, "reason": "Site closed"})
    testbed.refresh_from_db()
    assert testbed.status == "retired"


def test_revoking_tokens_invitations_and_members_asks_first(startup):
    client = signed_in(startup)
    token, _secret = tokens.token_create(actor=startup.user, name="CI")
    url = reverse("integrations:api_token_revoke", args=[token.pk])
    asks(client, url, "Revoke the token “CI”?")
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    client.post(url, CONFIRM)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None

    invitation, _secret = account_services.invitation_send(
        actor=startup.user, organisation=startup.organisation, email="new@startup.test"
    )
    url = reverse("accounts:invitation_revoke", args=[startup.organisation.slug, invitation.pk])
    asks(client, url, "Withdraw the invitation to new@startup.test?")
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is None
    client.post(url, CONFIRM)
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is not None

    member = MembershipFactory(organisation=startup.organisation)
    url = reverse("accounts:membership_remove", args=[startup.organisation.slug, member.pk])
    asks(client, url, "Remove")
    assert Membership.objects.filter(pk=member.pk).exists()
    client.post(url, CONFIRM)
    assert not Membership.objects.filter(pk=member.pk).exists()


def test_a_stranger_gets_no_confirmation_page(startup, other_startup, active_trial):
    """Tenancy comes before the question: not yours is 404, on GET too."""
    client = signed_in(other_startup)
    for name in ("trials:complete", "trials:cancel", "trials:submit", "trials:withdraw"):
        assert client.get(reverse(name, args=[active_trial.pk])).status_code == 404


def test_the_trial_page_links_to_the_confirmation_pages(startup, active_trial):
    html = signed_in(startup).get(active_trial.get_absolute_url()).content.decode()
    assert f'href="{reverse("trials:complete", args=[active_trial.pk])}"' in html
    assert f'href="{reverse("trials:cancel", args=[active_trial.pk])}"' in html
    assert 'action="' + reverse("trials:complete", args=[active_trial.pk]) not in html
    assert Booking.objects.filter(pk=active_trial.booking_id).exists()


def test_add_to_my_calendar_downloads_one_trial(startup, other_startup, active_trial):
    from icalendar import Calendar

    url = reverse("trials:calendar", args=[active_trial.pk])
    html = signed_in(startup).get(active_trial.get_absolute_url()).content.decode()
    assert url in html and "Add to my calendar" in html
    response = signed_in(startup).get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert len(events) == 1
    assert events[0]["SUMMARY"] == f"Smart bins ({active_trial.testbed.name})"
    assert events[0].decoded("DTSTART") == TODAY
    assert events[0].decoded("DTEND") == d(21)
    assert signed_in(other_startup).get(url).status_code == 404


def test_emptying_a_challenge_question_asks_before_removing_it(provider):
    from challenges import services as challenge_services
    from challenges.models import Challenge

    challenge = challenge_services.challenge_create(
        actor=provider.user,
        owner=provider.organisation,
        title="Fewer missed visits",
        problem="Carers miss visits.",
        closes_at=timezone.now() + datetime.timedelta(days=14),
    )
    challenge_services.questions_set(
        actor=provider.user,
        challenge=challenge,
        questions=[
            {"text": "Are you UK-registered?", "kind": "yes-no", "required": True},
            {"text": "Staff count", "kind": "number", "required": False},
        ],
    )
    client = signed_in(provider)
    url = reverse("challenges:questions", args=[challenge.slug])
    data = {"text_1": "Are you UK-registered?", "kind_1": "yes-no", "required_1": "on"}
    page = client.post(url, data)
    assert page.status_code == 200
    assert "Saving removes these questions" in page.content.decode()
    assert "Staff count" in page.content.decode()
    assert Challenge.objects.get(pk=challenge.pk).questions.count() == 2
    assert client.post(url, {**data, **CONFIRM}).status_code == 302
    assert Challenge.objects.get(pk=challenge.pk).questions.count() == 1


def test_leaving_the_waitlist_asks_first(startup, other_startup, provider):
    """GET, a flagless POST and the entry page's old "leave" POST all leave nothing;
    only the confirmation page's own POST takes the start-up off the waitlist."""
    testbed = TestBedFactory(organisation=provider.organisation)
    entry = services.waitlist_join(
        actor=startup.user,
        organisation=startup.organisation,
        testbed=testbed,
        title="Waiting for bins",
        summary="",
        first_day=d(12),
        last_day=d(18),
    )
    client = signed_in(startup)
    entry_url = reverse("trials:waitlist", args=[entry.pk])
    url = reverse("trials:waitlist_leave", args=[entry.pk])
    assert f'href="{url}"' in client.get(entry_url).content.decode()
    asks(client, url, "Leave the waitlist?", day_range(d(12), d(18)), testbed.name)
    old_form = client.post(entry_url, {"action": "leave"})
    assert old_form.status_code == 302 and old_form.url == url
    entry.refresh_from_db()
    assert entry.status == "waiting"
    assert signed_in(other_startup).post(url, CONFIRM).status_code == 404
    entry.refresh_from_db()
    assert entry.status == "waiting"

    response = client.post(url, CONFIRM)
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == "left"
    # Asking again once left: the page still answers, and confirming changes nothing more.
    client.post(url, CONFIRM)
    entry.refresh_from_db()
    assert entry.status == "left"
