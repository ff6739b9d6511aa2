import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from core.exceptions import Conflict, InvalidTransition
from testbeds import services as testbed_services
from testbeds.availability import nearest_free_windows
from testbeds.models import Booking, WaitlistEntry
from tests.factories import MembershipFactory, OrganisationFactory, TestBedFactory
from trials import services
from trials.models import Trial, TrialEvent

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def d(days: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=days)


@pytest.fixture
def testbed(provider):
    return TestBedFactory(organisation=provider.organisation, capacity=1)


def request(startup, testbed, first, last, **extra):
    return services.trial_request(
        actor=startup.user,
        organisation=startup.organisation,
        testbed=testbed,
        title=extra.pop("title", "Air quality sensing"),
        summary="Sensors on lamp posts.",
        first_day=first,
        last_day=last,
        **extra,
    )


def another_startup():
    return MembershipFactory(organisation=OrganisationFactory(start_up=True), admin=True)


def test_request_creates_a_trial_and_a_pending_booking_and_tells_the_provider(
    startup, testbed, provider, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        trial = request(startup, testbed, d(10), d(23))
    assert trial.status == "requested"
    assert trial.booking.status == "pending"
    assert (trial.booking.start, trial.booking.end) == (d(10), d(24))  # half-open
    assert trial.booking.unit is None
    event = TrialEvent.objects.get(trial=trial)
    assert (event.from_status, event.to_status, event.actor) == ("", "requested", startup.user)
    assert [m.to for m in mail.outbox] == [[provider.user.email]]
    assert provider.user.notifications.count() == 1


def test_pending_requests_do_not_hold_capacity(startup, testbed):
    request(startup, testbed, d(10), d(20))
    second = request(another_startup(), testbed, d(15), d(25))
    assert second.status == "requested"


def test_approval_books_the_days_and_blocks_overlapping_requests(startup, testbed, provider):
    trial = request(startup, testbed, d(10), d(23))
    services.trial_approve(actor=provider.user, trial=trial)
    trial.refresh_from_db()
    assert trial.status == "approved"
    assert trial.booking.status == "confirmed"
    assert trial.booking.unit == 1
    with pytest.raises(Conflict) as error:
        request(another_startup(), testbed, d(20), d(30))
    assert error.value.code == "capacity"
    windows = error.value.details["nearest_free_windows"]
    assert windows and all(
        w["first_day"] >= d(24).isoformat() or w["last_day"] < d(10).isoformat() for w in windows
    )
    assert Trial.objects.count() == 1


def test_back_to_back_bookings_both_fit(startup, testbed, provider):
    first = request(startup, testbed, d(10), d(19))
    services.trial_approve(actor=provider.user, trial=first)
    second = request(another_startup(), testbed, d(20), d(29))
    services.trial_approve(actor=provider.user, trial=second)
    assert Booking.objects.filter(status="confirmed").count() == 2


def test_cancelled_and_declined_bookings_do_not_block(startup, testbed, provider):
    first = request(startup, testbed, d(10), d(19))
    services.trial_approve(actor=provider.user, trial=first)
    services.trial_cancel(actor=startup.user, trial=first, reason="Funding fell through")
    second = request(another_startup(), testbed, d(10), d(19))
    services.trial_decline(actor=provider.user, trial=second, reason="Not a fit")
    third = request(another_startup(), testbed, d(10), d(19))
    services.trial_approve(actor=provider.user, trial=third)
    assert (
        third.booking.status == "confirmed"
        or Booking.objects.get(trial=third).status == "confirmed"
    )


def test_approval_rechecks_and_refuses_when_days_filled_meanwhile(startup, testbed, provider):
    a = request(startup, testbed, d(10), d(19))
    b = request(another_startup(), testbed, d(15), d(25))
    services.trial_approve(actor=provider.user, trial=a)
    with pytest.raises(Conflict):
        services.trial_approve(actor=provider.user, trial=b)
    b.refresh_from_db()
    assert b.status == "requested"
    assert b.booking.status == "pending"


def test_capacity_three_takes_three(startup, provider):
    testbed = TestBedFactory(organisation=provider.organisation, capacity=3)
    trials = [request(another_startup(), testbed, d(10), d(20)) for _ in range(4)]
    for trial in trials[:3]:
        services.trial_approve(actor=provider.user, trial=trial)
    with pytest.raises(Conflict):
        services.trial_approve(actor=provider.user, trial=trials[3])
    units = sorted(Booking.objects.filter(status="confirmed").values_list("unit", flat=True))
    assert units == [1, 2, 3]


def test_fragmented_units_are_repacked(provider):
    """Capacity 2: A holds unit 1 before day 15, B unit 2 from day 15. C (days 12–17) has a
    free place every day but no single free unit, so B moves to unit 1 and C takes unit 2."""
    testbed = TestBedFactory(organisation=provider.organisation, capacity=2)

    def approved(first, last):
        trial = request(another_startup(), testbed, d(first), d(last))
        services.trial_approve(actor=provider.user, trial=trial)
        return Booking.objects.get(trial=trial)

    a = approved(10, 14)
    temporary = approved(15, 19)
    b = approved(15, 19)
    assert (a.unit, temporary.unit, b.unit) == (1, 1, 2)
    services.trial_cancel(actor=provider.user, trial=temporary.trial, reason="Moved")
    c = approved(12, 17)
    b.refresh_from_db()
    assert (b.unit, c.unit) == (1, 2)
    confirmed = list(Booking.objects.filter(status="confirmed"))
    for day in range(30):
        on_day = [x for x in confirmed if x.start <= d(day) < x.end]
        assert len(on_day) <= 2
        assert len({x.unit for x in on_day}) == len(on_day)


@pytest.mark.parametrize(
    ("first", "last", "rules", "code"),
    [
        (3, 10, {"notice_days": 7}, "notice"),
        (10, 400, {"horizon_days": 200}, "horizon"),
        (10, 12, {"min_days": 7}, "too_short"),
        (10, 50, {"max_days": 14}, "too_long"),
        (10, 20, {"status": "paused"}, "not_published"),
    ],
)
def test_rules_are_enforced_with_a_message_that_says_what_fits(
    startup, provider, first, last, rules, code
):
    testbed = TestBedFactory(organisation=provider.organisation, **rules)
    with pytest.raises(ValidationError) as error:
        request(startup, testbed, d(first), d(last))
    codes = {e.code for errors in error.value.error_dict.values() for e in errors}
    assert code in codes
    assert not Trial.objects.exists()
    message = " ".join(error.value.messages)
    if code == "notice":
        assert "earliest first day" in message
    if code in ("too_short", "too_long"):
        assert "Starting on" in message


def test_blackouts_refuse_and_suggest(startup, testbed, provider):
    testbed_services.blackout_add(
        actor=provider.user, testbed=testbed, first_day=d(12), last_day=d(14), reason="Road works"
    )
    with pytest.raises(ValidationError) as error:
        request(startup, testbed, d(10), d(20))
    message = " ".join(error.value.messages)
    assert "Road works" in message
    assert "would fit" in message
    suggested = error.value.message_dict["first_day"][0].split("would fit: ")[1]
    assert d(12).strftime("%-d %B") not in suggested


def test_a_request_whose_days_were_closed_meanwhile_cannot_be_approved(
    client, startup, testbed, provider
):
    trial = request(startup, testbed, d(10), d(20))
    testbed_services.blackout_add(
        actor=provider.user, testbed=testbed, first_day=d(12), last_day=d(14), reason="Road works"
    )
    client.force_login(provider.user)
    queue = client.get(reverse("trials:approval_queue"))
    assert [row["fits"] for row in queue.context["rows"]] == [False]
    with pytest.raises(Conflict, match="Road works") as error:
        services.trial_approve(actor=provider.user, trial=trial)
    assert error.value.code == "closed"
    trial.refresh_from_db()
    assert (trial.status, trial.booking.status) == ("requested", "pending")


def test_required_application_questions(startup, testbed, provider):
    question = testbed_services.question_add(
        actor=provider.user, testbed=testbed, text="Do you hold insurance?", kind="yes-no"
    )
    with pytest.raises(ValidationError):
        request(startup, testbed, d(10), d(20))
    trial = request(startup, testbed, d(10), d(20), answers={str(question.pk): "yes"})
    assert trial.answers == [
        {"question_id": question.pk, "question": "Do you hold insurance?", "answer": "yes"}
    ]


def test_test_bed_without_approval_confirms_at_once(startup, provider):
    testbed = TestBedFactory(organisation=provider.organisation, requires_approval=False)
    trial = request(startup, testbed, d(10), d(20))
    assert trial.status == "approved"
    assert trial.booking.status == "confirmed"
    assert list(TrialEvent.objects.filter(trial=trial).values_list("to_status", flat=True)) == [
        "requested",
        "approved",
    ]


def test_only_the_provider_approves_and_only_the_start_up_withdraws(startup, testbed, provider):
    trial = request(startup, testbed, d(10), d(20))
    with pytest.raises(PermissionDenied):
        services.trial_approve(actor=startup.user, trial=trial)
    with pytest.raises(PermissionDenied):
        services.trial_withdraw(actor=provider.user, trial=trial)
    services.trial_withdraw(actor=startup.user, trial=trial)
    trial.refresh_from_db()
    assert trial.status == "withdrawn"
    assert trial.booking.status == "released"
    with pytest.raises(InvalidTransition):
        services.trial_approve(actor=provider.user, trial=trial)


def test_a_step_that_fails_part_way_leaves_no_event_and_no_change(startup, testbed, provider):
    """The status move and its event are written first; a failure after them undoes both."""
    from unittest import mock

    trial = request(startup, testbed, d(10), d(20))
    services.trial_approve(actor=provider.user, trial=trial)
    events = TrialEvent.objects.count()
    with (
        mock.patch("testbeds.booking.release", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        services.trial_cancel(actor=provider.user, trial=trial, reason="Site closed")
    assert TrialEvent.objects.count() == events
    trial.refresh_from_db()
    assert (trial.status, trial.booking.status) == ("approved", "confirmed")


def test_waitlist_is_offered_freed_days_in_order(
    startup, testbed, provider, django_capture_on_commit_callbacks
):
    trial = request(startup, testbed, d(10), d(20))
    services.trial_approve(actor=provider.user, trial=trial)
    first, second = another_startup(), another_startup()
    for member in (first, second):
        services.waitlist_join(
            actor=member.user,
            organisation=member.organisation,
            testbed=testbed,
            title="Waiting",
            summary="",
            first_day=d(12),
            last_day=d(18),
        )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.trial_cancel(actor=provider.user, trial=trial, reason="Site closed for repairs")
    entries = list(WaitlistEntry.objects.order_by("created_at"))
    assert [e.status for e in entries] == ["offered", "offered"]
    offers = AuditEvent.objects.filter(action="waitlist.offered").order_by("id")
    assert [event.organisation_id for event in offers] == [
        first.organisation_id,
        second.organisation_id,
    ]
    recipients = [m.to[0] for m in mail.outbox]
    assert recipients.index(first.user.email) < recipients.index(second.user.email)
    assert startup.user.email in recipients  # the start-up hears of the cancellation
    taken = services.waitlist_take_offer(actor=first.user, entry=entries[0])
    assert taken.status == "requested"
    assert taken.booking.start == d(12)


def test_full_request_page_offers_the_waitlist(client, startup, testbed, provider):
    trial = request(startup, testbed, d(10), d(20))
    services.trial_approve(actor=provider.user, trial=trial)
    other = another_startup()
    client.force_login(other.user)
    data = {"title": "Mine", "summary": "Please", "first_day": d(12), "last_day": d(15)}
    response = client.post(reverse("trials:request", args=[testbed.slug]), data)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Join the waitlist" in html
    assert "nearest free dates" in html
    client.post(reverse("trials:request", args=[testbed.slug]), {**data, "waitlist": "1"})
    assert WaitlistEntry.objects.filter(organisation=other.organisation).exists()


def test_api_request_conflict_answers_409_with_windows(client, startup, testbed, provider):
    client.force_login(startup.user)
    body = {
        "testbed": testbed.slug,
        "title": "A",
        "summary": "B",
        "first_day": d(10),
        "last_day": d(20),
    }
    created = client.post("/api/v1/trials/", body, content_type="application/json")
    assert created.status_code == 201, created.json()
    client.force_login(provider.user)
    approved = client.post(
        f"/api/v1/trials/{created.json()['id']}/approve/", {}, content_type="application/json"
    )
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    other = another_startup()
    client.force_login(other.user)
    clash = client.post("/api/v1/trials/", body, content_type="application/json")
    assert clash.status_code == 409
    assert clash.json()["code"] == "capacity"
    assert clash.json()["nearest_free_windows"]
    bad = client.post(
        "/api/v1/trials/", {**body, "first_day": "2026-02-30"}, content_type="application/json"
    )
    assert bad.status_code == 400
    assert "first_day" in bad.json()["errors"]


def test_api_availability(client, startup, testbed, provider):
    trial = request(startup, testbed, d(10), d(12))
    services.trial_approve(actor=provider.user, trial=trial)
    response = client.get(
        f"/api/v1/testbeds/{testbed.slug}/availability/", {"from": d(9), "to": d(13)}
    )
    assert response.status_code == 200
    assert [day["free"] for day in response.json()] == [1, 0, 0, 0, 1]
    assert (
        client.get(f"/api/v1/testbeds/{testbed.slug}/availability/", {"from": d(9)}).status_code
        == 400
    )


def test_nearest_free_windows(startup, testbed, provider):
    trial = request(startup, testbed, d(10), d(19))
    services.trial_approve(actor=provider.user, trial=trial)
    windows = nearest_free_windows(testbed, start=d(12), days=5)
    assert windows
    for start, end in windows:
        assert end <= d(10) or start >= d(20)
        assert (end - start).days == 5


def test_other_start_ups_cannot_see_the_trial(client, startup, testbed):
    trial = request(startup, testbed, d(10), d(20))
    client.force_login(another_startup().user)
    assert client.get(trial.get_absolute_url()).status_code == 404
    assert client.get(f"/api/v1/trials/{trial.pk}/").status_code == 404
    assert client.post(reverse("trials:withdraw", args=[trial.pk])).status_code == 404
    client.logout()
    assert client.get(trial.get_absolute_url()).status_code == 302


def test_approval_queue_shows_fit_and_answers(client, startup, testbed, provider):
    approved = request(startup, testbed, d(10), d(20), title="Approved")
    full = request(another_startup(), testbed, d(15), d(25), title="Days now full")
    fits = request(another_startup(), testbed, d(30), d(35), title="Fits")
    services.trial_approve(actor=provider.user, trial=approved)
    client.force_login(provider.user)
    response = client.get(reverse("trials:approval_queue"))
    fit = {row["trial"].pk: row["fits"] for row in response.context["rows"]}
    assert fit == {full.pk: False, fits.pk: True}
    html = response.content.decode()
    assert "Days now full" in html and "No: the days are full" in html


def test_approval_queue_queries_do_not_grow_with_requests(
    client, startup, testbed, provider, django_assert_max_num_queries
):
    client.force_login(provider.user)
    request(startup, testbed, d(10), d(12))
    with django_assert_max_num_queries(10) as few:
        client.get(reverse("trials:approval_queue"))
    for offset in range(5):
        request(another_startup(), testbed, d(20 + 5 * offset), d(22 + 5 * offset))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("trials:approval_queue")).status_code == 200


def test_a_too_long_note_is_refused_not_dropped(client, startup, testbed, provider):
    trial = request(startup, testbed, d(10), d(12))
    client.force_login(provider.user)
    response = client.post(reverse("trials:approve", args=[trial.pk]), {"note": "n" * 2001})
    assert response.status_code == 302
    trial.refresh_from_db()
    assert trial.status == "requested"
    page = client.get(trial.get_absolute_url()).content.decode()
    assert "at most 2000 characters" in page
    client.post(reverse("trials:approve", args=[trial.pk]), {"note": "Welcome."})
    trial.refresh_from_db()
    assert trial.status == "approved"
    assert trial.events.get(to_status="approved").note == "Welcome."


def test_capacity_is_lowered_only_while_no_day_needs_more_places(startup, provider):
    testbed = TestBedFactory(organisation=provider.organisation, capacity=2)
    first = request(startup, testbed, d(10), d(14))
    second = request(another_startup(), testbed, d(12), d(19))
    for trial in (first, second):
        services.trial_approve(actor=provider.user, trial=trial)
    services.trial_cancel(actor=provider.user, trial=first, reason="Withdrawn by the council")
    second.booking.refresh_from_db()
    assert second.booking.unit == 2  # a higher place is still held, by one trial a day
    testbed_services.testbed_update(actor=provider.user, testbed=testbed, capacity=1)
    testbed_services.testbed_update(actor=provider.user, testbed=testbed, capacity=2)
    third = request(another_startup(), testbed, d(15), d(16))
    services.trial_approve(actor=provider.user, trial=third)
    with pytest.raises(ValidationError, match="need 2 parallel places until"):
        testbed_services.testbed_update(actor=provider.user, testbed=testbed, capacity=1)
    testbed.refresh_from_db()
    assert testbed.capacity == 2


def test_every_service_keeps_the_free_runs_up_to_date(startup, provider):
    """The free-dates search reads free runs; each change through the services rebuilds them."""
    from testbeds.availability import rebuild_free_runs
    from testbeds.models import FreeRun

    def runs(testbed) -> list[tuple[int, int]]:
        return list(testbed.free_runs.order_by("first_day").values_list("first_day", "end_day"))

    def assert_current(testbed) -> None:
        kept = runs(testbed)
        rebuild_free_runs([testbed.pk])
        assert kept == runs(testbed)

    testbed = testbed_services.testbed_create(
        actor=provider.user,
        organisation=provider.organisation,
        sectors=["transport"],
        **{
            field: getattr(TestBedFactory.build(), field)
            for field in ("name", "summary", "description", "region", "town")
        },
        capacity=1,
        notice_days=0,
    )
    assert FreeRun.objects.filter(testbed=testbed).exists()
    testbed.status = "published"
    testbed.save(update_fields=["status"])
    trial = request(startup, testbed, d(10), d(20))
    services.trial_approve(actor=provider.user, trial=trial)
    assert_current(testbed)
    closure = testbed_services.blackout_add(
        actor=provider.user, testbed=testbed, first_day=d(30), last_day=d(32), reason="Works"
    )
    assert_current(testbed)
    testbed_services.blackout_remove(actor=provider.user, blackout=closure)
    assert_current(testbed)
    testbed_services.testbed_update(actor=provider.user, testbed=testbed, capacity=3)
    assert_current(testbed)
    testbed_services.testbed_update(actor=provider.user, testbed=testbed, capacity=1)
    assert_current(testbed)
    services.trial_cancel(actor=provider.user, trial=trial, reason="Council needs the site")
    assert_current(testbed)
