"""Rendering an evidence pack is a claimed work item (issue 21, item 3).

A renderer claims the pack (when, which process, one more attempt) before it starts. A
claim left by a process that died (kill -9, OOM, deploy) goes stale and the pack is
rendered again by the periodic job ``resume_evidence_packs`` or by ``retry``. The kill
itself, with a real process, is in tests/faults/test_killed_render.py.
"""

import datetime

import pytest
from django.utils import timezone

from core.exceptions import Conflict
from core.periodic import jobs, run_job
from tests.trials import test_packs
from trials import services
from trials.models import EvidencePack
from trials.services.evidence import MAX_RENDER_ATTEMPTS

pytestmark = pytest.mark.django_db

completed_trial = test_packs.completed_trial  # the fixture, shared

LONG_AGO = datetime.timedelta(hours=1)


def queued(trial, startup) -> EvidencePack:
    """A submitted pack whose render was queued but never ran (no on-commit here)."""
    kpi = trial.kpis.get(name="Resident satisfaction")
    services.kpi_update(actor=startup.user, kpi=kpi, no_measurement_reason="Postponed.")
    return services.trial_submit(actor=startup.user, trial=trial)


def killed_mid_render(pack: EvidencePack, *, ago=LONG_AGO, attempts=1) -> None:
    """As a renderer killed after claiming the pack leaves it."""
    EvidencePack.objects.filter(pk=pack.pk).update(
        claimed_at=timezone.now() - ago, claimed_by="web-1:4242", attempts=attempts
    )


def test_a_render_claims_the_pack_and_clears_the_claim_when_done(completed_trial, startup):
    from trials.tasks import render_pack

    pack = queued(completed_trial, startup)
    assert (pack.state, pack.claimed_at, pack.attempts) == ("preparing", None, 0)
    assert render_pack.apply(args=[pack.pk]).get() == "rendered"
    pack.refresh_from_db()
    assert (pack.state, pack.attempts, pack.claimed_at, pack.claimed_by) == ("ready", 1, None, "")


def test_the_claim_names_the_process_and_counts_the_attempt(completed_trial, startup):
    pack = queued(completed_trial, startup)
    claimed = services.pack_claim(pack.pk, worker="web-1:4242")
    assert claimed.claimed_by == "web-1:4242" and claimed.attempts == 1
    assert claimed.claimed_at is not None
    EvidencePack.objects.filter(pk=pack.pk).update(state="ready")
    assert services.pack_claim(pack.pk) is None  # a ready pack is not claimed again


def test_the_periodic_job_renders_a_pack_whose_renderer_died(
    completed_trial, startup, django_capture_on_commit_callbacks
):
    assert "resume_evidence_packs" in jobs()
    pack = queued(completed_trial, startup)
    killed_mid_render(pack)
    assert run_job("resume_evidence_packs").result == {"resumed": 1, "failed": 0}
    pack.refresh_from_db()
    assert pack.state == "ready" and pack.file and pack.sha256
    assert pack.attempts == 2 and pack.claimed_at is None


def test_a_fresh_claim_is_left_alone_and_a_lost_queue_entry_is_picked_up(completed_trial, startup):
    pack = queued(completed_trial, startup)
    killed_mid_render(pack, ago=datetime.timedelta(seconds=5))  # still rendering, maybe
    assert services.resume_evidence_packs() == {"resumed": 0, "failed": 0}
    pack.refresh_from_db()
    assert pack.state == "preparing"
    # Never claimed, queued an hour ago: the task was lost with the process that had it.
    EvidencePack.objects.filter(pk=pack.pk).update(
        claimed_at=None, created_at=timezone.now() - LONG_AGO
    )
    assert services.resume_evidence_packs() == {"resumed": 1, "failed": 0}
    pack.refresh_from_db()
    assert pack.state == "ready"


def test_a_pack_that_kills_its_renderer_every_time_ends_failed_then_retry_renders_it(
    completed_trial, startup, django_capture_on_commit_callbacks
):
    pack = queued(completed_trial, startup)
    killed_mid_render(pack, attempts=MAX_RENDER_ATTEMPTS)
    assert services.resume_evidence_packs() == {"resumed": 0, "failed": 1}
    pack.refresh_from_db()
    assert pack.state == "failed" and "interrupted" in pack.error
    with django_capture_on_commit_callbacks(execute=True):
        services.pack_retry(actor=startup.user, pack=pack)
    pack.refresh_from_db()
    assert pack.state == "ready" and pack.attempts == 1


def test_retry_takes_a_stalled_pack_but_not_one_still_rendering(
    completed_trial, startup, client, django_capture_on_commit_callbacks
):
    pack = queued(completed_trial, startup)
    killed_mid_render(pack, ago=datetime.timedelta(seconds=5))
    with pytest.raises(Conflict):
        services.pack_retry(actor=startup.user, pack=pack)
    killed_mid_render(pack)
    client.force_login(startup.user)
    page = client.get(completed_trial.get_absolute_url()).content.decode()
    assert "Preparing it stopped." in page and "Try again" in page
    with django_capture_on_commit_callbacks(execute=True):
        services.pack_retry(actor=startup.user, pack=pack)
    pack.refresh_from_db()
    assert pack.state == "ready"
