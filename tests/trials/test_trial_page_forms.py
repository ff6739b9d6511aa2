"""The small forms on the trial page (a measurement, why a KPI was not measured, a log entry)
and the evidence file form: input with errors is shown again with what was typed, a GOV.UK
error summary linking to the field, the error on the field itself, and 400 — nothing saved.
Before (issue 20) they redirected (302) with a banner and threw the input away."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.trials.conftest import TODAY
from trials import services
from trials.models import EvidenceFile, LogEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def kpi(active_trial, startup):
    return services.kpi_add(
        actor=startup.user, trial=active_trial, name="Uptime", baseline=90, target=99
    )


def summary_links(html: str) -> list[str]:
    """The anchors the error summary links to (it must be there, at the top of the page)."""
    match = re.search(r'<div class="govuk-error-summary".*?</ul>', html, re.S)
    assert match, "no error summary"
    assert html.index("govuk-error-summary") < html.index("<h1")
    return re.findall(r'href="#([^"]+)"', match.group(0))


def assert_field_error(html: str, field_id: str) -> None:
    assert f'id="{field_id}-error"' in html  # the inline error above the field
    assert re.search(
        rf'<[^>]*id="{re.escape(field_id)}"[^>]*aria-describedby="[^"]*-error', html
    ) or (
        re.search(
            rf'aria-describedby="[^"]*{re.escape(field_id)}-error"[^>]*id="{re.escape(field_id)}"',
            html,
        )
    )


def test_an_invalid_measurement_is_shown_again_with_its_errors(client, active_trial, startup, kpi):
    client.force_login(startup.user)
    prefix = f"kpi{kpi.pk}"
    response = client.post(
        reverse("trials:measurement_add", args=[active_trial.pk, kpi.pk]),
        {
            f"{prefix}-value": "lots",
            f"{prefix}-date_day": "31",
            f"{prefix}-date_month": "2",
            f"{prefix}-date_year": "2026",
            f"{prefix}-note": "Week one",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert summary_links(html) == [f"id_{prefix}-value", f"id_{prefix}-date_day"]
    assert_field_error(html, f"id_{prefix}-value")
    # A GOV.UK date input: its fieldset names the error, its boxes keep what was typed.
    assert f'aria-describedby="id_{prefix}-date-error"' in html
    assert 'value="lots"' in html and 'value="31"' in html and 'value="Week one"' in html
    assert "<title>Error:" in html
    assert '<details class="govuk-details" open>' in html
    assert not kpi.measurements.exists()


def test_a_measurement_the_service_refuses_is_shown_on_its_field(
    client, active_trial, startup, kpi
):
    client.force_login(startup.user)
    prefix = f"kpi{kpi.pk}"
    response = client.post(
        reverse("trials:measurement_add", args=[active_trial.pk, kpi.pk]),
        {f"{prefix}-value": "95", f"{prefix}-date": "2999-01-01"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert summary_links(html)
    assert not kpi.measurements.exists()


def test_a_good_measurement_still_redirects(client, active_trial, startup, kpi):
    client.force_login(startup.user)
    prefix = f"kpi{kpi.pk}"
    response = client.post(
        reverse("trials:measurement_add", args=[active_trial.pk, kpi.pk]),
        {f"{prefix}-value": "95", f"{prefix}-date": TODAY.isoformat()},
    )
    assert response.status_code == 302
    assert kpi.measurements.count() == 1


def test_kpi_not_measured_without_a_reason(client, active_trial, startup, kpi):
    client.force_login(startup.user)
    response = client.post(
        reverse("trials:kpi_not_measured", args=[active_trial.pk, kpi.pk]),
        {"no_measurement_reason": "   "},
    )
    assert response.status_code == 400
    html = response.content.decode()
    field_id = f"nm-{kpi.pk}-no_measurement_reason"
    assert summary_links(html) == [field_id]
    assert_field_error(html, field_id)
    assert "Say why the KPI was not measured." in html
    kpi.refresh_from_db()
    assert kpi.no_measurement_reason == ""
    # A reason that is too long keeps what was typed.
    response = client.post(
        reverse("trials:kpi_not_measured", args=[active_trial.pk, kpi.pk]),
        {"no_measurement_reason": "x" * 2001},
    )
    assert response.status_code == 400
    assert "x" * 2001 in response.content.decode()
    # A good one saves and redirects.
    response = client.post(
        reverse("trials:kpi_not_measured", args=[active_trial.pk, kpi.pk]),
        {"no_measurement_reason": "The survey was postponed."},
    )
    assert response.status_code == 302
    kpi.refresh_from_db()
    assert kpi.no_measurement_reason == "The survey was postponed."


def test_an_invalid_log_entry_is_shown_again_with_its_errors(client, active_trial, startup):
    client.force_login(startup.user)
    response = client.post(
        reverse("trials:log_add", args=[active_trial.pk]),
        {"date_day": "31", "date_month": "2", "date_year": "2026", "text": "Sensors fitted."},
    )
    assert response.status_code == 400
    html = response.content.decode()
    # A GOV.UK date input: the summary links to its first box; the fieldset names the error.
    assert summary_links(html) == ["id_date_day"]
    assert 'id="id_date-error"' in html and 'aria-describedby="id_date-error"' in html
    assert "Sensors fitted." in html and 'value="31"' in html
    assert not LogEntry.objects.filter(trial=active_trial).exists()

    response = client.post(
        reverse("trials:log_add", args=[active_trial.pk]), {"date": "", "text": ""}
    )
    assert response.status_code == 400
    assert summary_links(response.content.decode()) == ["id_date_day", "id_text"]


def test_an_invalid_file_is_shown_again_with_its_errors(client, active_trial, startup):
    client.force_login(startup.user)
    response = client.post(
        reverse("trials:file_add", args=[active_trial.pk]),
        {
            "file": SimpleUploadedFile("notes.exe", b"MZ\x90\x00", "application/octet-stream"),
            "caption": "The installer",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert summary_links(html) == ["id_file"]
    assert_field_error(html, "id_file")
    assert 'value="The installer"' in html
    response = client.post(reverse("trials:file_add", args=[active_trial.pk]), {"caption": ""})
    assert response.status_code == 400
    assert summary_links(response.content.decode()) == ["id_file", "id_caption"]
    assert not EvidenceFile.objects.filter(trial=active_trial).exists()
