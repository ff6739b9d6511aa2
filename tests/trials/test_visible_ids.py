"""The trials list's ids written as one SQL statement (``trials.visible_ids``) are exactly
those of ``selectors.trials_visible_to`` with the list's filters, for every kind of viewer:
nobody sees another organisation's trial through either."""

import pytest
from django.db import connection

from accounts.models import Organisation
from tests.factories import MembershipFactory, OrganisationFactory, TestBedFactory
from tests.trials.conftest import d
from tests.trials.test_partners import invite, verified_user
from trials import selectors, services
from trials.visible_ids import first_visible_ids

pytestmark = pytest.mark.django_db


def orm_ids(user, params: dict) -> list[int]:
    trials = selectors.trials_visible_to(user, selectors.organisation_ids(user))
    return list(selectors.list_ids(selectors.filter_trials(trials, params)))


def test_off_postgres_the_orm_answers(startup):
    if connection.vendor == "postgresql":
        assert first_visible_ids([startup.organisation.pk], {}, limit=10) == []
    else:
        assert first_visible_ids([startup.organisation.pk], {}, limit=10) is None


def test_the_statement_sees_what_the_orm_sees(
    startup, provider, officer, other_startup, active_trial
):
    if connection.vendor != "postgresql":
        pytest.skip("The statement is PostgreSQL's (ANY); runs in CI's PostgreSQL pass")
    theirs = services.trial_request(
        actor=other_startup.user,
        organisation=other_startup.organisation,
        testbed=TestBedFactory(capacity=3),
        title="Theirs",
        summary="On someone else's test bed.",
        first_day=d(40),
        last_day=d(42),
    )
    company = OrganisationFactory(kind=Organisation.Kind.COMPANY)
    partner_user = verified_user("kit@company.example")
    MembershipFactory(user=partner_user, organisation=company, admin=True)
    partnership, token = invite(startup, active_trial)
    services.partner_accept(user=partner_user, token=token, organisation=company)
    removed_user = verified_user("gone@company.example")
    gone = OrganisationFactory(kind=Organisation.Kind.COMPANY)
    MembershipFactory(user=removed_user, organisation=gone, admin=True)
    left, token = invite(startup, active_trial, email="gone@company.example")
    services.partner_accept(user=removed_user, token=token, organisation=gone)
    services.partner_remove(actor=startup.user, partner=left)
    nobody = MembershipFactory(organisation=OrganisationFactory(start_up=True)).user
    params_list = [
        {},
        {"status": "active"},
        {"status": "requested"},
        {"status": "nonsense"},
        {"testbed": active_trial.testbed.slug},
        {"testbed": "no such slug!"},
        {"programme": str(active_trial.programme_id)},
        {"programme": "x"},
        {"status": "active", "programme": str(active_trial.programme_id)},
    ]
    users = [
        startup.user,
        provider.user,
        officer.user,
        other_startup.user,
        partner_user,
        removed_user,
        nobody,
    ]
    for user in users:
        for params in params_list:
            expected = orm_ids(user, params)
            found = first_visible_ids(selectors.organisation_ids(user), params, limit=1001)
            assert found == expected, (user, params)
    assert first_visible_ids(selectors.organisation_ids(partner_user), {}, limit=10) == [
        active_trial.pk
    ]
    assert first_visible_ids(selectors.organisation_ids(removed_user), {}, limit=10) == []
    assert theirs.pk not in first_visible_ids(
        selectors.organisation_ids(startup.user), {}, limit=10
    )
