"""Journeys 2 and 4 with JavaScript disabled: every page must work as plain HTML.

The chain stands alone on a test bed of its own (so its trial can start today): the provider
lists it (journey 1, also without JavaScript), a new start-up signs up, sets up, finds it and
requests a trial (journey 2), the provider approves it, and the start-up runs the trial through
to submission (journey 4). axe audits each page's markup as the browser received it.
"""

import pytest
from playwright.sync_api import expect

from .browser import days, today
from .steps import (
    TestBedSpec,
    approve,
    enrol_in_programme,
    find_test_bed,
    jpeg,
    list_test_bed,
    request_trial,
    run_trial,
    set_up_start_up,
    sign_up,
)

pytestmark = pytest.mark.e2e

TESTBED = TestBedSpec(
    name="Roker Seafront Sensor Deck",
    town="Sunderland",
    sector="Energy and net zero",
    photo_alt="A wooden deck on the seafront with weatherproof sensor boxes on posts",
)
TRIAL = "Wave-powered lighting on the Roker seafront"


def test_journeys_2_and_4_without_javascript(open_journey, e2e_server, tmp_path):
    provider = open_journey("no-js-1-provider-lists-test-bed", javascript=False)
    provider.sign_in("provider@demo.test")
    list_test_bed(provider, TESTBED, jpeg(tmp_path / "deck.jpg", colour=(40, 120, 90)))

    startup = open_journey("no-js-2-and-4-start-up", javascript=False)
    sign_up(startup, e2e_server, email="lamps@wavelight.example", name="Dafydd Morgan")
    set_up_start_up(startup, organisation="Wavelight Ltd")
    enrol_in_programme(e2e_server, "Wavelight Ltd")
    find_test_bed(startup, TESTBED.name, first_day=today(), last_day=days(20), min_days=10)
    trial = request_trial(startup, title=TRIAL, first_day=today(), last_day=days(9))

    approve(provider, TRIAL, trial)
    provider.finish()

    run_trial(startup, trial, jpeg(tmp_path / "lamp.jpg", colour=(230, 200, 60)))
    expect(startup.page.locator(".app-status-tag")).to_have_text("Submitted for review")
    startup.finish()
