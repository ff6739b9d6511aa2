"""The tracking API: plan, outcome, KPIs, measurements, log, files, submission and review.

Everything goes through the HTTP API with a signed-in session, as a client would.
"""

import datetime
import hashlib
import io
from decimal import Decimal

import pytest
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from PIL import Image

from tests.factories import MembershipFactory, ProgrammeFactory, TestBedFactory, minimal_pdf
from tests.trials.conftest import TODAY
from tests.trials.test_tracking import pdf_bytes
from trials import services
from trials.models import EvidenceFile, EvidencePack, Kpi, LogEntry, Measurement, Trial

pytestmark = pytest.mark.django_db

API = "/api/v1"
PDF = minimal_pdf()


def jpeg(colour=(200, 80, 20), size=(640, 480)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


def upload(name: str, content: bytes) -> io.BytesIO:
    handle = io.BytesIO(content)
    handle.name = name
    return handle


def post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def patch(client, url, body):
    return client.patch(url, body, content_type="application/json")


def ok(response) -> bool:
    assert 200 <= response.status_code < 300, response.content
    return True


def content_of(response) -> bytes:
    return b"".join(response.streaming_content)


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) >= {"code", "message"}
    assert body["message"]
    if code:
        assert body["code"] == code
    return body


@pytest.fixture
def startup_client(client, startup):
    client.force_login(startup.user)
    return client


def add_kpi(client, trial, **fields):
    body = {"name": "Overflow reports", "baseline": "30", "target": "10", "direction": "lower"}
    response = post(client, f"{API}/trials/{trial.pk}/kpis/", {**body, **fields})
    assert response.status_code == 201, response.json()
    return response.json()


# The plan and the outcome -----------------------------------------------------------------


def test_plan_patch_changes_the_plan(startup_client, active_trial, programme):
    response = patch(
        startup_client,
        f"{API}/trials/{active_trial.pk}/",
        {
            "product_name": "BinSense",
            "objectives": "Cut overflows by half",
            "trl_start": 6,
            "trl_target": 8,
            "approvals": {"dpia": {"status": "in-place", "note": "Signed in May"}},
            "programme": None,
        },
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["objectives"] == "Cut overflows by half"
    assert body["programme"] is None
    assert body["events"]  # the detail view, with its timeline
    active_trial.refresh_from_db()
    assert active_trial.product_name == "BinSense"
    assert (active_trial.trl_start, active_trial.trl_target) == (6, 8)
    assert active_trial.approvals == {"dpia": {"status": "in-place", "note": "Signed in May"}}
    assert active_trial.programme is None

    again = patch(startup_client, f"{API}/trials/{active_trial.pk}/", {"programme": programme.pk})
    assert again.status_code == 200
    assert again.json()["programme"] == programme.pk


def test_plan_patch_refuses_read_only_fields_and_changes_nothing(startup_client, active_trial):
    response = patch(
        startup_client,
        f"{API}/trials/{active_trial.pk}/",
        {"status": "accepted", "organisation": "someone-else", "objectives": "Sneaky"},
    )
    body = assert_error(response, 400, "invalid")
    assert {"status", "organisation"} <= set(body["errors"])
    assert "objectives" not in body["errors"]
    trial = Trial.objects.get(pk=active_trial.pk)
    assert trial.status == "active"
    assert trial.organisation_id == active_trial.organisation_id
    assert trial.objectives == ""

    for bad in [{}, {"trl_start": 12}, {"programme": 999_999}, {"answers": []}]:
        assert_error(patch(startup_client, f"{API}/trials/{active_trial.pk}/", bad), 400)
    # the service's own rule: the target cannot be below the start
    below = patch(
        startup_client, f"{API}/trials/{active_trial.pk}/", {"trl_start": 7, "trl_target": 5}
    )
    assert "trl_target" in assert_error(below, 400)["errors"]
    unknown_approval = patch(
        startup_client,
        f"{API}/trials/{active_trial.pk}/",
        {"approvals": {"bribery": {"status": "in-place"}}},
    )
    assert "approvals" in assert_error(unknown_approval, 400)["errors"]
    assert Trial.objects.get(pk=active_trial.pk).trl_start is None


def test_plan_patch_by_others(client, active_trial, provider, officer, other_startup):
    url = f"{API}/trials/{active_trial.pk}/"
    client.force_login(provider.user)
    assert_error(patch(client, url, {"objectives": "x"}), 403, "permission_denied")
    client.force_login(officer.user)
    assert_error(patch(client, url, {"objectives": "x"}), 403)
    client.force_login(other_startup.user)
    assert_error(patch(client, url, {"objectives": "x"}), 404, "not_found")
    client.logout()
    assert patch(client, url, {"objectives": "x"}).status_code in (401, 403)
    assert Trial.objects.get(pk=active_trial.pk).objectives == ""


def test_outcome_read_and_write(startup_client, active_trial, client, provider):
    url = f"{API}/trials/{active_trial.pk}/outcome/"
    empty = startup_client.get(url)
    assert empty.status_code == 200
    assert empty.json()["outcome_summary"] == ""
    assert empty.json()["trl_achieved"] is None

    response = patch(
        startup_client,
        url,
        {
            "outcome_summary": "Overflows fell by 60%.",
            "trl_achieved": 8,
            "recommendation": "scale",
            "safety_incidents": "None",
        },
    )
    assert response.status_code == 200, response.json()
    assert response.json()["recommendation"] == "scale"
    active_trial.refresh_from_db()
    assert active_trial.outcome_summary == "Overflows fell by 60%."
    assert active_trial.trl_achieved == 8

    assert (
        "recommendation"
        in assert_error(patch(startup_client, url, {"recommendation": "x"}), 400)["errors"]
    )
    assert (
        "objectives" in assert_error(patch(startup_client, url, {"objectives": "x"}), 400)["errors"]
    )
    client.force_login(provider.user)
    assert client.get(url).json()["trl_achieved"] == 8  # the provider may read it
    assert_error(patch(client, url, {"next_steps": "x"}), 403)


def test_outcome_before_the_trial_starts_is_a_conflict(client, startup, provider):
    trial = services.trial_request(
        actor=startup.user,
        organisation=startup.organisation,
        testbed=TestBedFactory(organisation=provider.organisation),
        title="Later",
        summary="Starts later",
        first_day=TODAY + datetime.timedelta(days=10),
        last_day=TODAY + datetime.timedelta(days=12),
    )
    client.force_login(startup.user)
    response = patch(client, f"{API}/trials/{trial.pk}/outcome/", {"next_steps": "x"})
    assert_error(response, 409, "too_early")


# KPIs and measurements ----------------------------------------------------------------------


def test_kpis_with_latest_progress_and_met(startup_client, active_trial):
    created = add_kpi(startup_client, active_trial, unit="reports a week")
    assert created["latest"] is None
    assert created["progress"] is None
    assert created["met"] is None
    assert created["measurements_count"] == 0
    url = f"{API}/kpis/{created['id']}/measurements/"

    first = post(startup_client, url, {"value": "20", "date": str(TODAY), "note": "Week 1"})
    assert first.status_code == 201, first.json()
    assert Decimal(first.json()["value"]) == 20
    listing = startup_client.get(f"{API}/trials/{active_trial.pk}/kpis/").json()
    assert listing["count"] == 1
    row = listing["results"][0]
    assert Decimal(row["latest"]) == 20
    assert row["progress"] == pytest.approx(0.5)
    assert row["met"] is False
    assert row["measurements_count"] == 1

    post(startup_client, url, {"value": "8", "date": str(TODAY)})
    row = startup_client.get(f"{API}/kpis/{created['id']}/").json()
    assert Decimal(row["latest"]) == 8
    assert row["progress"] == 1.0  # past the target, capped at 1
    assert row["met"] is True
    assert row["measurements_count"] == 2

    measurements = startup_client.get(url).json()
    assert [Decimal(m["value"]) for m in measurements["results"]] == [20, 8]
    assert measurements["results"][0]["recorded_by"]


def test_kpi_change_and_remove(startup_client, active_trial):
    kpi = add_kpi(startup_client, active_trial)
    changed = patch(
        startup_client, f"{API}/kpis/{kpi['id']}/", {"name": "Overflows", "target": "12.5"}
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["name"] == "Overflows"
    assert Kpi.objects.get(pk=kpi["id"]).target == Decimal("12.5")
    refused = patch(startup_client, f"{API}/kpis/{kpi['id']}/", {"trial": 1, "position": 9})
    assert {"trial", "position"} <= set(assert_error(refused, 400)["errors"])

    measurement = post(
        startup_client,
        f"{API}/kpis/{kpi['id']}/measurements/",
        {"value": "14", "date": str(TODAY)},
    ).json()
    assert startup_client.get(f"{API}/measurements/{measurement['id']}/").status_code == 200
    assert startup_client.delete(f"{API}/measurements/{measurement['id']}/").status_code == 204
    assert not Measurement.objects.exists()
    assert startup_client.delete(f"{API}/kpis/{kpi['id']}/").status_code == 204
    assert not Kpi.objects.exists()
    assert_error(startup_client.get(f"{API}/kpis/{kpi['id']}/"), 404, "not_found")


def test_measurement_rules(client, active_trial, startup, provider, other_startup):
    client.force_login(startup.user)
    kpi = add_kpi(client, active_trial)
    url = f"{API}/kpis/{kpi['id']}/measurements/"
    tomorrow = str(TODAY + datetime.timedelta(days=1))

    future = post(client, url, {"value": "5", "date": tomorrow})
    assert "date" in assert_error(future, 400, "invalid")["errors"]
    not_a_number = post(client, url, {"value": "lots", "date": str(TODAY)})
    assert "value" in assert_error(not_a_number, 400)["errors"]

    client.force_login(provider.user)
    assert client.get(url).status_code == 200  # the provider sees the KPIs
    assert_error(post(client, url, {"value": "5", "date": str(TODAY)}), 403)

    client.force_login(other_startup.user)
    assert_error(post(client, url, {"value": "5", "date": str(TODAY)}), 404, "not_found")
    assert_error(client.get(url), 404)
    assert_error(client.get(f"{API}/kpis/{kpi['id']}/"), 404)
    assert_error(client.delete(f"{API}/kpis/{kpi['id']}/"), 404)
    assert_error(client.get(f"{API}/trials/{active_trial.pk}/kpis/"), 404)
    assert not Measurement.objects.exists()
    assert Kpi.objects.filter(pk=kpi["id"]).exists()


def test_measurement_of_another_trial_is_not_found(client, active_trial, startup, other_startup):
    client.force_login(startup.user)
    kpi = add_kpi(client, active_trial)
    measurement = post(
        client, f"{API}/kpis/{kpi['id']}/measurements/", {"value": "9", "date": str(TODAY)}
    ).json()
    client.force_login(other_startup.user)
    assert_error(client.get(f"{API}/measurements/{measurement['id']}/"), 404)
    assert_error(client.delete(f"{API}/measurements/{measurement['id']}/"), 404)
    assert Measurement.objects.filter(pk=measurement["id"]).exists()


def test_kpi_list_reads_in_a_fixed_number_of_queries(
    startup_client, active_trial, django_assert_num_queries
):
    def kpi_with_measurements(n):
        kpi = add_kpi(startup_client, active_trial, name=f"KPI {n}")
        for value in ("20", "15"):
            post(
                startup_client,
                f"{API}/kpis/{kpi['id']}/measurements/",
                {"value": value, "date": str(TODAY)},
            )

    url = f"{API}/trials/{active_trial.pk}/kpis/"
    kpi_with_measurements(1)
    reset_queries()  # each request resets the log; start the count from empty
    with CaptureQueriesContext(connection) as one:
        assert startup_client.get(url).json()["count"] == 1
    queries_for_one = len(one)  # read now: the context slices the live log
    for n in range(2, 6):
        kpi_with_measurements(n)
    reset_queries()
    with django_assert_num_queries(queries_for_one):
        assert startup_client.get(url).json()["count"] == 5


# The log ------------------------------------------------------------------------------------


def test_log_entries_by_start_up_and_provider(
    client, active_trial, startup, provider, officer, other_startup
):
    url = f"{API}/trials/{active_trial.pk}/log-entries/"
    client.force_login(startup.user)
    yesterday = str(TODAY - datetime.timedelta(days=1))
    progress = post(client, url, {"text": "Fitted 40 sensors", "date": yesterday})
    assert progress.status_code == 201, progress.json()
    assert progress.json()["kind"] == "progress"
    assert progress.json()["organisation"] == startup.organisation.name
    assert "text" in assert_error(post(client, url, {"text": "  "}), 400)["errors"]

    client.force_login(provider.user)
    observation = post(client, url, {"text": "Bins emptied on time"})
    assert observation.status_code == 201, observation.json()
    assert observation.json()["kind"] == "observation"
    assert observation.json()["date"] == str(TODAY)

    client.force_login(officer.user)
    listing = client.get(url).json()
    assert [entry["kind"] for entry in listing["results"]] == ["observation", "progress"]
    assert_error(post(client, url, {"text": "Officer note"}), 403)

    client.force_login(other_startup.user)
    assert_error(client.get(url), 404)
    assert_error(post(client, url, {"text": "Hello"}), 404)
    assert LogEntry.objects.count() == 2


# Files ----------------------------------------------------------------------------------------


def test_files_upload_list_download_and_remove(client, active_trial, startup, other_startup):
    url = f"{API}/trials/{active_trial.pk}/files/"
    client.force_login(startup.user)
    photo = client.post(url, {"file": upload("bin.jpg", jpeg()), "caption": "Sensor on a bin"})
    assert photo.status_code == 201, photo.json()
    assert photo.json()["kind"] == "photo"
    document = client.post(url, {"file": upload("report.pdf", PDF), "caption": "Weekly report"})
    assert document.status_code == 201, document.json()
    assert document.json()["kind"] == "pdf"

    listing = client.get(url).json()
    assert [item["caption"] for item in listing["results"]] == ["Sensor on a bin", "Weekly report"]
    for item in listing["results"]:
        download = client.get(f"{API}/files/{item['id']}/download/")
        assert download.status_code == 200
        data = content_of(download)
        assert hashlib.sha256(data).hexdigest() == item["sha256"]
        assert download["Cache-Control"] == "private, no-store"
        assert download["X-Content-Type-Options"] == "nosniff"
        assert download["Content-Disposition"].startswith("attachment")
        assert item["download_url"].endswith(f"/api/v1/files/{item['id']}/download/")
    pdf_download = client.get(f"{API}/files/{document.json()['id']}/download/")
    assert content_of(pdf_download) == PDF
    assert pdf_download["Content-Type"] == "application/pdf"
    # the download ignores what the client says it accepts
    accepting = client.get(
        f"{API}/files/{document.json()['id']}/download/", headers={"Accept": "application/pdf"}
    )
    assert accepting.status_code == 200

    for refused, field in [
        ({"file": upload("notes.exe", b"MZ\x90\x00"), "caption": "Notes"}, "file"),
        ({"file": upload("notes.pdf", pdf_bytes())}, "caption"),
        ({"caption": "Nothing"}, "file"),
        ({"file": upload("fake.jpg", b"not an image"), "caption": "Fake"}, "file"),
    ]:
        assert field in assert_error(client.post(url, refused), 400)["errors"]

    client.force_login(other_startup.user)
    assert_error(client.get(url), 404)
    assert_error(client.get(f"{API}/files/{photo.json()['id']}/download/"), 404)
    assert_error(client.delete(f"{API}/files/{photo.json()['id']}/"), 404)
    assert_error(client.post(url, {"file": upload("x.pdf", PDF), "caption": "x"}), 404)
    client.logout()
    assert client.get(url).status_code in (401, 403)
    assert client.get(f"{API}/files/{photo.json()['id']}/download/").status_code in (401, 403)

    client.force_login(startup.user)
    assert client.delete(f"{API}/files/{photo.json()['id']}/").status_code == 204
    assert [item["caption"] for item in client.get(url).json()["results"]] == ["Weekly report"]
    assert_error(client.delete(f"{API}/files/{photo.json()['id']}/"), 404)
    assert EvidenceFile.objects.filter(removed_at__isnull=True).count() == 1


def test_oversize_upload_answers_413_and_stores_nothing(startup_client, active_trial, settings):
    settings.MAX_UPLOAD_BYTES = 2_000
    url = f"{API}/trials/{active_trial.pk}/files/"
    big_photo = upload("big.jpg", jpeg(size=(1200, 900)))
    assert_error(startup_client.post(url, {"file": big_photo, "caption": "Big"}), 413, "too_large")
    big_pdf = upload("big.pdf", PDF + b"%" + b"x" * 5_000 + b"\n")
    assert_error(startup_client.post(url, {"file": big_pdf, "caption": "Big"}), 413, "too_large")
    assert not EvidenceFile.objects.exists()


def test_provider_cannot_upload(client, active_trial, provider):
    client.force_login(provider.user)
    response = client.post(
        f"{API}/trials/{active_trial.pk}/files/",
        {"file": upload("x.pdf", PDF), "caption": "From the provider"},
    )
    assert_error(response, 403)
    assert client.get(f"{API}/trials/{active_trial.pk}/files/").status_code == 200


# Submission and review -------------------------------------------------------------------------


def complete_via_api(client, trial):
    """Plan, one measured KPI, a photo, the outcome, completion: everything a pack needs."""
    assert ok(patch(client, f"{API}/trials/{trial.pk}/", {"objectives": "Cut overflows"}))
    kpi = add_kpi(client, trial)
    measurement = {"value": "12", "date": str(TODAY)}
    assert ok(post(client, f"{API}/kpis/{kpi['id']}/measurements/", measurement))
    assert ok(post(client, f"{API}/trials/{trial.pk}/log-entries/", {"text": "Fitted 40"}))
    photo = {"file": upload("bin.jpg", jpeg()), "caption": "Bin"}
    assert ok(client.post(f"{API}/trials/{trial.pk}/files/", photo))
    assert ok(post(client, f"{API}/trials/{trial.pk}/complete/"))
    outcome = patch(
        client,
        f"{API}/trials/{trial.pk}/outcome/",
        {
            "outcome_summary": "Overflow reports fell from 30 to 12 a week.",
            "trl_achieved": 8,
            "lessons_learned": "Mount sensors higher.",
            "safety_incidents": "None",
            "recommendation": "scale",
        },
    )
    assert outcome.status_code == 200, outcome.json()


def submit(client, trial, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, f"{API}/trials/{trial.pk}/submit/")
    assert response.status_code == 201, response.json()
    return response.json()


def test_submit_with_gaps_lists_them(startup_client, active_trial):
    add_kpi(startup_client, active_trial, name="Resident satisfaction")
    assert post(startup_client, f"{API}/trials/{active_trial.pk}/complete/").status_code == 200
    response = post(startup_client, f"{API}/trials/{active_trial.pk}/submit/")
    body = assert_error(response, 400, "invalid")
    missing = " ".join(body["errors"]["missing"])
    for gap in ["objectives", "TRL achieved", "lessons learned", "Resident satisfaction"]:
        assert gap in missing
    assert Trial.objects.get(pk=active_trial.pk).status == "completed"
    assert not EvidencePack.objects.exists()


def test_submit_before_completion_is_a_conflict(startup_client, active_trial):
    response = post(startup_client, f"{API}/trials/{active_trial.pk}/submit/")
    assert_error(response, 409, "invalid_transition")


def test_submit_review_and_accept(
    client, active_trial, startup, provider, officer, django_capture_on_commit_callbacks
):
    client.force_login(startup.user)
    complete_via_api(client, active_trial)
    client.force_login(provider.user)
    assert_error(post(client, f"{API}/trials/{active_trial.pk}/submit/"), 403)
    client.force_login(startup.user)
    pack = submit(client, active_trial, django_capture_on_commit_callbacks)
    assert pack["version"] == 1
    assert pack["is_final"] is False
    assert pack["verify_url"].endswith(f"/verify/{pack['code']}/")

    packs = client.get(f"{API}/trials/{active_trial.pk}/evidence-packs/").json()
    assert packs["count"] == 1
    listed = packs["results"][0]
    assert listed["state"] == "ready"
    assert listed["size"] > 0
    assert listed["pdf_url"].endswith(f"/api/v1/evidence-packs/{pack['id']}/pdf/")
    pdf = client.get(f"{API}/evidence-packs/{pack['id']}/pdf/")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Cache-Control"] == "private, no-store"
    data = content_of(pdf)
    assert data.startswith(b"%PDF")
    assert hashlib.sha256(data).hexdigest() == listed["sha256"]

    # only reviewers review: the start-up and the provider may not
    review_url = f"{API}/evidence-packs/{pack['id']}/review/"
    assert_error(post(client, review_url, {"decision": "accepted"}), 403)
    client.force_login(provider.user)
    assert_error(post(client, review_url, {"decision": "accepted"}), 403)
    stranger = MembershipFactory(organisation=ProgrammeFactory().team)
    client.force_login(stranger.user)
    assert_error(post(client, review_url, {"decision": "accepted"}), 404)
    assert_error(client.get(f"{API}/evidence-packs/{pack['id']}/"), 404)
    assert_error(client.get(f"{API}/evidence-packs/{pack['id']}/pdf/"), 404)
    assert Trial.objects.get(pk=active_trial.pk).status == "submitted"

    client.force_login(officer.user)
    assert (
        "decision" in assert_error(post(client, review_url, {"decision": "maybe"}), 400)["errors"]
    )
    no_comments = post(client, review_url, {"decision": "changes_requested"})
    assert "comments" in assert_error(no_comments, 400)["errors"]
    with django_capture_on_commit_callbacks(execute=True):
        changes = post(
            client, review_url, {"decision": "changes_requested", "comments": "Add the survey."}
        )
    assert changes.status_code == 201, changes.json()
    assert changes.json()["decision"] == "changes_requested"
    assert changes.json()["reviewed_sha256"] == listed["sha256"]
    assert Trial.objects.get(pk=active_trial.pk).status == "changes_requested"
    reviewed = client.get(f"{API}/evidence-packs/{pack['id']}/").json()
    assert reviewed["reviews"][0]["comments"] == "Add the survey."
    assert reviewed["reviews"][0]["reviewer_name"] == officer.user.get_full_name()
    assert reviewed["reviews"][0]["reviewer_organisation"] == officer.organisation.name

    client.force_login(startup.user)
    outcome_url = f"{API}/trials/{active_trial.pk}/outcome/"
    assert ok(patch(client, outcome_url, {"next_steps": "Survey"}))
    second = submit(client, active_trial, django_capture_on_commit_callbacks)
    assert second["version"] == 2

    client.force_login(officer.user)
    stale = post(client, review_url, {"decision": "accepted"})
    assert_error(stale, 409, "not_latest")
    with django_capture_on_commit_callbacks(execute=True):
        accepted = post(
            client,
            f"{API}/evidence-packs/{second['id']}/review/",
            {"decision": "accepted", "comments": "Well evidenced."},
        )
    assert accepted.status_code == 201, accepted.json()
    assert Trial.objects.get(pk=active_trial.pk).status == "accepted"
    assert client.get(f"{API}/trials/{active_trial.pk}/").json()["status"] == "accepted"

    versions = client.get(f"{API}/trials/{active_trial.pk}/evidence-packs/").json()["results"]
    assert [(v["version"], v["is_final"]) for v in versions] == [(3, True), (2, False), (1, False)]
    final = versions[0]
    assert final["state"] == "ready"
    final_pdf = content_of(client.get(f"{API}/evidence-packs/{final['id']}/pdf/"))
    assert hashlib.sha256(final_pdf).hexdigest() == final["sha256"]
    assert versions[1]["reviews"][0]["decision"] == "accepted"

    client.force_login(startup.user)
    late = patch(client, f"{API}/trials/{active_trial.pk}/", {"objectives": "late"})
    assert_error(late, 409, "not_editable")


def test_pack_pdf_is_not_found_until_ready_and_failed_packs_retry(
    startup_client, active_trial, django_capture_on_commit_callbacks
):
    complete_via_api(startup_client, active_trial)
    response = post(startup_client, f"{API}/trials/{active_trial.pk}/submit/")  # not rendered
    assert response.status_code == 201
    pack = response.json()
    assert pack["state"] == "preparing"
    assert pack["pdf_url"] is None
    assert_error(startup_client.get(f"{API}/evidence-packs/{pack['id']}/pdf/"), 404)
    assert_error(post(startup_client, f"{API}/evidence-packs/{pack['id']}/retry/"), 409)

    EvidencePack.objects.filter(pk=pack["id"]).update(state="failed", error="Out of memory")
    with django_capture_on_commit_callbacks(execute=True):
        retried = post(startup_client, f"{API}/evidence-packs/{pack['id']}/retry/")
    assert retried.status_code == 200, retried.json()
    assert startup_client.get(f"{API}/evidence-packs/{pack['id']}/").json()["state"] == "ready"
    assert startup_client.get(f"{API}/evidence-packs/{pack['id']}/pdf/").status_code == 200


# Not found ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/trials/999999/"),
        ("patch", "/trials/999999/"),
        ("get", "/trials/not-a-number/"),
        ("get", "/trials/99999999999999999999999/kpis/"),
        ("get", "/trials/999999/outcome/"),
        ("get", "/trials/999999/kpis/"),
        ("get", "/trials/999999/log-entries/"),
        ("get", "/trials/999999/files/"),
        ("post", "/trials/999999/submit/"),
        ("get", "/trials/999999/evidence-packs/"),
        ("get", "/kpis/999999/"),
        ("get", "/kpis/abc/"),
        ("get", "/kpis/99999999999999999999999/"),
        ("delete", "/kpis/999999/"),
        ("get", "/kpis/999999/measurements/"),
        ("delete", "/measurements/999999/"),
        ("get", "/files/999999/download/"),
        ("delete", "/files/999999/"),
        ("get", "/evidence-packs/999999/"),
        ("get", "/evidence-packs/999999/pdf/"),
        ("post", "/evidence-packs/999999/review/"),
        ("post", "/evidence-packs/999999/retry/"),
    ],
)
def test_unknown_ids_answer_404_in_the_one_error_format(startup_client, method, path):
    response = getattr(startup_client, method)(f"{API}{path}", content_type="application/json")
    body = assert_error(response, 404, "not_found")
    assert set(body) == {"code", "message"}


def test_a_new_kpi_goes_after_the_last_even_after_a_removal(startup_client, active_trial):
    first, second = add_kpi(startup_client, active_trial), add_kpi(startup_client, active_trial)
    assert startup_client.delete(f"{API}/kpis/{first['id']}/").status_code == 204
    third = add_kpi(startup_client, active_trial)
    positions = dict(Kpi.objects.values_list("id", "position"))
    assert positions[third["id"]] > positions[second["id"]]
