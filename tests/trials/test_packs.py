import hashlib
import io
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from core.exceptions import Conflict
from tests.factories import MembershipFactory
from tests.trials.conftest import TODAY
from trials import services
from trials.models import EvidencePack, Trial

pytestmark = pytest.mark.django_db


def jpeg(colour=(200, 80, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), colour).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def completed_trial(active_trial, startup):
    services.trial_update_plan(
        actor=startup.user,
        trial=active_trial,
        objectives="Cut overflows",
        trl_start=6,
        trl_target=8,
    )
    kpi = services.kpi_add(
        actor=startup.user,
        trial=active_trial,
        name="Overflow reports",
        baseline=30,
        target=10,
        direction="lower",
    )
    services.measurement_add(actor=startup.user, kpi=kpi, value=12, date=TODAY, note="Week 1")
    services.kpi_add(
        actor=startup.user, trial=active_trial, name="Resident satisfaction", baseline=3, target=4
    )
    services.log_entry_add(actor=startup.user, trial=active_trial, text="Fitted 40 sensors")
    services.evidence_file_add(
        actor=startup.user,
        trial=active_trial,
        upload=SimpleUploadedFile("bin.jpg", jpeg()),
        caption="Sensor on a bin",
    )
    services.trial_complete(actor=startup.user, trial=active_trial)
    services.trial_update_outcome(
        actor=startup.user,
        trial=active_trial,
        outcome_summary="Overflow reports fell from 30 to 12 a week.",
        trl_achieved=8,
        lessons_learned="Mount sensors higher.",
        safety_incidents="None",
        recommendation="scale",
    )
    active_trial.refresh_from_db()
    return active_trial


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def pack_bytes(pack: EvidencePack) -> bytes:
    pack.refresh_from_db()
    with pack.file.open("rb") as handle:
        return handle.read()


def test_completeness_check_lists_what_is_missing(completed_trial, startup):
    with pytest.raises(ValidationError) as error:
        services.trial_submit(actor=startup.user, trial=completed_trial)
    messages = " ".join(error.value.messages)
    assert "Resident satisfaction" in messages
    completed_trial.refresh_from_db()
    assert completed_trial.status == "completed"
    assert not EvidencePack.objects.exists()


def submit(trial, startup, django_capture_on_commit_callbacks):
    kpi = trial.kpis.get(name="Resident satisfaction")
    services.kpi_update(
        actor=startup.user, kpi=kpi, no_measurement_reason="Survey postponed by the council."
    )
    with django_capture_on_commit_callbacks(execute=True):
        return services.trial_submit(actor=startup.user, trial=trial)


def test_submit_renders_a_pack_with_every_section(
    completed_trial, startup, django_capture_on_commit_callbacks
):
    pack = submit(completed_trial, startup, django_capture_on_commit_callbacks)
    pack.refresh_from_db()
    assert pack.state == "ready"
    pdf = pack_bytes(pack)
    assert hashlib.sha256(pdf).hexdigest() == pack.sha256
    text = text_of(pdf)
    for expected in [
        "Executive summary",
        "Key performance indicators",
        "Overflow reports",
        "Resident satisfaction",
        "Survey postponed",
        "Fitted 40 sensors",
        "Sensor on a bin",
        "Outcome and recommendation",
        pack.code,
    ]:
        assert expected in text, expected
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata.title == f"Evidence pack: {completed_trial.title}"
    assert "Sign-off" not in text


def test_the_programme_is_fixed_once_evidence_is_submitted(
    completed_trial, startup, officer, django_capture_on_commit_callbacks
):
    """The programme decides who reviews: a start-up cannot move a reviewed trial elsewhere."""
    from tests.factories import OrganisationFactory, ProgrammeFactory

    not_a_programme_team = ProgrammeFactory(team=OrganisationFactory(start_up=True))
    with pytest.raises(ValidationError, match="Choose a programme"):
        services.trial_update_plan(
            actor=startup.user, trial=completed_trial, programme=not_a_programme_team
        )
    pack = submit(completed_trial, startup, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.pack_review(
            actor=officer.user, pack=pack, decision="changes_requested", comments="More data."
        )
    with pytest.raises(ValidationError, match="cannot change once evidence"):
        services.trial_update_plan(
            actor=startup.user, trial=completed_trial, programme=ProgrammeFactory()
        )
    completed_trial.refresh_from_db()
    assert completed_trial.programme.team == officer.organisation


def test_later_edits_leave_stored_versions_unchanged(
    completed_trial, startup, officer, django_capture_on_commit_callbacks
):
    pack = submit(completed_trial, startup, django_capture_on_commit_callbacks)
    before = pack_bytes(pack)
    with django_capture_on_commit_callbacks(execute=True):
        services.pack_review(
            actor=officer.user,
            pack=pack,
            decision="changes_requested",
            comments="Add the survey date.",
        )
    services.trial_update_outcome(
        actor=startup.user, trial=completed_trial, lessons_learned="Changed after review."
    )
    pack.refresh_from_db()
    assert pack_bytes(pack) == before
    assert hashlib.sha256(before).hexdigest() == pack.sha256
    with django_capture_on_commit_callbacks(execute=True):
        second = services.trial_submit(actor=startup.user, trial=completed_trial)
    assert second.version == 2
    assert "Changed after review." in text_of(pack_bytes(second))
    assert "Changed after review." not in text_of(before)


def test_accept_issues_a_final_version_with_a_sign_off_page(
    completed_trial, startup, officer, django_capture_on_commit_callbacks
):
    pack = submit(completed_trial, startup, django_capture_on_commit_callbacks)
    pack.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.pack_review(
            actor=officer.user, pack=pack, decision="accepted", comments="Well evidenced."
        )
    completed_trial.refresh_from_db()
    assert completed_trial.status == "accepted"
    final = EvidencePack.objects.get(trial=completed_trial, is_final=True)
    text = text_of(pack_bytes(final))
    assert "Sign-off" in text
    assert pack.sha256 in "".join(text.split())
    assert "Well evidenced." in text
    with pytest.raises(Conflict):
        services.trial_update_plan(actor=startup.user, trial=completed_trial, objectives="late")


def test_review_permissions(completed_trial, startup, provider, django_capture_on_commit_callbacks):
    pack = submit(completed_trial, startup, django_capture_on_commit_callbacks)
    outsider_officer = MembershipFactory(organisation__kind="programme_team")
    for actor in [startup.user, provider.user, outsider_officer.user]:
        with pytest.raises(PermissionDenied):
            services.pack_review(actor=actor, pack=pack, decision="accepted")
    assert Trial.objects.get(pk=completed_trial.pk).status == "submitted"


def test_without_a_programme_the_providers_admin_reviews(
    completed_trial, startup, provider, django_capture_on_commit_callbacks
):
    Trial.objects.filter(pk=completed_trial.pk).update(programme=None)
    completed_trial.refresh_from_db()
    pack = submit(completed_trial, startup, django_capture_on_commit_callbacks)
    services.pack_review(
        actor=provider.user, pack=pack, decision="changes_requested", comments="More photos"
    )
    assert Trial.objects.get(pk=completed_trial.pk).status == "changes_requested"


def test_verify_page_confirms_genuine_and_rejects_altered(
    client, completed_trial, startup, django_capture_on_commit_callbacks
):
    pack = submit(completed_trial, startup, django_capture_on_commit_callbacks)
    pdf = pack_bytes(pack)
    page = client.get(reverse("verify", args=[pack.code]))
    html = page.content.decode()
    assert pack.sha256 in html
    assert completed_trial.title in html
    assert "Overflow reports" not in html  # nothing else of the trial
    genuine = client.post(
        reverse("verify", args=[pack.code]), {"file": SimpleUploadedFile("p.pdf", pdf)}
    )
    assert "byte-for-byte identical" in genuine.content.decode()
    altered = pdf[:-10] + b"0000000000"
    fake = client.post(
        reverse("verify", args=[pack.code]), {"file": SimpleUploadedFile("p.pdf", altered)}
    )
    assert "Not a match" in fake.content.decode()
    assert client.get(reverse("verify", args=["TBX-NOPE-NOPE"])).status_code == 404


def test_download_is_permission_checked(
    client, completed_trial, startup, other_startup, django_capture_on_commit_callbacks
):
    pack = submit(completed_trial, startup, django_capture_on_commit_callbacks)
    pack.refresh_from_db()
    url = reverse("trials:pack_pdf", args=[completed_trial.pk, pack.pk])
    client.force_login(startup.user)
    response = client.get(url)
    assert response.status_code == 200
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == pack.sha256
    assert response["Cache-Control"] == "private, no-store"
    assert "sandbox" in response["Content-Security-Policy"]
    client.force_login(other_startup.user)
    assert client.get(url).status_code == 404


def test_a_failing_render_is_retried_then_shown_as_failed(
    completed_trial, startup, django_capture_on_commit_callbacks
):
    with mock.patch(
        "trials.pdf.render.render_evidence_pack", side_effect=RuntimeError("disk full")
    ):
        pack = submit(completed_trial, startup, django_capture_on_commit_callbacks)
    pack.refresh_from_db()
    assert pack.state == "failed"
    assert pack.attempts == 3
    assert not pack.file
    with django_capture_on_commit_callbacks(execute=True):
        services.pack_retry(actor=startup.user, pack=pack)
    pack.refresh_from_db()
    assert pack.state == "ready"


def test_a_render_that_fails_after_another_worker_finished_leaves_the_pack_ready(
    completed_trial, startup, django_capture_on_commit_callbacks
):
    """Two workers may render one pack (a lost worker's task is handed on): the loser's
    failure must not knock the winner's ready pack back."""
    from trials.tasks import render_pack

    pack = submit(completed_trial, startup, django_capture_on_commit_callbacks)
    pack.refresh_from_db()
    finished = {"state": pack.state, "file": pack.file.name, "sha256": pack.sha256}
    EvidencePack.objects.filter(pk=pack.pk).update(state="preparing")

    def other_worker_finishes_then_this_one_fails(*args):
        EvidencePack.objects.filter(pk=pack.pk).update(**finished)
        raise RuntimeError("disk full")

    with mock.patch(
        "trials.pdf.render.render_evidence_pack",
        side_effect=other_worker_finishes_then_this_one_fails,
    ):
        render_pack.apply(args=[pack.pk])
    pack.refresh_from_db()
    assert (pack.state, pack.file.name, pack.sha256) == (
        "ready",
        finished["file"],
        finished["sha256"],
    )


def test_a_welsh_start_ups_pack_is_in_welsh_through_to_sign_off(
    completed_trial, startup, officer, django_capture_on_commit_callbacks
):
    """The pack's headings follow the submitter's language, and the final version keeps the
    language of the version reviewed, whatever language the officer reads in."""
    startup.user.language = "cy"
    startup.user.save()
    pack = submit(completed_trial, startup, django_capture_on_commit_callbacks)
    assert pack.content["language"] == "cy"
    assert "Crynodeb gweithredol" in text_of(pack_bytes(pack))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.pack_review(actor=officer.user, pack=pack, decision="accepted", comments="Da.")
    final = EvidencePack.objects.get(trial=completed_trial, is_final=True)
    text = text_of(pack_bytes(final))
    assert "Crynodeb gweithredol" in text
    assert "Executive summary" not in text
    [accepted] = [m for m in mail.outbox if startup.user.email in m.to]
    assert accepted.subject == (
        f"[Test Bed Exchange] Tystiolaeth wedi'i derbyn: {completed_trial.title}"
    )
