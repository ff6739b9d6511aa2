"""A programme's trials and their KPIs, as CSV and JSON for officers' own reporting."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.views import APIView

from core.exports import csv_response, json_response
from trials.models import Kpi, Trial

from ..board import plain_number, yes_no
from ..portfolio import kpis_with_met
from ..selectors import officer_programme

# Human labels in the named columns, the codes for machines in the *_code columns beside them.
TRIAL_COLUMNS = [
    "trial_id",
    "reference",
    "title",
    "start_up",
    "test_bed",
    "provider",
    "region",
    "region_code",
    "sectors",
    "sector_codes",
    "status",
    "status_code",
    "first_day",
    "last_day",
    "trl_start",
    "trl_target",
    "trl_achieved",
    "recommendation",
    "recommendation_code",
]
KPI_COLUMNS = [
    "kpi",
    "unit",
    "baseline",
    "target",
    "direction",
    "direction_code",
    "latest",
    "met",
]


def _trial_fields(trial: Trial) -> dict:
    """The trial as JSON carries it: codes, with their labels beside them."""
    sectors = list(trial.testbed.sectors.all())
    return {
        "trial_id": trial.pk,
        "reference": trial.reference,
        "title": trial.title,
        "start_up": trial.organisation.name,
        "test_bed": trial.testbed.name,
        "provider": trial.testbed.organisation.name,
        "region": trial.testbed.region,
        "region_label": str(trial.testbed.get_region_display()),
        "sectors": [sector.code for sector in sectors],
        "sector_labels": [str(sector.name) for sector in sectors],
        "status": trial.status,
        "status_label": str(trial.get_status_display()),
        "first_day": trial.booking.start,
        "last_day": trial.booking.last_day,
        "trl_start": trial.trl_start,
        "trl_target": trial.trl_target,
        "trl_achieved": trial.trl_achieved,
        "recommendation": trial.recommendation,
        "recommendation_label": str(trial.get_recommendation_display())
        if trial.recommendation
        else "",
    }


def _kpi_fields(kpi: Kpi) -> dict:
    return {
        "kpi": kpi.name,
        "unit": kpi.unit,
        "baseline": plain_number(kpi.baseline),
        "target": plain_number(kpi.target),
        "direction": kpi.direction,
        "direction_label": str(kpi.get_direction_display()),
        "latest": None if kpi.latest is None else plain_number(kpi.latest),
        "met": None if kpi.met is None else bool(kpi.met),
    }


def csv_trial_cells(trial: dict) -> list:
    """A trial's CSV cells: labels for people, codes beside them, Yes/No, plain numbers."""
    return [
        trial["trial_id"],
        trial["reference"],
        trial["title"],
        trial["start_up"],
        trial["test_bed"],
        trial["provider"],
        trial["region_label"],
        trial["region"],
        "; ".join(trial["sector_labels"]),
        "; ".join(trial["sectors"]),
        trial["status_label"],
        trial["status"],
        trial["first_day"],
        trial["last_day"],
        trial["trl_start"],
        trial["trl_target"],
        trial["trl_achieved"],
        trial["recommendation_label"],
        trial["recommendation"],
    ]


def _number_cell(text: str | None) -> Decimal | str:
    """A number as written (``"-3"`` → -3): a number cell, so a minus sign is not taken for
    a formula and quoted."""
    return Decimal(text) if text else ""


def csv_kpi_cells(kpi: dict | None) -> list:
    if kpi is None:
        return [""] * len(KPI_COLUMNS)
    return [
        kpi["kpi"],
        kpi["unit"],
        _number_cell(kpi["baseline"]),
        _number_cell(kpi["target"]),
        kpi["direction_label"],
        kpi["direction"],
        _number_cell(kpi["latest"]),
        yes_no(kpi["met"]),
    ]


def programme_report(programme) -> list[dict]:
    """Each trial of the programme with its KPIs, in three queries."""
    trials = list(
        Trial.objects.filter(programme=programme)
        .select_related("organisation", "testbed__organisation", "booking")
        .prefetch_related("testbed__sectors")
        .order_by("pk")
    )
    kpis = defaultdict(list)
    for kpi in kpis_with_met(Kpi.objects.filter(trial__programme=programme)).order_by(
        "trial", "position", "pk"
    ):
        kpis[kpi.trial_id].append(_kpi_fields(kpi))
    return [{**_trial_fields(trial), "kpis": kpis[trial.pk]} for trial in trials]


class ProgrammeReportCsv(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="A programme's trials and KPIs as CSV (one row per KPI)",
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY),
            404: OpenApiResponse(description="Not found"),
        },
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        programme = officer_programme(request.user, pk)

        def rows():
            for trial in programme_report(programme):
                base = csv_trial_cells(trial)
                for kpi in trial["kpis"] or [None]:
                    yield base + csv_kpi_cells(kpi)

        return csv_response(
            f"programme-{programme.pk}-trials", TRIAL_COLUMNS + KPI_COLUMNS, list(rows())
        )


class ProgrammeReportJson(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="A programme's trials and KPIs as JSON",
        responses={
            (200, "application/json"): OpenApiResponse(OpenApiTypes.OBJECT),
            404: OpenApiResponse(description="Not found"),
        },
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        programme = officer_programme(request.user, pk)
        data = {
            "programme": {"id": programme.pk, "name": programme.name, "team": programme.team.name},
            "trials": programme_report(programme),
        }
        return json_response(f"programme-{programme.pk}-trials", data)
