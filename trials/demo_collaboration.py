"""Demo data for trials run together, for `manage.py seed_demo`. Safe to run again.

The running demo trial (smart bins at the bus depot) has a company partner
(``partner@demo.test``, in the North East), a message thread between the start-up, the
provider and the partner, and one pending change of dates in the provider's queue: the
start-up asks for two more weeks.
"""

from __future__ import annotations

import datetime

from accounts.demo import DemoAccounts, demo_organisation, demo_user
from accounts.models import Organisation, Region, User

from . import services
from .models import ChangeRequest, Message, Trial, TrialPartner

PARTNER_EMAIL = "partner@demo.test"
PARTNER_ORGANISATION = "Northern Sensor Works Ltd"
MESSAGES = [
    ("startup", "Welcome aboard! The depot team expects us on Tuesday at 8am to fit the rest."),
    ("partner", "Thanks. We will bring the 12 replacement sensors and the mounting kits."),
    ("provider", "Site access is through the north gate. Please sign in at the depot office."),
    ("startup", "Noted. Once the new bins arrive we would like two more weeks: request sent."),
]

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


def _partner(accounts: DemoAccounts, trial: Trial) -> User:
    user = demo_user(PARTNER_EMAIL, "Pat Robson")
    company = demo_organisation(
        actor=accounts.admin,
        admin=user,
        kind=Organisation.Kind.COMPANY,
        name=PARTNER_ORGANISATION,
        region=Region.NORTH_EAST,
        website="https://northern-sensors.example",
        description="Designs and installs rugged sensors for depots and streets.",
    )
    if not TrialPartner.objects.filter(trial=trial, organisation=company).exists():
        _invitation, token = services.partner_invite(
            actor=accounts.startup,
            trial=trial,
            email=PARTNER_EMAIL,
            role="technology",
            contribution="Supplies, fits and maintains the bin fill-level sensors",
        )
        services.partner_accept(user=user, token=token, organisation=company)
    return user


def _messages(accounts: DemoAccounts, trial: Trial, partner: User) -> None:
    if Message.objects.filter(trial=trial).exists():
        return
    authors = {"startup": accounts.startup, "partner": partner, "provider": accounts.provider}
    for who, text in MESSAGES:
        services.message_post(actor=authors[who], trial=trial, text=text)


def seed_collaboration(accounts: DemoAccounts) -> None:
    trial = _active_trial(accounts)
    if trial is None or trial.status != "active":
        return
    partner = _partner(accounts, trial)
    _messages(accounts, trial, partner)
    _change_request(accounts, trial)
