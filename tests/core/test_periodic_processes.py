"""`manage.py run_periodic` from two machines at once (two processes here), on the database
under test: PostgreSQL advisory locks in CI's PostgreSQL pass, file locks on SQLite. Every
job runs in one process or is skipped by the other, and nothing is done twice."""

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

from accounts.models import ApiToken, AuditEvent, Notification
from core import periodic
from testbeds.models import WaitlistEntry
from tests.factories import MembershipFactory, OrganisationFactory, TestBedFactory
from trials import services
from trials.models import Trial, TrialEvent

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ROOT = Path(__file__).resolve().parents[2]
TODAY = timezone.localdate()


def database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
        return (
            f"postgres://{settings['USER']}{password}@{settings['HOST'] or '127.0.0.1'}:"
            f"{settings['PORT'] or 5432}/{settings['NAME']}"
        )
    return f"sqlite:///{settings['NAME']}"


def command_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"SQLITE_PATH", "CELERY_BROKER_URL"}}
    env.update(
        DATABASE_URL=database_url(),
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="1",
        LOG_LEVEL="WARNING",
        EMAIL_URL="console://",
    )
    return env


def start_run_periodic() -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_periodic"],
        cwd=ROOT,
        env=command_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen) -> str:
    out, err = process.communicate(timeout=180)
    assert process.returncode == 0, out + err
    return out


@pytest.fixture
def due_work():
    """Something due for each job: a trial to start, one starting in three days (reminders),
    a lapsed waitlist offer, an expired session and an old expired API token."""
    testbed = TestBedFactory(capacity=2)
    provider = MembershipFactory(organisation=testbed.organisation, admin=True)
    startup = MembershipFactory(organisation=OrganisationFactory(start_up=True), admin=True)
    trials = []
    for first_day in (TODAY, TODAY + datetime.timedelta(days=3)):
        trial = services.trial_request(
            actor=startup.user,
            organisation=startup.organisation,
            testbed=testbed,
            title=f"Starts {first_day}",
            summary="S",
            first_day=first_day,
            last_day=first_day + datetime.timedelta(days=2),  # no shared day: one live trial a day
        )
        services.trial_approve(actor=provider.user, trial=trial)
        trials.append(trial)
    now = timezone.now()
    entry = WaitlistEntry.objects.create(
        testbed=testbed,
        organisation=startup.organisation,
        requested_by=startup.user,
        start=TODAY + datetime.timedelta(days=30),
        end=TODAY + datetime.timedelta(days=35),
        title="Waiting",
        status=WaitlistEntry.Status.OFFERED,
        offered_at=now - datetime.timedelta(days=3),
        offer_expires_at=now - datetime.timedelta(hours=1),
    )
    Session.objects.create(
        session_key="x" * 32, session_data="e30=", expire_date=now - datetime.timedelta(days=1)
    )
    ApiToken.objects.create(
        user=startup.user,
        name="Old",
        prefix="oldtoken",
        key_hash="0" * 64,
        expires_at=now - datetime.timedelta(days=200),
    )
    return {"today": trials[0], "soon": trials[1], "entry": entry, "startup": startup}


def test_two_run_periodic_at_once_do_nothing_twice(due_work):
    first, second = start_run_periodic(), start_run_periodic()
    outputs = [finish(first), finish(second)]
    for name in periodic.jobs():
        ran = sum(f"{name}: " in out and f"{name}: skipped" not in out for out in outputs)
        skipped = sum(f"{name}: skipped" in out for out in outputs)
        assert ran >= 1 and ran + skipped == 2, (name, outputs)

    started = due_work["today"]
    assert Trial.objects.get(pk=started.pk).status == "active"
    assert TrialEvent.objects.filter(trial=started, to_status="active").count() == 1
    assert Trial.objects.get(pk=due_work["soon"].pk).status == "approved"
    key = f"reminder:starting:{due_work['soon'].pk}:"
    reminders = Notification.objects.filter(key__startswith=key, user=due_work["startup"].user)
    assert reminders.count() == 1
    assert WaitlistEntry.objects.get(pk=due_work["entry"].pk).status == "lapsed"
    assert AuditEvent.objects.filter(action="waitlist.lapsed").count() == 1
    assert not Session.objects.filter(session_key="x" * 32).exists()
    assert not ApiToken.objects.filter(prefix="oldtoken").exists()
    assert AuditEvent.objects.filter(action="cleanup.expired").count() == 1


def test_a_job_whose_lock_another_process_holds_is_skipped(due_work):
    """The lock, not only the jobs' idempotence: while this process holds the lock of
    `start_due_trials`, a run_periodic elsewhere skips that job and runs the others."""
    with periodic.exclusive("start_due_trials") as held:
        assert held
        out = finish(start_run_periodic())
    assert "start_due_trials: skipped (running elsewhere)" in out
    assert "lapse_waitlist_offers: 1" in out
    assert Trial.objects.get(pk=due_work["today"].pk).status == "approved"
    out = finish(start_run_periodic())
    assert "start_due_trials: 1" in out
    assert Trial.objects.get(pk=due_work["today"].pk).status == "active"
