"""The board summary of a programme: one set of content, rendered as a one-page PDF
(``programmes.pdf``) and as an accessible HTML page (``programmes/board_summary.html``).

Both are built from the same ``BoardSummary`` so they always say the same thing: the
headline figures, the trials by name with their status, recommendation and KPIs met, the
stop / adapt / scale recommendations counted, and the breakdowns by status, region, sector
and readiness level.

Decision (issue 22 was silent): the summary names at most ``TRIALS_SHOWN`` trials, those with
an outcome first (accepted, then submitted, …), newest first within each status, so that it
still fits on one A4 page; the rest are counted and the CSV report lists them all.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Programme
from adoption.selectors import programme_adoption
from core.bilingual import text_in
from core.text import plain_number  # noqa: F401 (the CSV report reads it from here)
from trials.models import Kpi, Recommendation, Trial, TrialStatus

from . import portfolio

TRIALS_SHOWN = 10

# Trials with an outcome come first on the board summary.
STATUS_ORDER = [
    TrialStatus.ACCEPTED,
    TrialStatus.SUBMITTED,
    TrialStatus.CHANGES_REQUESTED,
    TrialStatus.COMPLETED,
    TrialStatus.ACTIVE,
    TrialStatus.APPROVED,
    TrialStatus.REQUESTED,
    TrialStatus.CANCELLED,
    TrialStatus.WITHDRAWN,
    TrialStatus.DECLINED,
]


def yes_no(value: bool | int | None) -> str:
    """``Yes`` / ``No`` in the reader's language; ``""`` when unknown."""
    if value is None:
        return ""
    return _("Yes") if value else _("No")


@dataclass(frozen=True)
class BoardTrial:
    reference: str
    title: str
    startup: str
    testbed: str
    status: str  # label
    status_code: str
    recommendation: str  # label, "" when none
    recommendation_code: str
    kpis: int
    kpis_met: int
    url: str


@dataclass(frozen=True)
class BoardSummary:
    programme_name: str
    team_name: str
    programme_id: int
    generated_at: datetime.datetime
    filters_text: str
    figures: portfolio.ProgrammeFigures
    trials: tuple[BoardTrial, ...]
    trials_not_shown: int
    recommendations: tuple[tuple[str, str, int], ...]  # (code, label, trials)
    no_recommendation: int
    adoption_rows: tuple[tuple[str, str], ...] = ()  # what accepted trials led to

    @property
    def kpi_share_text(self) -> str:
        success = self.figures.kpi_success
        share = "–" if success.share is None else f"{success.share * 100:.0f}%"
        return f"{share} ({success.met}/{success.kpis})"

    @property
    def median_decision_text(self) -> str:
        value = self.figures.median_days_to_decision
        return "–" if value is None else plain_number(value)

    @property
    def median_acceptance_text(self) -> str:
        value = self.figures.median_days_to_acceptance
        return "–" if value is None else plain_number(value)

    @property
    def status_rows(self) -> list[tuple[str, int]]:
        return [(label, n) for _code, label, n in self.figures.by_status if n]

    @property
    def trl_rows(self) -> list[tuple[str, str]]:
        trl = self.figures.trl
        rows = [
            (_("Trials with start and achieved TRL"), str(trl.trials)),
            (
                _("Average TRL at start"),
                "–" if trl.average_start is None else f"{trl.average_start:.1f}",
            ),
            (
                _("Average TRL achieved"),
                "–" if trl.average_achieved is None else f"{trl.average_achieved:.1f}",
            ),
        ]
        rows += [
            (_("Gained %(n)s level(s)") % {"n": gain}, str(n))
            for gain, n in sorted(trl.gains.items())
        ]
        return rows


def _trials_shown(trials) -> tuple[list[Trial], int]:
    order = Case(
        *[When(status=code, then=Value(rank)) for rank, code in enumerate(STATUS_ORDER)],
        default=Value(len(STATUS_ORDER)),
        output_field=IntegerField(),
    )
    queryset = (
        Trial.objects.filter(pk__in=trials.values("pk"))
        .select_related("organisation", "testbed")
        .annotate(rank=order)
        .order_by("rank", "-status_changed_at", "-pk")
    )
    shown = list(queryset[:TRIALS_SHOWN])
    return shown, max(trials.count() - len(shown), 0)


def _kpis_met(trial_ids: list[int]) -> dict[int, tuple[int, int]]:
    totals: dict[int, tuple[int, int]] = {}
    rows = (
        portfolio.kpis_with_met(Kpi.objects.filter(trial_id__in=trial_ids))
        .values("trial_id", "met")
        .order_by()
    )
    for row in rows:
        kpis, met = totals.get(row["trial_id"], (0, 0))
        totals[row["trial_id"]] = (kpis + 1, met + (1 if row["met"] == 1 else 0))
    return totals


def _recommendations(trials) -> tuple[tuple[tuple[str, str, int], ...], int]:
    counts = dict(
        Trial.objects.filter(pk__in=trials.values("pk"))
        .values("recommendation")
        .annotate(n=Count("pk"))
        .values_list("recommendation", "n")
        .order_by()
    )
    rows = tuple((code, str(label), counts.get(code, 0)) for code, label in Recommendation.choices)
    return rows, counts.get("", 0)


def _pounds(value) -> str:
    return f"£{value:,.0f}"


def _adoption_rows(trials) -> tuple[tuple[str, str], ...]:
    """Accepted → decided → adopted, money reported and impact reports overdue (issue 16):
    adoption.selectors' figures, never written into the evidence packs themselves."""
    figures = programme_adoption(trials)
    rate = figures["adopted_rate"]
    return (
        (_("Trials with evidence accepted"), str(figures["accepted"])),
        (_("Adoption decided"), str(figures["decided"])),
        (
            _("Adopted"),
            f"{figures['adopted']}" + ("" if rate is None else f" ({rate * 100:.0f}%)"),
        ),
        (_("Procuring"), str(figures["procuring"])),
        (_("Not adopted"), str(figures["not_adopted"])),
        (_("Contract value, adopted and procuring"), _pounds(figures["contract_value"])),
        (_("Private investment reported"), _pounds(figures["reports"]["investment"])),
        (_("Impact reports overdue"), str(figures["reports"]["overdue"])),
    )


def board_summary(
    programme: Programme,
    filters: portfolio.PortfolioFilter,
    filters_text: str,
    *,
    generated_at: datetime.datetime | None = None,
) -> BoardSummary:
    """What the board sees, in a fixed number of queries whatever the number of trials."""
    trials = portfolio.programme_trials(programme, filters)
    shown, not_shown = _trials_shown(trials)
    met = _kpis_met([trial.pk for trial in shown])
    recommendations, none_given = _recommendations(trials)
    return BoardSummary(
        programme_name=programme.name,
        team_name=programme.team.name,
        programme_id=programme.pk,
        generated_at=generated_at or timezone.now(),
        filters_text=filters_text,
        figures=portfolio.programme_figures(programme, filters),
        trials=tuple(
            BoardTrial(
                reference=trial.reference,
                title=trial.title,
                startup=trial.organisation.name,
                testbed=text_in(trial.testbed.name, trial.testbed.name_cy),
                status=str(trial.get_status_display()),
                status_code=trial.status,
                recommendation=str(trial.get_recommendation_display())
                if trial.recommendation
                else "",
                recommendation_code=trial.recommendation,
                kpis=met.get(trial.pk, (0, 0))[0],
                kpis_met=met.get(trial.pk, (0, 0))[1],
                url=trial.get_absolute_url(),
            )
            for trial in shown
        ),
        trials_not_shown=not_shown,
        recommendations=recommendations,
        no_recommendation=none_given,
        adoption_rows=_adoption_rows(trials),
    )
