"""The trials' periodic jobs, registered with core.periodic (see TrialsConfig.ready)."""

from core.periodic import register

from . import reminders, services


def _reminders() -> dict:
    return dict(reminders.send_reminders())


def register_jobs() -> None:
    register(
        "start_due_trials",
        services.start_due_trials,
        description="start approved trials whose first day has come",
        minute=5,
        hour=0,
    )
    register(
        "lapse_waitlist_offers",
        services.lapse_waitlist_offers,
        description="lapse waitlist offers past their time; offer the days to the next",
        minute=15,
    )
    register(
        "send_reminders",
        _reminders,
        description="trials starting or ending soon, evidence overdue, reviews waiting, offers",
        minute=0,
        hour=7,
    )
    register(
        "resume_evidence_packs",
        services.resume_evidence_packs,
        description="render again evidence packs whose render was interrupted (stale claim)",
        minute="*",
    )
    register(
        "send_message_emails",
        services.send_waiting_message_emails,
        description="e-mail new messages still unread, at most once per person per thread "
        "per 15 minutes",
        minute="*/5",
    )
