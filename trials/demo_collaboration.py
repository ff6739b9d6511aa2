"""Demo data for trials run together, for `manage.py seed_demo`. Safe to run again.

The running demo trial (smart bins at the bus depot) has one pending change of dates in
the provider's queue: the start-up asks for two more weeks.
"""

from __future__ import annotations

import datetime

from accounts.demo import DemoAccounts

from . import services
from .models import ChangeRequest, Trial

ACTIVE_TRIAL = "Smart bins at the bus depot"


def _active_trial(accounts: DemoAccounts) -> Trial | None:
    return (
        Trial.objects.filter(organisation=accounts.startup_org, title=ACTIVE_TRIAL)
        .select_related("booking", "testbed")
        .first()
    )


def _change_request(accounts: DemoAccounts, trial: Trial) -> None:
    if ChangeRequest.objects.filter(trial=trial).exists():
        return
    services.change_request_create(
        actor=accounts.startup,
        trial=trial,
        first_day=trial.booking.start,
        last_day=trial.booking.last_day + datetime.timedelta(days=14),
        reason="The depot's new bins arrive late: two more weeks give us a full month of data "
        "with every bin fitted.",
    )


def seed_collaboration(accounts: DemoAccounts) -> None:
    trial = _active_trial(accounts)
    if trial is None or trial.status != "active":
        return
    _change_request(accounts, trial)
