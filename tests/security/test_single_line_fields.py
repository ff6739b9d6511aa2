"""Line breaks and control characters are refused in single-line fields, and e-mail
subjects are built from whitespace-collapsed text (issue 21, item 7): a CR/LF in a trial
title once went into every e-mail subject about the trial, where the mail library refuses
it, so nobody heard anything about that trial again."""

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import TestBedFactory
from tests.trials.conftest import active_trial, d, programme  # noqa: F401,F811 (fixtures)
from trials import services
from trials.models import Kpi, Trial

pytestmark = pytest.mark.django_db

HOSTILE = ["Smart bins\r\nBcc: everyone@example.org", "Smart\nbins", "Smart\x00bins", "A\u2028B"]


@pytest.fixture
def testbed(provider):
    return TestBedFactory(organisation=provider.organisation)


@pytest.mark.parametrize("title", HOSTILE)
def test_the_request_form_refuses_a_title_with_a_line_break(client, startup, testbed, title):
    client.force_login(startup.user)
    data = {"title": title, "summary": "Sensors", "first_day": d(10), "last_day": d(20)}
    response = client.post(reverse("trials:request", args=[testbed.slug]), data)
    assert response.status_code == 400
    if "\x00" not in title:  # Django's own check names null characters
        assert "without line breaks" in response.content.decode()
    assert not Trial.objects.exists()


@pytest.mark.parametrize("title", HOSTILE)
def test_the_api_refuses_a_title_with_a_line_break(client, startup, testbed, title):
    client.force_login(startup.user)
    body = {"testbed": testbed.slug, "title": title, "summary": "B"}
    body |= {"first_day": str(d(10)), "last_day": str(d(20))}
    response = client.post("/api/v1/trials/", body, content_type="application/json")
    assert response.status_code == 400
    assert "title" in response.json()["errors"]
    assert not Trial.objects.exists()


def test_kpi_names_units_and_sources_are_single_line(active_trial, startup):  # noqa: F811
    for field in ("name", "unit", "data_source"):
        values = {"name": "Fill level", "baseline": 1, "target": 2, field: "a\r\nb"}
        with pytest.raises(Exception) as caught:
            services.kpi_add(actor=startup.user, trial=active_trial, **values)
        assert field in caught.value.message_dict
    assert not Kpi.objects.exists()


def test_organisation_and_person_names_are_single_line(client, startup):
    client.force_login(startup.user)
    organisation = startup.organisation
    page = reverse("accounts:organisation_edit", args=[organisation.slug])
    response = client.post(page, {"name": "Evil\r\nLtd", "region": organisation.region})
    assert response.status_code == 400
    organisation.refresh_from_db()
    assert "\n" not in organisation.name
    response = client.post(reverse("accounts:profile"), {"full_name": "Eve\nAdmin"})
    assert response.status_code == 400


def test_subjects_are_one_line_even_for_a_title_stored_before_the_check(
    startup, provider, testbed, django_capture_on_commit_callbacks
):
    trial = services.trial_request(
        actor=startup.user,
        organisation=startup.organisation,
        testbed=testbed,
        title="Smart bins",
        summary="Sensors",
        first_day=d(10),
        last_day=d(20),
    )
    Trial.objects.filter(pk=trial.pk).update(title="Smart bins\r\nBcc: everyone@example.org")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.trial_approve(actor=provider.user, trial=Trial.objects.get(pk=trial.pk))
    assert mail.outbox, "the approval e-mail was sent"
    for message in mail.outbox:
        assert "\n" not in message.subject and "\r" not in message.subject
        assert "Smart bins Bcc: everyone@example.org" in message.subject
        assert message.bcc == []
