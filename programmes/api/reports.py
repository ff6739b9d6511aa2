"""A programme's trials and their KPIs, as CSV and JSON for officers' own reporting."""

from __future__ import annotations

from collections import defaultdict

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.views import APIView

from core.exports import csv_response, json_response
from trials.models import Kpi, Trial

from ..portfolio import kpis_with_met
from ..selectors import officer_programme

TRIAL_COLUMNS = [
    "trial_id",
    "reference",
    "title",
    "start_up",
    "test_bed",
    "provider",
    "region",
    "sectors",
    "status",
    "first_day",
    "last_day",
    "trl_start",
    "trl_target",
    "trl_achieved",
    "recommendation",
]
KPI_COLUMNS = ["kpi", "unit", "baseline", "target", "direction", "latest", "met"]


def _trial_fields(trial: Trial) -> dict:
    return {
        "trial_id": trial.pk,
        "reference": trial.reference,
        "title": trial.title,
        "start_up": trial.organisation.name,
        "test_bed": trial.testbed.name,
        "provider": trial.testbed.organisation.name,
        "region": trial.testbed.get_region_display(),
        "sectors": "; ".join(s.name for s in trial.testbed.sectors.all()),
        "status": trial.status,
        "first_day": trial.booking.start,
        "last_day": trial.booking.last_day,
        "trl_start": trial.trl_start,
        "trl_target": trial.trl_target,
        "trl_achieved": trial.trl_achieved,
        "recommendation": trial.recommendation,
    }


def _kpi_fields(kpi: Kpi) -> dict:
    return {
        "kpi": kpi.name,
        "unit": kpi.unit,
        "baseline": kpi.baseline,
        "target": kpi.target,
        "direction": kpi.direction,
        "latest": kpi.latest,
        "met": None if kpi.met is None else bool(kpi.met),
    }


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
                base = [trial[c] for c in TRIAL_COLUMNS]
                for kpi in trial["kpis"] or [dict.fromkeys(KPI_COLUMNS)]:
                    yield base + [kpi[c] for c in KPI_COLUMNS]

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
