"""Typed dates are bounded before any arithmetic (issue 21, item 6), and asked for with the
GOV.UK date input pattern (day, month and year boxes; ISO still accepted in links).

Before the fix, 9999-12-31 on these entry points answered 500 (OverflowError on
``date + 1 day``). Now: 400 with the error on the field, nothing saved.
"""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken
from accounts.tokens import token_create
from core.dates import EARLIEST, LATEST, DateField, canonical_query
from testbeds.models import Blackout, WaitlistEntry
from tests.factories import TestBedFactory
from trials import services
from trials.models import ChangeRequest, Trial

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
FAR = ["9999-12-31", "9999-12-30", "0001-01-01", "2101-01-01", "1999-12-31"]


def d(days: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=days)


@pytest.fixture
def world(startup, provider):
    testbed = TestBedFactory(organisation=provider.organisation, capacity=2, slug="bed")
    _, raw = token_create(actor=startup.user, name="t", scope="write")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    web = Client()
    web.force_login(startup.user)
    provider_web = Client()
    provider_web.force_login(provider.user)
    return {
        "testbed": testbed,
        "startup": startup,
        "provider": provider,
        "api": api,
        "web": web,
        "provider_web": provider_web,
    }


def api_errors(response) -> dict:
    assert response.status_code == 400, (response.status_code, response.content[:300])
    return response.json()["errors"]


@pytest.mark.parametrize("far", FAR)
def test_anonymous_catalogue_page(client, world, far):
    page = client.get("/testbeds/", {"available_from": far, "available_to": far})
    assert page.status_code == 400
    assert "govuk-error-message" in page.content.decode()


@pytest.mark.parametrize("far", FAR)
def test_anonymous_catalogue_api(client, world, far):
    errors = api_errors(
        client.get("/api/v1/testbeds/", {"available_from": far, "available_to": far})
    )
    assert "available_from" in errors


@pytest.mark.parametrize(
    ("first", "last"), [("9999-12-01", "9999-12-31"), ("0001-01-01", "0001-01-05")]
)
def test_anonymous_availability_api(client, world, first, last):
    errors = api_errors(
        client.get("/api/v1/testbeds/bed/availability/", {"from": first, "to": last})
    )
    assert "from" in errors and "to" in errors


@pytest.mark.parametrize("waitlist", [False, True])
@pytest.mark.parametrize("far", FAR)
def test_trial_and_waitlist_requests_in_the_api(world, far, waitlist):
    body = {
        "testbed": "bed",
        "title": "T",
        "summary": "S",
        "first_day": far,
        "last_day": far,
        "waitlist": waitlist,
    }
    errors = api_errors(world["api"].post("/api/v1/trials/", body, content_type="application/json"))
    assert {"first_day", "last_day"} <= set(errors)
    assert not Trial.objects.exists() and not WaitlistEntry.objects.exists()


@pytest.mark.parametrize("waitlist", ["", "1"])
def test_trial_and_waitlist_requests_on_the_web(world, waitlist):
    form = {
        "title": "T",
        "summary": "S",
        "first_day_day": "30",
        "first_day_month": "12",
        "first_day_year": "9999",
        "last_day": "9999-12-31",
        "waitlist": waitlist,
    }
    page = world["web"].post(reverse("trials:request", args=["bed"]), form)
    assert page.status_code == 400
    html = page.content.decode()
    assert "First day must be between 1 January 2000 and 31 December 2100" in html
    assert "Last day must be between 1 January 2000 and 31 December 2100" in html
    assert not Trial.objects.exists() and not WaitlistEntry.objects.exists()


def test_closures(world):
    url = reverse("testbeds:blackout_add", args=["bed"])
    world["provider_web"].post(
        url,
        {"first_day": "9999-12-30", "last_day": "9999-12-31", "reason": "Works"},
    )
    assert not Blackout.objects.exists()
    with pytest.raises(ValidationError) as refused:
        from testbeds import services as testbed_services

        testbed_services.blackout_add(
            actor=world["provider"].user,
            testbed=world["testbed"],
            first_day=datetime.date(9999, 12, 30),
            last_day=datetime.date(9999, 12, 31),
            reason="Works",
        )
    assert "first_day" in refused.value.message_dict


def test_api_token_expiry(world):
    before = ApiToken.objects.count()
    page = world["web"].post(
        reverse("integrations:api_token_create"),
        {"name": "far", "scope": "read", "expires_on": "9999-12-31"},
    )
    assert page.status_code == 400
    assert "between 1 January 2000 and 31 December 2100" in page.content.decode()
    assert ApiToken.objects.count() == before


def test_change_requests_measurements_and_log_in_the_api(world):
    trial = services.trial_request(
        actor=world["startup"].user,
        organisation=world["startup"].organisation,
        testbed=world["testbed"],
        title="T",
        summary="S",
        first_day=TODAY,
        last_day=d(10),
    )
    services.trial_approve(actor=world["provider"].user, trial=trial)
    services.trial_start(actor=world["startup"].user, trial=trial)
    api = world["api"]
    change = api.post(
        f"/api/v1/trials/{trial.pk}/change-requests/",
        {"first_day": TODAY.isoformat(), "last_day": "9999-12-31", "reason": "Longer"},
        content_type="application/json",
    )
    assert "last_day" in api_errors(change)
    assert not ChangeRequest.objects.exists()
    kpi = services.kpi_add(actor=world["startup"].user, trial=trial, name="K", baseline=0, target=1)
    measured = api.post(
        f"/api/v1/kpis/{kpi.pk}/measurements/",
        {"value": 1, "date": "0001-01-01"},
        content_type="application/json",
    )
    assert "date" in api_errors(measured)
    logged = api.post(
        f"/api/v1/trials/{trial.pk}/log-entries/",
        {"text": "x", "date": "9999-12-31"},
        content_type="application/json",
    )
    assert "date" in api_errors(logged)


def test_services_refuse_dates_out_of_range_before_any_arithmetic(world):
    with pytest.raises(ValidationError) as refused:
        services.trial_request(
            actor=world["startup"].user,
            organisation=world["startup"].organisation,
            testbed=world["testbed"],
            title="T",
            summary="S",
            first_day=datetime.date.max,
            last_day=datetime.date.max,
        )
    assert set(refused.value.message_dict) == {"first_day", "last_day"}
    with pytest.raises(ValidationError):
        services.waitlist_join(
            actor=world["startup"].user,
            organisation=world["startup"].organisation,
            testbed=world["testbed"],
            title="T",
            summary="S",
            first_day=datetime.date.max,
            last_day=datetime.date.max,
        )


def test_the_booking_horizon_is_a_field_error_too(world):
    page = world["web"].post(
        reverse("trials:request", args=["bed"]),
        {"title": "T", "summary": "S", "first_day": "2100-12-01", "last_day": "2100-12-31"},
    )
    assert page.status_code == 400
    assert "can be booked up to" in page.content.decode()


# The GOV.UK date input --------------------------------------------------------------------


def test_date_field_messages_follow_the_govuk_pattern():
    from django import forms

    class Form(forms.Form):
        first_day = DateField(label="First day")

    def error(**parts) -> tuple[str, list]:
        form = Form({f"first_day_{k}": v for k, v in parts.items()})
        assert not form.is_valid()
        data = form.errors.as_data()["first_day"][0]
        return data.messages[0], data.params["parts"]

    assert error(day="1", year="2026") == ("First day must include a month", ["month"])
    assert error(day="1") == ("First day must include a month and a year", ["month", "year"])
    assert error(day="31", month="2", year="2026") == (
        "First day must be a real date",
        ["day", "month", "year"],
    )
    assert error(day="x", month="2", year="2026") == ("First day must be a real date", ["day"])
    assert error(day="1", month="2", year="26") == ("First day must be a real date", ["year"])
    message, _ = error(day="1", month="1", year="9999")
    assert message == "First day must be between 1 January 2000 and 31 December 2100"
    assert Form({"first_day_day": "1", "first_day_month": "2", "first_day_year": "2026"}).is_valid()
    assert Form({"first_day": "2026-02-01"}).is_valid()  # ISO, as in shareable links
    assert datetime.date(2000, 1, 1) == EARLIEST and datetime.date(2100, 12, 31) == LATEST


def test_request_form_renders_three_boxes_and_marks_only_the_one_in_error(world):
    url = reverse("trials:request", args=["bed"])
    page = world["web"].get(url).content.decode()
    assert 'type="date"' not in page
    for part in ("day", "month", "year"):
        assert f'name="first_day_{part}"' in page and f'id="id_first_day_{part}"' in page
    assert 'class="govuk-date-input" id="id_first_day"' in page
    sent = world["web"].post(
        url,
        {
            "title": "T",
            "summary": "S",
            "first_day_day": "3",
            "first_day_year": str(d(30).year),
            "last_day": d(40).isoformat(),
        },
    )
    html = sent.content.decode()
    assert sent.status_code == 400
    assert "First day must include a month" in html
    boxes = {
        part: classes
        for classes, part in re.findall(r'class="([^"]*)" id="id_first_day_(day|month|year)"', html)
    }
    assert "govuk-input--error" in boxes["month"]
    assert "govuk-input--error" not in boxes["day"] and "govuk-input--error" not in boxes["year"]
    assert 'href="#id_first_day_month"' in html  # the error summary links to the box


def test_no_native_date_pickers_are_left(world, client):
    pages = [
        ("web", reverse("trials:request", args=["bed"])),
        ("web", reverse("integrations:api_token_create")),
        ("anonymous", "/testbeds/"),
    ]
    for who, url in pages:
        html = (client if who == "anonymous" else world[who]).get(url).content.decode()
        assert 'type="date"' not in html, url


def test_split_filter_dates_redirect_to_the_shareable_iso_link(client, world):
    start, end = d(10), d(20)
    query = {
        "region": "north-east",
        "available_from_day": str(start.day),
        "available_from_month": str(start.month),
        "available_from_year": str(start.year),
        "available_to_day": str(end.day),
        "available_to_month": str(end.month),
        "available_to_year": str(end.year),
    }
    response = client.get("/testbeds/", query)
    assert response.status_code == 302
    location = response["Location"]
    assert f"available_from={start.isoformat()}" in location
    assert f"available_to={end.isoformat()}" in location
    assert "_day" not in location and "region=north-east" in location
    assert client.get(location).status_code == 200
    # A date that is not real stays as typed, with its error on the page.
    bad = client.get("/testbeds/", {**query, "available_from_month": "13"})
    assert bad.status_code == 400


def test_canonical_query_leaves_other_parameters_alone():
    from django.http import QueryDict

    assert canonical_query(QueryDict("q=bins&page=2")) is None
    joined = canonical_query(QueryDict("q=bins&x_day=1&x_month=2&x_year=2026"))
    assert joined.dict() == {"q": "bins", "x": "2026-02-01"}
