"""Booking requests are idempotent (issue 21, item 2).

A start-up's second live request for the same test bed on overlapping days is refused
(409 naming the first); the API honours ``Idempotency-Key``; the web form carries a
one-time token so a double submit lands on the first trial.
"""

import datetime
import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.idempotency import KEEP, clear_expired
from accounts.models import IdempotencyKey
from accounts.tokens import token_create
from core.exceptions import Conflict
from testbeds.models import Booking
from tests.factories import MembershipFactory, OrganisationFactory, TestBedFactory
from trials import services
from trials.models import Trial

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def d(days: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=days)


def ask(member, testbed, first=10, last=20, **extra):
    return services.trial_request(
        actor=member.user,
        organisation=member.organisation,
        testbed=testbed,
        title=extra.pop("title", "Air quality sensing"),
        summary="Sensors on lamp posts.",
        first_day=d(first),
        last_day=d(last),
        **extra,
    )


def another_startup():
    return MembershipFactory(organisation=OrganisationFactory(start_up=True), admin=True)


def token_client(member) -> Client:
    _, raw = token_create(actor=member.user, name="test", scope="write")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def body(testbed, **extra) -> dict:
    return {
        "testbed": testbed.slug,
        "title": "Air quality sensing",
        "summary": "Sensors on lamp posts.",
        "first_day": d(10).isoformat(),
        "last_day": d(20).isoformat(),
        **extra,
    }


# The service: one live request per start-up, test bed and day ---------------------------


def test_a_second_request_on_overlapping_days_is_refused_naming_the_first(startup):
    testbed = TestBedFactory(capacity=3)
    first = ask(startup, testbed)
    with pytest.raises(Conflict) as refused:
        ask(startup, testbed, first=15, last=25)
    assert refused.value.code == "duplicate_request"
    assert refused.value.details["existing_trial"] == {
        "id": first.pk,
        "url": first.get_absolute_url(),
    }
    assert Trial.objects.count() == 1
    assert Booking.objects.count() == 1


def test_an_instantly_confirmed_double_request_does_not_take_a_second_place(startup):
    testbed = TestBedFactory(capacity=2, requires_approval=False)
    ask(startup, testbed)
    with pytest.raises(Conflict):
        ask(startup, testbed)
    assert Booking.objects.filter(testbed=testbed, status="confirmed").count() == 1
    # So another start-up still gets the second place.
    assert ask(another_startup(), testbed).status == "approved"


def test_other_days_other_test_beds_and_closed_requests_are_not_duplicates(startup):
    testbed = TestBedFactory(capacity=3)
    first = ask(startup, testbed, first=10, last=20)
    ask(startup, testbed, first=21, last=30)  # back to back: no shared day
    ask(startup, TestBedFactory(capacity=3), first=10, last=20)  # another test bed
    ask(another_startup(), testbed, first=10, last=20)  # another start-up
    services.trial_withdraw(actor=startup.user, trial=first)
    ask(startup, testbed, first=10, last=20)  # the first is withdrawn: no longer live
    assert Trial.objects.count() == 5


# The API ---------------------------------------------------------------------------------


def test_api_second_request_is_409_with_a_link_to_the_first(startup):
    testbed = TestBedFactory(capacity=3)
    client = token_client(startup)
    first = client.post("/api/v1/trials/", body(testbed), content_type="application/json")
    assert first.status_code == 201
    second = client.post("/api/v1/trials/", body(testbed), content_type="application/json")
    assert second.status_code == 409
    answer = second.json()
    assert answer["code"] == "duplicate_request"
    trial_id = first.json()["id"]
    assert answer["existing_trial"]["id"] == trial_id
    assert answer["existing_trial"]["url"].endswith(reverse("api:trial-detail", args=[trial_id]))
    assert answer["existing_trial"]["web_url"].endswith(f"/trials/{trial_id}/")
    assert Trial.objects.count() == 1


def test_idempotency_key_replays_the_first_answer(startup):
    testbed = TestBedFactory(capacity=3)
    client = token_client(startup)
    headers = {"Idempotency-Key": "7f1c0d9e-booking-1"}
    first = client.post(
        "/api/v1/trials/", body(testbed), content_type="application/json", headers=headers
    )
    again = client.post(
        "/api/v1/trials/", body(testbed), content_type="application/json", headers=headers
    )
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert Trial.objects.count() == 1


def test_idempotency_key_with_a_different_body_is_refused(startup):
    testbed = TestBedFactory(capacity=3)
    client = token_client(startup)
    headers = {"Idempotency-Key": "key-2"}
    client.post("/api/v1/trials/", body(testbed), content_type="application/json", headers=headers)
    changed = client.post(
        "/api/v1/trials/",
        body(testbed, title="Something else"),
        content_type="application/json",
        headers=headers,
    )
    assert changed.status_code == 422
    assert changed.json()["code"] == "idempotency_key_reused"
    assert Trial.objects.count() == 1


def test_idempotency_keys_are_per_person_and_kept_24_hours(startup):
    testbed = TestBedFactory(capacity=3)
    headers = {"Idempotency-Key": "shared-key"}
    mine = token_client(startup).post(
        "/api/v1/trials/", body(testbed), content_type="application/json", headers=headers
    )
    theirs = token_client(another_startup()).post(
        "/api/v1/trials/", body(testbed), content_type="application/json", headers=headers
    )
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]
    assert IdempotencyKey.objects.count() == 2
    # After 24 hours the key is forgotten: the same request runs again (and now meets the
    # duplicate rule instead of a replay).
    IdempotencyKey.objects.update(created_at=timezone.now() - KEEP - datetime.timedelta(minutes=1))
    later = token_client(startup).post(
        "/api/v1/trials/", body(testbed), content_type="application/json", headers=headers
    )
    assert later.status_code == 409
    assert later.json()["code"] == "duplicate_request"
    IdempotencyKey.objects.update(created_at=timezone.now() - KEEP - datetime.timedelta(minutes=1))
    assert clear_expired() == 2
    assert not IdempotencyKey.objects.exists()


def test_failed_and_unauthorised_answers_are_not_kept(startup):
    testbed = TestBedFactory(capacity=3)
    headers = {"Idempotency-Key": "retry-me"}
    anonymous = Client().post(
        "/api/v1/trials/", body(testbed), content_type="application/json", headers=headers
    )
    assert anonymous.status_code == 401
    client = token_client(startup)
    bad = client.post(
        "/api/v1/trials/",
        {**body(testbed), "first_day": "not a date"},
        content_type="application/json",
        headers={"Idempotency-Key": "bad-body"},
    )
    assert bad.status_code == 400
    assert not IdempotencyKey.objects.filter(key="retry-me").exists()


def test_an_unusable_idempotency_key_is_a_400(startup):
    client = token_client(startup)
    response = client.post(
        "/api/v1/trials/",
        "{}",
        content_type="application/json",
        headers={"Idempotency-Key": "x" * 256},
    )
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]


# The web form ----------------------------------------------------------------------------


def web_form(testbed, token: str) -> dict:
    return {
        "title": "Air quality sensing",
        "summary": "Sensors on lamp posts.",
        "first_day": d(10).isoformat(),
        "last_day": d(20).isoformat(),
        "form_token": token,
    }


def test_the_request_page_carries_a_fresh_one_time_token(startup, client):
    testbed = TestBedFactory(capacity=3)
    client.force_login(startup.user)
    url = reverse("trials:request", args=[testbed.slug])
    first = client.get(url).content.decode()
    second = client.get(url).content.decode()
    assert 'name="form_token"' in first

    def token(page: str) -> str:
        return page.split('name="form_token" value="')[1].split('"')[0]

    assert token(first) != token(second)


def test_a_double_submit_of_the_web_form_lands_on_the_first_trial(startup, client):
    testbed = TestBedFactory(capacity=3)
    client.force_login(startup.user)
    url = reverse("trials:request", args=[testbed.slug])
    first = client.post(url, web_form(testbed, "token-1"))
    second = client.post(url, web_form(testbed, "token-1"))
    trial = Trial.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == trial.get_absolute_url()


def test_a_second_web_request_for_the_same_days_gets_a_clear_error(startup, client):
    testbed = TestBedFactory(capacity=3)
    client.force_login(startup.user)
    url = reverse("trials:request", args=[testbed.slug])
    client.post(url, web_form(testbed, "token-1"))
    again = client.post(url, web_form(testbed, "token-2"))  # a new page, the same days
    assert again.status_code == 409
    page = again.content.decode()
    trial = Trial.objects.get()
    assert "You have already asked for these days" in page
    assert f'href="{trial.get_absolute_url()}"' in page
    assert "Join the waitlist" not in page
    assert Trial.objects.count() == 1


def test_a_web_form_with_errors_frees_its_token(startup, client):
    testbed = TestBedFactory(capacity=3)
    client.force_login(startup.user)
    url = reverse("trials:request", args=[testbed.slug])
    broken = client.post(url, {**web_form(testbed, "token-1"), "first_day": d(400).isoformat()})
    assert broken.status_code == 400
    fixed = client.post(url, web_form(testbed, "token-1"))
    assert fixed.status_code == 302
    assert Trial.objects.count() == 1


def test_json_of_the_conflict_is_in_the_schema():
    from django.test import Client as AnonymousClient

    schema = AnonymousClient().get("/api/schema/?format=json")
    assert "existing_trial" in json.dumps(schema.json())
