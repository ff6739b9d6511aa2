"""Small copy fixes of issue 22.9: errors that name the field, sign-in pages in sentence case,
yes/no answers in words, calendar days that say why they cannot be booked, `make run PORT=`."""

from __future__ import annotations

import datetime
import subprocess

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from core.templatetags.govuk import govuk_answer
from testbeds.availability import month_calendar
from testbeds.forms import TestBedForm
from tests.factories import TestBedFactory
from trials.forms import KpiForm

TODAY = timezone.localdate()


def test_required_errors_name_the_field():
    form = TestBedForm(data={})
    assert not form.is_valid()
    assert form.errors["name"] == ["Enter a name for the test bed"]
    assert form.errors["region"] == ["Select region"]
    kpi = KpiForm(data={})
    kpi.is_valid()
    assert kpi.errors["name"] == ["Enter name"]
    assert "This field is required." not in str(kpi.errors)


def test_required_errors_name_the_field_in_welsh():
    with translation.override("cy"):
        form = KpiForm(data={})
        form.is_valid()
        assert form.errors["name"][0].startswith("Rhowch ")


@pytest.mark.django_db
def test_sign_in_page_is_in_sentence_case(client):
    html = client.get(reverse("account_login")).content.decode()
    assert ">Sign in<" in html or "Sign in</button>" in html
    assert "Remember me" in html
    assert "Sign In" not in html and "Remember Me" not in html


def test_yes_and_no_answers_read_as_words():
    assert govuk_answer("yes") == "Yes"
    assert govuk_answer("no") == "No"
    assert govuk_answer(True) == "Yes"
    assert govuk_answer("Sometimes") == "Sometimes"
    with translation.override("cy"):
        assert govuk_answer("yes") == "Ie"


@pytest.mark.django_db
def test_calendar_days_say_why_they_cannot_be_booked_and_mark_today():
    testbed = TestBedFactory(notice_days=5, horizon_days=40)
    today = datetime.date(2026, 12, 10)
    days = {
        day.date: day
        for week in month_calendar(testbed, today, today=today).weeks
        for day in week
        if day
    }
    assert days[datetime.date(2026, 12, 9)].not_bookable_because == "past"
    assert days[today].today and not days[datetime.date(2026, 12, 11)].today
    assert days[datetime.date(2026, 12, 12)].not_bookable_because == "notice"
    assert days[datetime.date(2026, 12, 15)].bookable
    following = month_calendar(testbed, datetime.date(2027, 1, 1), today=today)
    late = [d for week in following.weeks for d in week if d and d.date.day == 25][0]
    assert late.not_bookable_because == "horizon"


@pytest.mark.django_db
def test_calendar_page_shows_the_reasons_and_today():
    testbed = TestBedFactory(notice_days=3)
    html = Client().get(testbed.get_absolute_url()).content.decode()
    assert 'aria-current="date"' in html and "Today" in html
    assert "Too soon" in html
    if TODAY.day > 1:
        assert "Past" in html


def test_make_run_takes_a_port():
    out = subprocess.run(
        ["make", "-n", "run", "PORT=8001"], capture_output=True, text=True, check=True
    ).stdout
    assert "runserver 127.0.0.1:8001" in out
