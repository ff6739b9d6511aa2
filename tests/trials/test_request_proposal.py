"""The request form carries the plan, the KPIs and the approvals the test bed requires; the
approval queue and the trial page show them to the provider; a note can go with an approval
(issue 22, point 2)."""

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import MembershipFactory, OrganisationFactory, TestBedFactory
from tests.trials.conftest import d
from trials import services
from trials.models import Trial

pytestmark = pytest.mark.django_db


@pytest.fixture
def testbed(provider):
    return TestBedFactory(
        organisation=provider.organisation, capacity=2, assurances=["dpia", "insurance"]
    )


def basics(**extra) -> dict:
    return {
        "title": "Falls sensors",
        "summary": "Bed-exit sensors on one ward.",
        "first_day": d(20).isoformat(),
        "last_day": d(40).isoformat(),
        "approval_dpia": "in-place",
        "approval_insurance": "not-yet",
        **extra,
    }


def test_the_form_asks_only_the_approvals_the_test_bed_requires(client, startup, testbed):
    client.force_login(startup.user)
    html = client.get(reverse("trials:request", args=[testbed.slug])).content.decode()
    assert "Approvals this test bed requires" in html
    assert "Data protection impact assessment (DPIA) (required by this test bed)" in html
    assert "Insurance (required by this test bed)" in html
    assert "Ethics approval" not in html and 'name="approval_ethics"' not in html
    assert 'name="kpi1_name"' in html and 'name="objectives"' in html
    plain = TestBedFactory(organisation=testbed.organisation)
    html = client.get(reverse("trials:request", args=[plain.slug])).content.decode()
    assert "Approvals this test bed requires" not in html


def test_the_request_carries_plan_kpis_and_approvals(client, startup, testbed):
    client.force_login(startup.user)
    response = client.post(
        reverse("trials:request", args=[testbed.slug]),
        basics(
            product_name="WardWatch",
            objectives="Fewer falls at night",
            trl_start="6",
            trl_target="7",
            approvals_note="Insurance renewed in May.",
            kpi1_name="Falls per month",
            kpi1_baseline="12",
            kpi1_target="6",
            kpi1_direction="lower",
            kpi2_name="Staff satisfied",
            kpi2_unit="%",
            kpi2_baseline="40",
            kpi2_target="70",
            kpi2_direction="higher",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    trial = Trial.objects.get(title="Falls sensors")
    assert (trial.product_name, trial.objectives) == ("WardWatch", "Fewer falls at night")
    assert (trial.trl_start, trial.trl_target) == (6, 7)
    assert trial.approvals == {
        "dpia": {"status": "in-place", "note": ""},
        "insurance": {"status": "not-yet", "note": ""},
    }
    assert trial.approvals_note == "Insurance renewed in May."
    kpis = list(trial.kpis.order_by("position"))
    assert [(k.name, k.direction, k.unit) for k in kpis] == [
        ("Falls per month", "lower", ""),
        ("Staff satisfied", "higher", "%"),
    ]


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"kpi1_name": "Falls"}, "kpi1_baseline", "Enter the baseline of KPI 1."),
        ({"kpi2_baseline": "3", "kpi2_target": "4"}, "kpi2_name", "Name KPI 2."),
        (
            {"kpi1_name": "Falls", "kpi1_baseline": "lots", "kpi1_target": "1"},
            "kpi1_baseline",
            "Enter a number.",
        ),
        ({"approval_dpia": ""}, "approval_dpia", "Say whether"),
        ({"approval_dpia": "maybe"}, "approval_dpia", "Select a valid choice"),
        ({"trl_start": "7", "trl_target": "5"}, "trl_target", "cannot be below"),
    ],
)
def test_bad_proposal_re_renders_with_field_errors_and_saves_nothing(
    client, startup, testbed, extra, field, message
):
    client.force_login(startup.user)
    response = client.post(reverse("trials:request", args=[testbed.slug]), basics(**extra))
    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html and f"#id_{field}" in html
    assert message in html
    assert not Trial.objects.exists()


def _requested(startup, testbed, **extra) -> Trial:
    return services.trial_request(
        actor=startup.user,
        organisation=startup.organisation,
        testbed=testbed,
        title="Falls sensors",
        summary="Bed-exit sensors on one ward.",
        first_day=d(20),
        last_day=d(40),
        plan={
            "objectives": "Fewer falls at night",
            "approvals": {"dpia": {"status": "in-place"}},
        },
        kpis=[{"name": "Falls per month", "baseline": 12, "target": 6, "direction": "lower"}],
        **extra,
    )


def test_queue_and_decision_page_show_the_proposal(client, startup, testbed, provider):
    trial = _requested(startup, testbed)
    client.force_login(provider.user)
    queue = client.get(reverse("trials:approval_queue")).content.decode()
    for expected in [
        "Fewer falls at night",
        "Falls per month",
        "Approvals this test bed requires",
        "Data protection impact assessment (DPIA)",
        "Insurance",
        "Not yet in place",
        "Note to the start-up (optional)",
    ]:
        assert expected in queue, expected
    assert "Ethics approval" not in queue  # not required by this test bed
    page = client.get(trial.get_absolute_url()).content.decode()
    assert "Fewer falls at night" in page and "Falls per month" in page
    assert "Required by the test bed" in page
    assert 'name="note"' in page


def test_a_note_goes_with_the_approval_to_the_start_up(
    client, startup, testbed, provider, django_capture_on_commit_callbacks
):
    trial = _requested(startup, testbed)
    client.force_login(provider.user)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("trials:approve", args=[trial.pk]),
            {
                "note": "Report to ward 7 reception at 9am.",
                "next": reverse("trials:approval_queue"),
            },
        )
    assert response.status_code == 302
    trial.refresh_from_db()
    assert trial.status == "approved"
    assert trial.events.get(to_status="approved").note == "Report to ward 7 reception at 9am."
    assert any("Report to ward 7 reception at 9am." in m.body for m in mail.outbox)
    client.force_login(startup.user)
    assert (
        "Report to ward 7 reception at 9am."
        in client.get(trial.get_absolute_url()).content.decode()
    )


def test_queue_queries_do_not_grow_with_proposals(
    client, startup, testbed, provider, django_assert_max_num_queries
):
    client.force_login(provider.user)
    testbed.capacity = 10
    testbed.save()
    _requested(startup, testbed)
    with django_assert_max_num_queries(10) as few:
        client.get(reverse("trials:approval_queue"))
    for _ in range(4):  # one live request per start-up, test bed and day: other start-ups
        other = MembershipFactory(organisation=OrganisationFactory(start_up=True), admin=True)
        _requested(other, testbed)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("trials:approval_queue")).status_code == 200
