"""core.periodic: one registry of periodic jobs, each run under a lock of its own."""

import pytest
from django.core.management import call_command

from core import periodic


@pytest.mark.django_db
def test_run_periodic_runs_every_registered_job_once(capsys):
    call_command("run_periodic")
    out = capsys.readouterr().out
    for name in ("start_due_trials", "lapse_waitlist_offers", "send_reminders", "webhook_retries"):
        assert f"{name}: " in out
        assert out.count(f"{name}: ") == 1


@pytest.mark.django_db
def test_a_job_whose_lock_is_held_elsewhere_is_skipped(monkeypatch):
    calls = []
    monkeypatch.setitem(
        periodic._JOBS,
        "probe",
        periodic.PeriodicJob("probe", lambda: calls.append(1), "test", {"minute": 0}),
    )
    with periodic.exclusive("probe") as held:
        assert held
        run = periodic.run_job("probe")  # on PostgreSQL the same session re-enters; see below
    if run.ran:  # PostgreSQL advisory locks are re-entrant within one session
        from django.db import connection

        assert connection.vendor == "postgresql"
    else:
        assert calls == []
    assert periodic.run_job("probe").ran


def test_beat_runs_the_registered_jobs_through_one_task():
    from django.conf import settings

    scheduled = {
        entry["args"][0]
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "core.run_periodic_job"
    }
    assert scheduled == set(periodic.jobs())
