"""Corrections through the API (issue 22, point 7): PATCH a measurement, a log entry or a KPI.

The same correction services as the trial page: the earlier value stays in the trial's
history, the row is stamped ``corrected_at``, only the fields sent change; refused with 409
once the evidence is submitted, 403 for a viewer who may not correct, 404 for other
organisations, 400 for bad or empty input, and nothing changes when refused.
"""

import datetime
from decimal import Decimal

import pytest

from accounts.models import Organisation
from tests.factories import MembershipFactory, OrganisationFactory
from tests.trials.conftest import TODAY
from tests.trials.test_api_tracking import API, assert_error, patch
from tests.trials.test_packs import completed_trial, submit  # noqa: F401
from tests.trials.test_partners import invite, verified_user
from trials import services
from trials.models import Kpi, LogEntry, Measurement, TrialEvent

pytestmark = pytest.mark.django_db

YESTERDAY = TODAY - datetime.timedelta(days=1)


@pytest.fixture
def kpi(active_trial, startup):
    return services.kpi_add(
        actor=startup.user, trial=active_trial, name="Journey time", baseline=30, target=20
    )


@pytest.fixture
def measurement(kpi, startup):
    return services.measurement_add(
        actor=startup.user, kpi=kpi, value="124", date=TODAY, note="Week 1"
    )


def corrections(trial) -> list[str]:
    return list(trial.events.filter(kind=TrialEvent.Kind.CORRECTION).values_list("note", flat=True))


def signed_in(client, membership):
    client.force_login(membership.user)
    return client


def test_patch_corrects_a_measurement_and_keeps_the_earlier_value(
    client, startup, active_trial, measurement
):
    url = f"{API}/measurements/{measurement.pk}/"
    response = patch(
        signed_in(client, startup), url, {"value": "12.4", "reason": "Typed 124 for 12.4"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert Decimal(body["value"]) == Decimal("12.4") and body["corrected_at"]
    assert body["date"] == TODAY.isoformat() and body["note"] == "Week 1"  # unsent: unchanged
    (note,) = corrections(active_trial)
    assert "value 124 → 12.4" in note and "Typed 124 for 12.4" in note
    response = patch(client, url, {"date": YESTERDAY.isoformat()})
    assert response.status_code == 200
    measurement.refresh_from_db()
    assert (measurement.value, measurement.date) == (Decimal("12.4"), YESTERDAY)
    assert len(corrections(active_trial)) == 2


def test_measurement_patch_refusals_change_nothing(
    client, startup, provider, other_startup, active_trial, measurement
):
    url = f"{API}/measurements/{measurement.pk}/"
    signed_in(client, startup)
    assert_error(patch(client, url, {}), 400)  # nothing sent
    assert_error(patch(client, url, {"value": "124"}), 400)  # nothing changed
    assert_error(patch(client, url, {"value": "lots"}), 400)
    future = (TODAY + datetime.timedelta(days=3)).isoformat()
    assert_error(patch(client, url, {"date": future}), 400)
    body = assert_error(patch(client, url, {"value": "1", "kpi": 99}), 400)
    assert "kpi" in body["errors"]
    assert_error(patch(signed_in(client, provider), url, {"value": "1"}), 403)
    assert_error(patch(signed_in(client, other_startup), url, {"value": "1"}), 404, "not_found")
    client.logout()
    assert patch(client, url, {"value": "1"}).status_code in (401, 403)
    measurement.refresh_from_db()
    assert measurement.value == Decimal("124") and measurement.corrected_at is None
    assert corrections(active_trial) == []


def test_patch_corrects_a_log_entry_by_the_organisation_that_wrote_it(
    client, startup, provider, other_startup, active_trial
):
    mine = services.log_entry_add(actor=startup.user, trial=active_trial, text="Fited 40 snsors")
    theirs = services.log_entry_add(actor=provider.user, trial=active_trial, text="Site visit")
    signed_in(client, startup)
    assert client.get(f"{API}/log-entries/{mine.pk}/").json()["text"] == "Fited 40 snsors"
    response = patch(client, f"{API}/log-entries/{mine.pk}/", {"text": "Fitted 40 sensors"})
    assert response.status_code == 200, response.content
    assert response.json()["text"] == "Fitted 40 sensors" and response.json()["corrected_at"]
    assert any("“Fited 40 snsors”" in note for note in corrections(active_trial))
    # The other side's entry: visible, not theirs to correct.
    assert_error(patch(client, f"{API}/log-entries/{theirs.pk}/", {"text": "No"}), 403)
    assert_error(patch(client, f"{API}/log-entries/{mine.pk}/", {"text": "  "}), 400)
    signed_in(client, provider)
    assert patch(client, f"{API}/log-entries/{theirs.pk}/", {"text": "Visit"}).status_code == 200
    signed_in(client, other_startup)
    assert_error(client.get(f"{API}/log-entries/{mine.pk}/"), 404)
    assert_error(patch(client, f"{API}/log-entries/{mine.pk}/", {"text": "Mine now"}), 404)
    mine.refresh_from_db()
    assert mine.text == "Fitted 40 sensors"
    assert len(corrections(active_trial)) == 2


def test_patch_on_a_kpi_is_a_correction_with_its_reason(client, startup, active_trial, kpi):
    response = patch(
        signed_in(client, startup),
        f"{API}/kpis/{kpi.pk}/",
        {"target": "18.5", "reason": "Wrong target"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["corrected_at"]
    (note,) = corrections(active_trial)
    assert "target 20 → 18.5" in note and "Wrong target" in note


def test_no_api_corrections_once_submitted(
    client,
    startup,
    completed_trial,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    submit(completed_trial, startup, django_capture_on_commit_callbacks)
    measurement = Measurement.objects.get(kpi__trial=completed_trial)
    entry = LogEntry.objects.get(trial=completed_trial)
    kpi = Kpi.objects.get(pk=measurement.kpi_id)
    signed_in(client, startup)
    for url, body in (
        (f"{API}/measurements/{measurement.pk}/", {"value": "1"}),
        (f"{API}/log-entries/{entry.pk}/", {"text": "Other"}),
        (f"{API}/kpis/{kpi.pk}/", {"target": "5"}),
    ):
        assert_error(patch(client, url, body), 409, "not_editable")
    measurement.refresh_from_db()
    entry.refresh_from_db()
    assert measurement.value == Decimal("12") and entry.text != "Other"
    assert corrections(completed_trial) == []


def test_a_partner_corrects_its_own_log_entry_and_no_one_elses(client, startup, active_trial):
    """A partner organisation writes to the log too; through the API it may correct what it
    wrote, not the start-up's entries, and loses that once it is removed."""
    company = OrganisationFactory(kind=Organisation.Kind.COMPANY)
    user = verified_user("kit@company.example")
    MembershipFactory(user=user, organisation=company, admin=True)
    partnership, token = invite(startup, active_trial)
    services.partner_accept(user=user, token=token, organisation=company)
    ours = services.log_entry_add(actor=user, trial=active_trial, text="Kit delivred")
    startups = services.log_entry_add(actor=startup.user, trial=active_trial, text="Day one")
    client.force_login(user)
    response = patch(client, f"{API}/log-entries/{ours.pk}/", {"text": "Kit delivered"})
    assert response.status_code == 200, response.content
    assert response.json()["text"] == "Kit delivered"
    assert_error(patch(client, f"{API}/log-entries/{startups.pk}/", {"text": "Day 1"}), 403)
    services.partner_remove(actor=startup.user, partner=partnership)
    assert_error(patch(client, f"{API}/log-entries/{ours.pk}/", {"text": "Kit on site"}), 404)
    ours.refresh_from_db()
    startups.refresh_from_db()
    assert (ours.text, startups.text) == ("Kit delivered", "Day one")
    assert len(corrections(active_trial)) == 1
