"""core.periodic: one registry of periodic jobs, each run under a lock of its own."""

import pytest
from django.core.management import call_command

from core import periodic


@pytest.mark.django_db
def test_run_periodic_runs_every_registered_job_once(capsys):
    call_command("run_periodic")
    out = capsys.readouterr().out
    for name in (
        "start_due_trials",
        "lapse_waitlist_offers",
        "send_reminders",
        "send_message_emails",
        "webhook_retries",
        "close_due_challenges",
        "clear_expired",
    ):
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
    # ... each on the schedule its app registered (settings cannot import the apps).
    registered = periodic.beat_schedule()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["schedule"] == registered[f"periodic-{entry['args'][0]}"]["schedule"]


@pytest.mark.django_db
def test_send_reminders_command_is_the_periodic_job(monkeypatch, capsys):
    """The old cron command runs the registered job, under its lock, not a path of its own."""
    calls = []
    job = periodic.jobs()["send_reminders"]
    monkeypatch.setitem(
        periodic._JOBS,
        "send_reminders",
        periodic.PeriodicJob(
            "send_reminders", lambda: calls.append(1) or {"starting": 0}, "", job.schedule
        ),
    )
    call_command("send_reminders")
    assert calls == [1]
    assert "starting: 0" in capsys.readouterr().out


@pytest.mark.django_db
def test_clear_expired_deletes_only_what_has_expired():
    import datetime

    from allauth.usersessions.models import UserSession
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from accounts.cleanup import clear_expired
    from accounts.models import ApiToken
    from tests.factories import UserFactory

    now = timezone.now()
    user = UserFactory()
    day = datetime.timedelta(days=1)
    Session.objects.create(session_key="old" + "x" * 29, session_data="e30=", expire_date=now - day)
    Session.objects.create(
        session_key="live" + "x" * 28, session_data="e30=", expire_date=now + day
    )
    for key in ("old" + "x" * 29, "live" + "x" * 28):
        UserSession.objects.create(user=user, session_key=key, ip="127.0.0.1", user_agent="t")

    def token(prefix: str, **when) -> None:
        ApiToken.objects.create(user=user, name=prefix, prefix=prefix, key_hash=prefix * 8, **when)

    token("expiredA", expires_at=now - 100 * day)  # long expired: goes
    token("revokedA", revoked_at=now - 100 * day)  # long revoked: goes
    token("expiredB", expires_at=now - 10 * day)  # recently expired: still listed
    token("liveAAAA", expires_at=now + 10 * day)
    token("forever1")

    assert clear_expired(now) == {"sessions": 1, "session_list": 1, "api_tokens": 2}
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live" + "x" * 28]
    assert list(UserSession.objects.values_list("session_key", flat=True)) == ["live" + "x" * 28]
    assert set(ApiToken.objects.values_list("prefix", flat=True)) == {
        "expiredB",
        "liveAAAA",
        "forever1",
    }
    assert clear_expired(now) == {"sessions": 0, "session_list": 0, "api_tokens": 0}
