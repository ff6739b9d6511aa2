"""The programme's view of adoption: the figures in adoption/selectors.py, on the programme
page, in its summary PDF, in the funnel and on the regions tile map, in constant queries."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from adoption import selectors, services
from adoption.models import Adoption, ImpactReport
from programmes.filters import FigureFilter
from programmes.funnel import cohort, programme_funnel, step_trials
from programmes.regions import programme_reach_map
from tests.adoption.conftest import accepted_trial, adopted, d
from tests.adoption.test_services import report_data
from trials.models import Trial

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme_world(world):
    """Three accepted trials in the programme: adopted, not adopted (two reasons), undecided."""
    programme = world.trial.programme
    services.adoption_decide(actor=world.provider.user, adoption=world.adoption, **adopted())
    Adoption.objects.filter(pk=world.adoption.pk).update(
        accepted_on=timezone.localdate() - datetime.timedelta(days=10)
    )
    second = accepted_trial(world.startup, world.provider, programme, title="Second")
    services.adoption_decide(
        actor=world.provider.user,
        adoption=second.adoption,
        status="not_adopted",
        reasons=["cost", "no_budget"],
    )
    accepted_trial(world.startup, world.provider, programme, title="Third")
    report = world.adoption.reports.get(months=6)
    services.impact_report_submit(actor=world.startup.user, report=report, **report_data(world))
    ImpactReport.objects.filter(adoption=second.adoption, months=6).update(due_on=d(-3))
    return world, programme


def test_programme_figures(programme_world):
    world, programme = programme_world
    figures = selectors.programme_adoption(Trial.objects.filter(programme=programme))
    assert (figures["accepted"], figures["decided"], figures["adopted"]) == (3, 2, 1)
    assert figures["decided_rate"] == pytest.approx(2 / 3)
    assert figures["adopted_rate"] == pytest.approx(1 / 3)
    assert figures["median_days_to_decision"] == 5  # 10 and 0 days
    assert figures["contract_value"] == Decimal("125000.50")
    assert figures["follow_on_value"] == Decimal("40000.00")
    assert figures["reports"]["investment"] == Decimal("250000.00")
    assert figures["reports"]["submitted"] == 1 and figures["reports"]["overdue"] == 1
    assert {r["code"]: r["count"] for r in figures["reasons"]} == {"cost": 1, "no_budget": 1}


def test_figures_in_constant_queries(programme_world):
    world, programme = programme_world

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            selectors.programme_adoption(Trial.objects.filter(programme=programme))
        return len(captured)

    few = count()
    for index in range(3):
        accepted_trial(world.startup, world.provider, programme, title=f"More {index}")
    assert count() == few


def test_programme_page_shows_adoption(client, programme_world):
    world, programme = programme_world
    client.force_login(world.officer.user)
    page = client.get(f"/programmes/{programme.pk}/")
    assert page.status_code == 200
    assert "From trial to adoption" in page.text and "No budget" in page.text
    assert "Impact reports overdue" in page.text and "Second" in page.text
    assert client.get(f"/programmes/{programme.pk}/summary.pdf").status_code == 200


def test_funnel_has_the_adoption_steps_and_reasons(programme_world):
    world, programme = programme_world
    funnel = programme_funnel(programme, FigureFilter())
    steps = {s.key: s.count for s in funnel.steps}
    assert (steps["accepted"], steps["adoption_decided"], steps["adopted"]) == (3, 2, 1)
    drop_outs = {s.key: s.count for s in funnel.drop_outs}
    assert drop_outs["not_adopted:cost"] == 1 and drop_outs["not_adopted:no_budget"] == 1
    assert drop_outs["not_adopted:evidence"] == 0
    trials = cohort(programme, FigureFilter())
    for step in [*funnel.steps, *funnel.drop_outs]:
        assert step_trials(trials, step.key).count() == step.count, step.key


def test_regions_map_counts_adoptions(programme_world):
    world, programme = programme_world
    tiles = {t.code: t for t in programme_reach_map(programme, "adoptions").tiles}
    assert tiles["north-east"].value == 1


def test_board_summary_has_the_adoption_and_impact_section(programme_world):
    """The programme's summary PDF and its HTML page carry what accepted trials led to; the
    evidence packs themselves are never changed (adoption is not written into them)."""
    import io

    from pypdf import PdfReader

    from programmes import portfolio
    from programmes.board import board_summary
    from programmes.pdf import render_board_summary

    _world, programme = programme_world
    summary = board_summary(programme, portfolio.PortfolioFilter(), "")
    rows = dict(summary.adoption_rows)
    assert rows["Trials with evidence accepted"] == "3"
    assert rows["Adopted"] == "1 (33%)"
    assert rows["Contract value, adopted and procuring"] == "£125,000"
    assert rows["Private investment reported"] == "£250,000"
    assert rows["Impact reports overdue"] == "1"
    text = PdfReader(io.BytesIO(render_board_summary(summary))).pages[0].extract_text()
    assert "Adoption and impact" in text and "£125,000" in text
