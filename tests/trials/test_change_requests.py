"""Changing an approved booking: extend, shorten, move; rules and capacity checked again on
approval, the old days held until then, freed days offered to the waitlist."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, WebhookDelivery, WebhookEndpoint
from core.exceptions import Conflict
from testbeds import services as testbed_services
from testbeds.models import Booking, FreeRun, WaitlistEntry
from tests.factories import MembershipFactory, OrganisationFactory, TestBedFactory
from tests.trials.conftest import book
from trials import services
from trials.models import ChangeRequest, TrialEvent

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def d(days: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=days)


@pytest.fixture
def testbed(provider):
    return TestBedFactory(organisation=provider.organisation, capacity=1, max_days=60)


@pytest.fixture
def approved(startup, provider, testbed):
    return book(startup, testbed, 10, 19, provider)


def ask(startup, trial, first: int, last: int, reason="Ward reopens later"):
    return services.change_request_create(
        actor=startup.user, trial=trial, first_day=d(first), last_day=d(last), reason=reason
    )


def test_extension_is_held_only_after_approval(startup, provider, approved):
    change = ask(startup, approved, 10, 33)
    assert change.kind == ChangeRequest.Kind.EXTEND
    booking = Booking.objects.get(pk=approved.booking_id)
    assert (booking.start, booking.end) == (d(10), d(20))  # the old days stay held
    services.change_request_approve(actor=provider.user, change=change, note="Fine")
    booking.refresh_from_db()
    assert (booking.start, booking.end, booking.status) == (d(10), d(34), "confirmed")
    assert booking.revision == 1
    change.refresh_from_db()
    assert change.status == "approved" and change.decided_by_name == provider.user.full_name
    event = TrialEvent.objects.filter(trial=approved).last()
    assert event.from_status == event.to_status == "approved"
    assert "Dates changed" in event.note
    assert AuditEvent.objects.filter(action="booking.changed").count() == 1
    # the free runs (catalogue search) see the new end
    assert not FreeRun.objects.filter(
        testbed=approved.testbed,
        first_day__lte=(d(25) - datetime.date(1970, 1, 1)).days,
        end_day__gt=(d(25) - datetime.date(1970, 1, 1)).days,
    ).exists()


def test_extension_onto_full_days_is_409_with_the_longest_that_fits(
    startup, provider, testbed, approved
):
    other = MembershipFactory(organisation=OrganisationFactory(start_up=True), admin=True)
    book(other, testbed, 25, 30, provider)
    change = ask(startup, approved, 10, 33)
    with pytest.raises(Conflict) as raised:
        services.change_request_approve(actor=provider.user, change=change)
    assert raised.value.code == "capacity"
    assert raised.value.details["nearest_free_windows"] == [
        {"first_day": d(10).isoformat(), "last_day": d(24).isoformat()}
    ]
    change.refresh_from_db()
    assert change.status == "pending"  # still open: decline or wait
    booking = Booking.objects.get(pk=approved.booking_id)
    assert (booking.start, booking.end) == (d(10), d(20))


def test_move_onto_full_days_offers_the_nearest_same_length(startup, provider, testbed, approved):
    other = MembershipFactory(organisation=OrganisationFactory(start_up=True), admin=True)
    book(other, testbed, 40, 49, provider)
    change = ask(startup, approved, 42, 51)
    assert change.kind == ChangeRequest.Kind.MOVE
    with pytest.raises(Conflict) as raised:
        services.change_request_approve(actor=provider.user, change=change)
    windows = raised.value.details["nearest_free_windows"]
    assert windows, "a move onto full days names free dates"
    for window in windows:
        first = datetime.date.fromisoformat(window["first_day"])
        last = datetime.date.fromisoformat(window["last_day"])
        assert (last - first).days == 9
        assert last < d(40) or first > d(49)  # never on the other trial's days


def test_move_may_overlap_its_own_days(startup, provider, approved):
    change = ask(startup, approved, 15, 24)
    services.change_request_approve(actor=provider.user, change=change)
    booking = Booking.objects.get(pk=approved.booking_id)
    assert (booking.start, booking.end) == (d(15), d(25))


def test_shortening_frees_days_for_the_waitlist(startup, provider, testbed, approved):
    other = MembershipFactory(organisation=OrganisationFactory(start_up=True), admin=True)
    entry = services.waitlist_join(
        actor=other.user,
        organisation=other.organisation,
        testbed=testbed,
        title="Waiting",
        summary="",
        first_day=d(16),
        last_day=d(19),
    )
    change = ask(startup, approved, 10, 15)
    assert change.kind == ChangeRequest.Kind.SHORTEN
    entry.refresh_from_db()
    assert entry.status == "waiting"  # nothing freed before approval
    services.change_request_approve(actor=provider.user, change=change)
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.OFFERED


def test_a_running_trial_keeps_its_first_day_and_cannot_end_before_today(
    startup, provider, testbed
):
    trial = book(startup, testbed, 0, 9, provider, start=True)
    with pytest.raises(ValidationError) as raised:
        ask(startup, trial, 1, 9)
    assert "first_day" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        ask(startup, trial, 0, -1)
    assert "last_day" in raised.value.message_dict
    change = ask(startup, trial, 0, 0)  # ending today is allowed
    services.change_request_approve(actor=provider.user, change=change)
    trial.booking.refresh_from_db()
    assert trial.booking.end == d(1)


def test_rules_are_checked_again_on_approval(startup, provider, testbed, approved):
    change = ask(startup, approved, 10, 40)
    testbed_services.blackout_add(
        actor=provider.user, testbed=testbed, first_day=d(35), last_day=d(36), reason="Works"
    )
    with pytest.raises(Conflict) as raised:
        services.change_request_approve(actor=provider.user, change=change)
    assert raised.value.code == "closed"
    assert "Works" in raised.value.message


def test_a_change_must_keep_to_the_length_rules(startup, approved):
    with pytest.raises(ValidationError) as raised:
        ask(startup, approved, 10, 80)
    assert "at most 60 days" in str(raised.value)


def test_one_open_change_per_trial(startup, provider, approved):
    ask(startup, approved, 10, 25)
    with pytest.raises(Conflict) as raised:
        ask(startup, approved, 10, 22)
    assert raised.value.code == "change_pending"
    assert ChangeRequest.objects.filter(trial=approved).count() == 1


def test_decline_needs_a_reason_and_keeps_the_dates(startup, provider, approved):
    change = ask(startup, approved, 10, 25)
    with pytest.raises(ValidationError):
        services.change_request_decline(actor=provider.user, change=change, reason=" ")
    mail.outbox.clear()
    services.change_request_decline(actor=provider.user, change=change, reason="Ward busy")
    change.refresh_from_db()
    assert change.status == "declined" and change.decision_note == "Ward busy"
    assert Booking.objects.get(pk=approved.booking_id).end == d(20)
    with pytest.raises(Conflict):
        services.change_request_approve(actor=provider.user, change=change)


def test_withdraw_then_ask_again(startup, provider, approved):
    change = ask(startup, approved, 10, 25)
    services.change_request_withdraw(actor=startup.user, change=change)
    again = ask(startup, approved, 10, 22)
    assert again.status == "pending"


def test_only_the_right_side_acts(startup, provider, approved):
    change = ask(startup, approved, 10, 25)
    with pytest.raises(PermissionDenied):
        services.change_request_approve(actor=startup.user, change=change)
    with pytest.raises(PermissionDenied):
        services.change_request_withdraw(actor=provider.user, change=change)
    with pytest.raises(PermissionDenied):
        services.change_request_create(
            actor=provider.user, trial=approved, first_day=d(10), last_day=d(30), reason="x"
        )


def test_requested_or_finished_trials_cannot_change(startup, testbed):
    trial = book(startup, testbed, 10, 19)
    with pytest.raises(Conflict) as raised:
        ask(startup, trial, 10, 25)
    assert raised.value.code == "not_changeable"


def test_webhooks_for_request_and_change(
    startup, provider, approved, django_capture_on_commit_callbacks
):
    for organisation in (startup.organisation, provider.organisation):
        WebhookEndpoint.objects.create(
            organisation=organisation,
            url="https://hooks.example.org/x",
            events=["booking.change_requested", "booking.changed"],
        )
    change = ask(startup, approved, 10, 25)
    services.change_request_approve(actor=provider.user, change=change)
    events = sorted(WebhookDelivery.objects.values_list("event", flat=True))
    assert events == ["booking.change_requested"] * 2 + ["booking.changed"] * 2
    payload = WebhookDelivery.objects.filter(event="booking.changed").first().payload
    assert payload["data"]["last_day"] == d(25).isoformat()


def test_provider_is_told_and_startup_hears_the_decision(
    startup, provider, approved, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        change = ask(startup, approved, 10, 25)
    assert [m.to for m in mail.outbox] == [[provider.user.email]]
    assert "Change of dates asked for" in mail.outbox[0].subject
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.change_request_approve(actor=provider.user, change=change)
    assert [m.to for m in mail.outbox] == [[startup.user.email]]
    assert d(25).strftime("%Y") in mail.outbox[0].body


def test_calendar_feed_shows_new_end_with_a_higher_sequence(client, startup, provider, approved):
    from accounts import services as account_services

    account_services.organisation_reset_calendar_token(
        actor=startup.user, organisation=startup.organisation
    )
    startup.organisation.refresh_from_db()
    url = f"/calendars/organisations/{startup.organisation.calendar_token}.ics"
    change = ask(startup, approved, 10, 25)
    services.change_request_approve(actor=provider.user, change=change)
    body = client.get(url).content.decode()
    assert f"DTEND;VALUE=DATE:{d(26):%Y%m%d}" in body
    assert "SEQUENCE:1" in body


# Pages ------------------------------------------------------------------------------


def test_pages_ask_and_approve(client, startup, provider, approved):
    client.force_login(startup.user)
    url = reverse("trials:change_request", args=[approved.pk])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"first_day": d(10), "last_day": d(25), "reason": ""})
    assert bad.status_code == 400
    assert "Say why the dates need to change." in bad.content.decode()
    response = client.post(url, {"first_day": d(10), "last_day": d(25), "reason": "More data"})
    assert response.status_code == 302
    change = ChangeRequest.objects.get(trial=approved)
    client.force_login(provider.user)
    queue = client.get(reverse("trials:approval_queue")).content.decode()
    assert "More data" in queue
    page = client.get(approved.get_absolute_url()).content.decode()
    assert reverse("trials:change_approve", args=[approved.pk, change.pk]) in page
    client.post(reverse("trials:change_approve", args=[approved.pk, change.pk]), {"note": ""})
    page = client.get(approved.get_absolute_url()).content.decode()
    assert d(25).strftime("%-d %B %Y") in page
    assert "Dates changed" in page


def test_page_conflict_is_409_with_the_message(client, startup, provider, testbed, approved):
    other = MembershipFactory(organisation=OrganisationFactory(start_up=True), admin=True)
    book(other, testbed, 25, 30, provider)
    client.force_login(startup.user)
    url = reverse("trials:change_request", args=[approved.pk])
    client.post(url, {"first_day": d(10), "last_day": d(33), "reason": "x"})
    change = ChangeRequest.objects.get(trial=approved)
    client.force_login(provider.user)
    response = client.post(
        reverse("trials:change_approve", args=[approved.pk, change.pk]), follow=True
    )
    assert "fully booked on some of the added days" in response.content.decode()


# API --------------------------------------------------------------------------------


def api(client, member):
    client.force_login(member.user)
    return client


def test_api_create_list_approve(client, startup, provider, approved):
    base = f"/api/v1/trials/{approved.pk}/change-requests/"
    api(client, startup)
    created = client.post(
        base,
        {"first_day": d(10).isoformat(), "last_day": d(23).isoformat(), "reason": "More"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    change_id = created.json()["id"]
    assert created.json()["kind"] == "extend"
    again = client.post(
        base,
        {"first_day": d(10).isoformat(), "last_day": d(24).isoformat(), "reason": "More"},
        content_type="application/json",
    )
    assert again.status_code == 409 and again.json()["code"] == "change_pending"
    assert client.post(f"/api/v1/change-requests/{change_id}/approve/").status_code == 403
    api(client, provider)
    assert client.get(base).json()["count"] == 1
    approved_response = client.post(f"/api/v1/change-requests/{change_id}/approve/")
    assert approved_response.status_code == 200
    assert approved_response.json()["status"] == "approved"
    trial = client.get(f"/api/v1/trials/{approved.pk}/").json()
    assert trial["last_day"] == d(23).isoformat()


def test_api_conflict_names_the_nearest_dates(client, startup, provider, testbed, approved):
    other = MembershipFactory(organisation=OrganisationFactory(start_up=True), admin=True)
    book(other, testbed, 25, 30, provider)
    change = ask(startup, approved, 10, 33)
    api(client, provider)
    response = client.post(f"/api/v1/change-requests/{change.pk}/approve/")
    assert response.status_code == 409
    assert response.json()["nearest_free_windows"][0]["last_day"] == d(24).isoformat()


def test_api_strangers_get_404(client, startup, provider, approved):
    change = ask(startup, approved, 10, 25)
    stranger = MembershipFactory(organisation=OrganisationFactory(start_up=True), admin=True)
    api(client, stranger)
    assert client.get(f"/api/v1/trials/{approved.pk}/change-requests/").status_code == 404
    assert client.post(f"/api/v1/change-requests/{change.pk}/approve/").status_code == 404
    assert client.post(f"/api/v1/change-requests/{change.pk}/withdraw/").status_code == 404
