"""A trial request can carry its plan and KPIs, so the provider decides on the whole proposal."""

import pytest
from django.core.exceptions import ValidationError

from tests.factories import TestBedFactory
from tests.trials.conftest import d
from trials import services
from trials.models import Booking, Trial

pytestmark = pytest.mark.django_db


def _request(startup, testbed, **extra):
    return services.trial_request(
        actor=startup.user,
        organisation=startup.organisation,
        testbed=testbed,
        title="Falls sensors",
        summary="Bed-exit sensors on one ward.",
        first_day=d(20),
        last_day=d(40),
        **extra,
    )


def test_the_request_keeps_its_plan_and_kpis(startup, provider):
    testbed = TestBedFactory(organisation=provider.organisation)
    trial = _request(
        startup,
        testbed,
        plan={"objectives": "Fewer falls at night", "trl_start": 6, "trl_target": 7},
        kpis=[
            {"name": "Falls per month", "baseline": "12", "target": "6", "direction": "lower"},
            {"name": "Staff satisfied", "baseline": 40, "target": "70", "unit": "%"},
        ],
    )
    trial.refresh_from_db()
    assert trial.objectives == "Fewer falls at night"
    assert (trial.trl_start, trial.trl_target) == (6, 7)
    assert [(k.position, k.name, k.direction) for k in trial.kpis.order_by("position")] == [
        (1, "Falls per month", "lower"),
        (2, "Staff satisfied", "higher"),
    ]


@pytest.mark.parametrize(
    "extra, field",
    [
        ({"kpis": [{"name": "", "baseline": 1, "target": 2}]}, "kpis"),
        ({"kpis": [{"name": "x", "baseline": "lots", "target": 2}]}, "kpis"),
        ({"kpis": [{"name": "x", "baseline": 1, "target": 2, "colour": "red"}]}, "kpis"),
        ({"plan": {"trl_start": 7, "trl_target": 5}}, "trl_target"),
        ({"plan": {"programme": None}}, "programme"),
    ],
)
def test_a_bad_plan_or_kpi_saves_nothing(startup, provider, extra, field):
    testbed = TestBedFactory(organisation=provider.organisation)
    with pytest.raises(ValidationError) as caught:
        _request(startup, testbed, **extra)
    assert field in caught.value.message_dict
    assert not Trial.objects.exists()
    assert not Booking.objects.exists()
