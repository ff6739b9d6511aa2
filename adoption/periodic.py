"""Adoption's periodic job, registered with core.periodic (see AdoptionConfig.ready)."""

from core.periodic import register

from . import services


def _reminders() -> dict:
    return dict(services.send_reminders())


def register_jobs() -> None:
    register(
        "impact_report_reminders",
        _reminders,
        description="impact reports due in two weeks or today: remind the start-up (once each)",
        minute=10,
        hour=7,
    )
