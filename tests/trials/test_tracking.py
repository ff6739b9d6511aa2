import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from core.exceptions import Conflict, InvalidTransition
from tests.factories import MembershipFactory, minimal_pdf
from tests.trials.conftest import TODAY, d
from trials import services
from trials.models import EvidenceFile, Kpi, LogEntry, TrialEvent

pytestmark = pytest.mark.django_db


def pdf_bytes() -> bytes:
    return minimal_pdf()


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (400, 300), (10, 120, 60)).save(out, "JPEG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("direction", "baseline", "target", "latest", "progress", "met"),
    [
        ("higher", "10", "20", "15", 0.5, False),
        ("higher", "10", "20", "20", 1.0, True),
        ("higher", "10", "20", "25", 1.5, True),
        ("higher", "10", "20", "5", -0.5, False),
        ("lower", "40", "30", "35", 0.5, False),
        ("lower", "40", "30", "30", 1.0, True),
        ("lower", "40", "30", "28", 1.2, True),
        ("lower", "40", "30", "44", -0.4, False),
        ("higher", "10", "10", "10", 1.0, True),
    ],
)
def test_kpi_progress_arithmetic(direction, baseline, target, latest, progress, met):
    kpi = Kpi(baseline=Decimal(baseline), target=Decimal(target), direction=direction)
    assert kpi.progress(Decimal(latest)) == pytest.approx(progress)
    assert kpi.is_met(Decimal(latest)) is met
    assert kpi.progress(None) is None
    assert kpi.is_met(None) is None


def test_start_up_plans_measures_logs_and_writes_the_outcome(
    client, active_trial, startup, provider
):
    client.force_login(startup.user)
    response = client.post(
        reverse("trials:plan", args=[active_trial.pk]),
        {
            "product_name": "BinSense",
            "problem_statement": "Overflowing bins",
            "objectives": "Cut collections by 20%",
            "trl_start": "6",
            "trl_target": "8",
            "approval_dpia": "in-place",
            "approval_data-sharing": "not-needed",
            "approval_ethics": "not-needed",
            "approval_insurance": "in-place",
            "approval_clinical-safety": "not-needed",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    for name, baseline, target, direction in [
        ("Collections per week", "10", "8", "lower"),
        ("Overflow reports", "30", "10", "lower"),
        ("Fill accuracy", "70", "95", "higher"),
    ]:
        client.post(
            reverse("trials:kpi_add", args=[active_trial.pk]),
            {"name": name, "baseline": baseline, "target": target, "direction": direction},
        )
    kpis = list(active_trial.kpis.order_by("position"))
    assert len(kpis) == 3
    client.post(
        reverse("trials:measurement_add", args=[active_trial.pk, kpis[0].pk]),
        {f"kpi{kpis[0].pk}-value": "8", f"kpi{kpis[0].pk}-date": TODAY},
    )
    client.post(
        reverse("trials:log_add", args=[active_trial.pk]),
        {"date": TODAY, "text": "Sensors fitted."},
    )
    client.post(
        reverse("trials:file_add", args=[active_trial.pk]),
        {"file": SimpleUploadedFile("bin.jpg", jpeg(), "image/jpeg"), "caption": "A fitted sensor"},
    )
    client.post(
        reverse("trials:file_add", args=[active_trial.pk]),
        {
            "file": SimpleUploadedFile("report.pdf", pdf_bytes(), "application/pdf"),
            "caption": "Survey",
        },
    )
    client.post(
        reverse("trials:outcome", args=[active_trial.pk]),
        {
            "outcome_summary": "Collections fell by 20%.",
            "trl_achieved": "8",
            "recommendation": "scale",
        },
    )
    active_trial.refresh_from_db()
    assert active_trial.approvals["dpia"]["status"] == "in-place"
    assert active_trial.recommendation == "scale"
    assert kpis[0].measurements.get().value == Decimal("8")
    assert EvidenceFile.objects.filter(trial=active_trial).count() == 2
    assert len(EvidenceFile.objects.get(kind="pdf").sha256) == 64

    client.force_login(provider.user)
    client.post(
        reverse("trials:log_add", args=[active_trial.pk]), {"date": TODAY, "text": "Looks tidy."}
    )
    assert LogEntry.objects.get(kind="observation").organisation == provider.organisation

    page = client.get(active_trial.get_absolute_url())
    html = page.content.decode()
    for text in [
        "BinSense",
        "Collections per week",
        "Target met",
        "Sensors fitted.",
        "Looks tidy.",
        "Survey",
    ]:
        assert text in html, text
    assert "<svg" in html  # the KPI chart


def test_officer_sees_the_trial_in_their_programme_list(client, active_trial, officer):
    client.force_login(officer.user)
    response = client.get(reverse("trials:list"), {"programme": active_trial.programme_id})
    assert list(response.context["page"]) == [active_trial.pk]
    assert client.get(active_trial.get_absolute_url()).status_code == 200


def test_files_are_private(client, active_trial, startup, other_startup):
    evidence = services.evidence_file_add(
        actor=startup.user,
        trial=active_trial,
        upload=SimpleUploadedFile("report.pdf", pdf_bytes(), "application/pdf"),
        caption="Report",
    )
    url = reverse("trials:file", args=[active_trial.pk, evidence.pk])
    assert evidence.file.name.startswith("private/")
    client.force_login(startup.user)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Cache-Control"] == "private, no-store"
    assert "sandbox" in response["Content-Security-Policy"]
    # A document has no image renditions: asking for one gives the document as it is.
    thumbnail = client.get(
        reverse("trials:file_rendition", args=[active_trial.pk, evidence.pk, "thumbnail"])
    )
    assert thumbnail["Content-Type"] == "application/pdf"
    bogus = reverse("trials:file_rendition", args=[active_trial.pk, evidence.pk, "bogus"])
    assert client.get(bogus).status_code == 404
    client.force_login(other_startup.user)
    assert client.get(url).status_code == 404
    assert client.get(active_trial.get_absolute_url()).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
    assert client.get("/media/" + evidence.file.name).status_code == 404


def test_a_document_whose_content_is_not_what_its_name_says_is_refused(active_trial, startup):
    with pytest.raises(ValidationError):
        services.evidence_file_add(
            actor=startup.user,
            trial=active_trial,
            upload=SimpleUploadedFile("report.pdf", b"<html>not a pdf</html>", "application/pdf"),
            caption="Fake",
        )
    assert not EvidenceFile.objects.exists()


def test_provider_cannot_edit_the_start_ups_kpis(active_trial, startup, provider):
    kpi = services.kpi_add(
        actor=startup.user, trial=active_trial, name="Uptime", baseline=90, target=99
    )
    with pytest.raises(PermissionDenied):
        services.kpi_update(actor=provider.user, kpi=kpi, target=50)
    with pytest.raises(PermissionDenied):
        services.measurement_add(actor=provider.user, kpi=kpi, value=1, date=TODAY)
    kpi.refresh_from_db()
    assert kpi.target == Decimal("99")


def test_measurement_on_a_kpi_of_another_trial_is_404(
    client, active_trial, startup, provider, other_startup
):
    from testbeds.models import TestBed

    other_trial = services.trial_request(
        actor=other_startup.user,
        organisation=other_startup.organisation,
        testbed=TestBed.objects.get(),
        title="Other",
        summary="x",
        first_day=d(1),
        last_day=d(5),
    )
    kpi = services.kpi_add(
        actor=other_startup.user, trial=other_trial, name="X", baseline=1, target=2
    )
    client.force_login(startup.user)
    response = client.post(
        reverse("trials:measurement_add", args=[active_trial.pk, kpi.pk]),
        {f"kpi{kpi.pk}-value": "3", f"kpi{kpi.pk}-date": TODAY},
    )
    assert response.status_code == 404
    assert not kpi.measurements.exists()


def test_future_measurements_and_bad_numbers_are_refused(active_trial, startup):
    kpi = services.kpi_add(
        actor=startup.user, trial=active_trial, name="Uptime", baseline=90, target=99
    )
    with pytest.raises(ValidationError):
        services.measurement_add(actor=startup.user, kpi=kpi, value=95, date=d(3))
    with pytest.raises(ValidationError):
        services.measurement_add(actor=startup.user, kpi=kpi, value="NaN", date=TODAY)
    with pytest.raises(ValidationError):
        services.kpi_add(
            actor=startup.user, trial=active_trial, name="Bad", baseline="abc", target=1
        )
    assert not kpi.measurements.exists()


def test_transitions_and_their_permissions(active_trial, startup, provider, officer):
    with pytest.raises(PermissionDenied):
        services.trial_complete(actor=provider.user, trial=active_trial)
    with pytest.raises(PermissionDenied):
        services.trial_complete(actor=officer.user, trial=active_trial)
    with pytest.raises(InvalidTransition):
        services.trial_start(actor=startup.user, trial=active_trial)
    services.trial_complete(actor=startup.user, trial=active_trial)
    active_trial.refresh_from_db()
    assert active_trial.status == "completed"
    assert active_trial.booking.end == TODAY + datetime.timedelta(
        days=1
    )  # early finish frees the rest
    steps = list(
        TrialEvent.objects.filter(trial=active_trial).values_list("from_status", "to_status")
    )
    assert steps == [
        ("", "requested"),
        ("requested", "approved"),
        ("approved", "active"),
        ("active", "completed"),
    ]
    with pytest.raises(InvalidTransition):
        services.trial_cancel(actor=provider.user, trial=active_trial, reason="Too late")


def test_trial_cannot_start_before_its_first_day(startup, provider):
    from tests.factories import TestBedFactory

    testbed = TestBedFactory(organisation=provider.organisation)
    trial = services.trial_request(
        actor=startup.user,
        organisation=startup.organisation,
        testbed=testbed,
        title="T",
        summary="S",
        first_day=d(5),
        last_day=d(9),
    )
    services.trial_approve(actor=provider.user, trial=trial)
    with pytest.raises(Conflict):
        services.trial_start(actor=startup.user, trial=trial)
    assert services.start_due_trials() == 0
    trial.refresh_from_db()
    assert trial.status == "approved"


def test_the_daily_job_starts_trials_on_their_first_day(startup, provider):
    from tests.factories import TestBedFactory

    testbed = TestBedFactory(organisation=provider.organisation)
    trial = services.trial_request(
        actor=startup.user,
        organisation=startup.organisation,
        testbed=testbed,
        title="T",
        summary="S",
        first_day=TODAY,
        last_day=d(9),
    )
    services.trial_approve(actor=provider.user, trial=trial)
    assert services.start_due_trials() == 1
    trial.refresh_from_db()
    assert trial.status == "active"
    assert TrialEvent.objects.filter(trial=trial, to_status="active").get().actor is None


def test_events_cannot_be_edited(active_trial):
    event = TrialEvent.objects.filter(trial=active_trial).first()
    event.note = "rewritten"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


def _page_queries(client, user, url) -> int:
    client.force_login(user)
    client.get(url)  # the first request after signing in also records the session
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_trial_page_and_list_queries_do_not_grow(client, active_trial, startup, provider):
    def grow(n: int) -> None:
        for index in range(n):
            kpi = services.kpi_add(
                actor=startup.user, trial=active_trial, name=f"K{index}", baseline=0, target=10
            )
            services.measurement_add(actor=startup.user, kpi=kpi, value=index, date=TODAY)
            services.log_entry_add(actor=startup.user, trial=active_trial, text=f"Entry {index}")

    grow(2)
    small = _page_queries(client, startup.user, active_trial.get_absolute_url())
    small_list = _page_queries(client, startup.user, reverse("trials:list"))
    grow(10)
    for index in range(10):  # one live trial per start-up, test bed and day: later days each
        services.trial_request(
            actor=startup.user,
            organisation=startup.organisation,
            testbed=active_trial.testbed,
            title="More",
            summary="x",
            first_day=d(30 + 4 * index),
            last_day=d(32 + 4 * index),
        )
    assert _page_queries(client, startup.user, active_trial.get_absolute_url()) == small
    assert _page_queries(client, startup.user, reverse("trials:list")) == small_list


def test_edits_after_submission_are_refused(active_trial, startup):
    from trials.models import Trial

    Trial.objects.filter(pk=active_trial.pk).update(status="submitted")
    active_trial.refresh_from_db()
    with pytest.raises(Conflict):
        services.trial_update_plan(actor=startup.user, trial=active_trial, objectives="Changed")
    with pytest.raises(Conflict):
        services.kpi_add(actor=startup.user, trial=active_trial, name="Late", baseline=1, target=2)
    active_trial.refresh_from_db()
    assert active_trial.objectives == ""


def test_provider_member_can_observe_but_not_a_stranger(active_trial, provider):
    colleague = MembershipFactory(organisation=provider.organisation)
    services.log_entry_add(actor=colleague.user, trial=active_trial, text="Noted")
    stranger = MembershipFactory()
    with pytest.raises(PermissionDenied):
        services.log_entry_add(actor=stranger.user, trial=active_trial, text="Hi")
