"""Corrections before submission (issue 22, point 7): measurements, log entries and KPIs are
put right through services that keep the earlier value in the trial's history, and the
evidence pack shows that a value was corrected."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from core.exceptions import Conflict
from tests.factories import MembershipFactory, OrganisationFactory
from tests.trials.conftest import TODAY
from tests.trials.test_packs import completed_trial, pack_bytes, submit, text_of  # noqa: F401
from trials import services
from trials.models import LogEntry, Measurement, TrialEvent

pytestmark = pytest.mark.django_db


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


def corrections(trial) -> list[TrialEvent]:
    return list(trial.events.filter(kind=TrialEvent.Kind.CORRECTION))


def test_a_measurement_is_corrected_and_the_earlier_value_kept(active_trial, measurement, startup):
    yesterday = TODAY - datetime.timedelta(days=1)
    services.measurement_correct(
        actor=startup.user,
        measurement=measurement,
        value="12.4",
        date=yesterday,
        note="Week 1",
        reason="Typed 124 for 12.4",
    )
    measurement.refresh_from_db()
    assert measurement.value == Decimal("12.4") and measurement.date == yesterday
    assert measurement.corrected_at is not None
    (event,) = corrections(active_trial)
    assert event.from_status == event.to_status == "active"
    assert "value 124 → 12.4" in event.note
    assert "Journey time" in event.note and "Typed 124 for 12.4" in event.note
    assert event.actor == startup.user


def test_nothing_changed_is_refused_and_writes_nothing(active_trial, measurement, startup):
    with pytest.raises(ValidationError):
        services.measurement_correct(
            actor=startup.user, measurement=measurement, value="124.0", date=TODAY, note="Week 1"
        )
    assert corrections(active_trial) == []


def test_bad_value_or_future_date_saves_nothing(active_trial, measurement, startup):
    for value, date in (("lots", TODAY), ("12", TODAY + datetime.timedelta(days=2))):
        with pytest.raises(ValidationError):
            services.measurement_correct(
                actor=startup.user, measurement=measurement, value=value, date=date
            )
    measurement.refresh_from_db()
    assert measurement.value == Decimal("124") and measurement.corrected_at is None
    assert corrections(active_trial) == []


def test_only_the_start_up_corrects_values(active_trial, measurement, provider, kpi):
    with pytest.raises(PermissionDenied):
        services.measurement_correct(
            actor=provider.user, measurement=measurement, value="1", date=TODAY
        )
    with pytest.raises(PermissionDenied):
        services.kpi_update(actor=provider.user, kpi=kpi, target="25")


def test_no_corrections_once_submitted(
    completed_trial,  # noqa: F811
    startup,
    django_capture_on_commit_callbacks,
):
    submit(completed_trial, startup, django_capture_on_commit_callbacks)
    measurement = Measurement.objects.get(kpi__trial=completed_trial)
    entry = LogEntry.objects.get(trial=completed_trial)
    with pytest.raises(Conflict):
        services.measurement_correct(
            actor=startup.user, measurement=measurement, value="1", date=TODAY
        )
    with pytest.raises(Conflict):
        services.log_entry_correct(actor=startup.user, entry=entry, text="Other", date=TODAY)
    with pytest.raises(Conflict):
        services.kpi_update(actor=startup.user, kpi=measurement.kpi, target="5")
    measurement.refresh_from_db()
    assert measurement.value == Decimal("12") and corrections(completed_trial) == []


def test_a_kpi_correction_keeps_the_earlier_definition(active_trial, kpi, startup):
    services.kpi_update(
        actor=startup.user, kpi=kpi, target="18.5", direction="lower", reason="Wrong way round"
    )
    kpi.refresh_from_db()
    assert kpi.target == Decimal("18.5") and kpi.corrected_at is not None
    (event,) = corrections(active_trial)
    assert "target 20 → 18.5" in event.note
    assert "direction higher is better → lower is better" in event.note
    # Explaining why a KPI was not measured is not a correction of a value.
    services.kpi_update(actor=startup.user, kpi=kpi, no_measurement_reason="Sensor failed")
    assert len(corrections(active_trial)) == 1


def test_log_entries_are_corrected_by_the_organisation_that_wrote_them(
    active_trial, startup, provider
):
    mine = services.log_entry_add(actor=startup.user, trial=active_trial, text="Fited 40 snsors")
    theirs = services.log_entry_add(actor=provider.user, trial=active_trial, text="Site visit")
    with pytest.raises(PermissionDenied):
        services.log_entry_correct(actor=startup.user, entry=theirs, text="No", date=TODAY)
    services.log_entry_correct(actor=startup.user, entry=mine, text="Fitted 40 sensors", date=TODAY)
    services.log_entry_correct(
        actor=provider.user, entry=theirs, text="Site visit, all good", date=TODAY
    )
    mine.refresh_from_db()
    assert mine.text == "Fitted 40 sensors" and mine.corrected_at
    notes = [event.note for event in corrections(active_trial)]
    assert any("“Fited 40 snsors”" in note for note in notes)
    assert any("“Site visit”" in note for note in notes)
    with pytest.raises(ValidationError):
        services.log_entry_correct(actor=startup.user, entry=mine, text="   ", date=TODAY)


def test_the_pack_shows_corrected_values_and_the_earlier_ones(
    completed_trial,  # noqa: F811
    startup,
    django_capture_on_commit_callbacks,
):
    measurement = Measurement.objects.get(kpi__trial=completed_trial)
    services.measurement_correct(
        actor=startup.user, measurement=measurement, value="11", date=TODAY, note="Week 1"
    )
    entry = LogEntry.objects.get(trial=completed_trial)
    services.log_entry_correct(
        actor=startup.user, entry=entry, text="Fitted 41 sensors", date=TODAY
    )
    pack = submit(completed_trial, startup, django_capture_on_commit_callbacks)
    pack.refresh_from_db()
    kpis = pack.content["kpis"]
    overflow = next(k for k in kpis if k["name"] == "Overflow reports")
    assert overflow["measurements"][0]["corrected"] is True
    assert pack.content["log_entries"][0]["corrected"] is True
    text = " ".join(text_of(pack_bytes(pack)).split())
    assert "11 (corrected)" in text
    assert "Value corrected" in text
    assert "value 12 → 11" in text
    assert "Fitted 40 sensors" in text  # the earlier text, in the timeline


def test_correction_pages(client, active_trial, measurement, kpi, startup, provider):
    client.force_login(startup.user)
    page = client.get(active_trial.get_absolute_url()).content.decode()
    url = reverse("trials:measurement_correct", args=[active_trial.pk, measurement.pk])
    assert url in page
    assert reverse("trials:kpi_correct", args=[active_trial.pk, kpi.pk]) in page
    form = client.get(url)
    assert form.status_code == 200 and 'value="124"' in form.content.decode()
    bad = client.post(url, {"value": "many", "date": TODAY.isoformat(), "note": ""})
    assert bad.status_code == 400 and "govuk-error-summary" in bad.content.decode()
    same = client.post(url, {"value": "124", "date": TODAY.isoformat(), "note": "Week 1"})
    assert same.status_code == 400
    done = client.post(
        url, {"value": "12.4", "date": TODAY.isoformat(), "note": "Week 1", "reason": "Typo"}
    )
    assert done.status_code == 302
    page = client.get(active_trial.get_absolute_url()).content.decode()
    assert "Value corrected" in page and "value 124 → 12.4" in page
    kpi_url = reverse("trials:kpi_correct", args=[active_trial.pk, kpi.pk])
    assert 'value="30"' in client.get(kpi_url).content.decode()
    response = client.post(
        kpi_url,
        {"name": "Journey time", "baseline": "32", "target": "20", "direction": "higher"},
    )
    assert response.status_code == 302
    kpi.refresh_from_db()
    assert kpi.baseline == 32

    client.force_login(provider.user)
    assert client.get(url).status_code == 403
    assert client.get(kpi_url).status_code == 403
    stranger = MembershipFactory(organisation=OrganisationFactory(start_up=True))
    client.force_login(stranger.user)
    assert client.get(url).status_code == 404


def test_log_correction_page(client, active_trial, startup, provider):
    entry = services.log_entry_add(actor=provider.user, trial=active_trial, text="Site visit")
    url = reverse("trials:log_correct", args=[active_trial.pk, entry.pk])
    client.force_login(startup.user)
    assert url not in client.get(active_trial.get_absolute_url()).content.decode()
    assert client.get(url).status_code == 403
    client.force_login(provider.user)
    assert url in client.get(active_trial.get_absolute_url()).content.decode()
    response = client.post(
        url, {"date": TODAY.isoformat(), "text": "Site visit: all in order", "reason": ""}
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.text == "Site visit: all in order"
