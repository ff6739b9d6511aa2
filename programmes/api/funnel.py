"""``programmes/{id}/funnel/``: the programme's funnel as data, with the filters of its page."""

from __future__ import annotations

from dataclasses import asdict

from django.urls import reverse
from django.utils.http import urlencode
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Region
from testbeds.models import SectorCode, TechnologyCode

from ..challenge_funnel import challenge_steps
from ..filters import FigureFilter, FigureFilterForm
from ..funnel import Step, programme_funnel
from ..selectors import officer_programme
from .serializers import FunnelSerializer


def _with_lists(steps: list[Step], base: str, params: dict) -> list[dict]:
    return [
        {**asdict(step), "list": f"{base}?{urlencode({'step': step.key, **params})}"}
        for step in steps
    ]


class ProgrammeFunnel(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="A programme's funnel: how far its trials got, overall and by region",
        description="The programme's trials requested in the period (all when no period is "
        "given) on test beds in the region, sector and technology asked for, and how many "
        "reached each step; conversion from the step before, median days between steps, "
        "the drop-outs, and the same by region. Officers of the programme only (404 "
        "otherwise).",
        parameters=[
            OpenApiParameter("period_start", str, description="YYYY-MM-DD, first day requested"),
            OpenApiParameter("period_end", str, description="YYYY-MM-DD, last day requested"),
            OpenApiParameter("region", str, enum=Region.values),
            OpenApiParameter("sector", str, enum=SectorCode.values),
            OpenApiParameter("technology", str, enum=TechnologyCode.values),
        ],
        responses=FunnelSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        programme = officer_programme(request.user, pk)
        form = FigureFilterForm(request.query_params)
        if not form.is_valid():
            raise serializers.ValidationError(
                {field: [str(e) for e in errors] for field, errors in form.errors.items()}
            )
        filters = form.to_filter()
        funnel = programme_funnel(programme, filters)
        base = reverse("programmes:trials", kwargs={"pk": programme.pk})
        params = filters.as_params()
        regional = {k: v for k, v in params.items() if k != "region"}
        data = {
            "programme": programme.pk,
            "filters": _filters(filters),
            "challenge_steps": _with_lists(
                challenge_steps(programme, filters),
                reverse("programmes:challenges", kwargs={"pk": programme.pk}),
                params,
            ),
            "steps": _with_lists(funnel.steps, base, params),
            "drop_outs": _with_lists(funnel.drop_outs, base, params),
            "regions": [
                {
                    "region": region.code,
                    "label": region.name,
                    "steps": _with_lists(region.steps, base, {"region": region.code, **regional}),
                    "drop_outs": _with_lists(
                        region.drop_outs, base, {"region": region.code, **regional}
                    ),
                }
                for region in funnel.regions
            ],
        }
        return Response(FunnelSerializer(data).data)


def _filters(filters: FigureFilter) -> dict:
    return {
        "period_start": filters.period_start,
        "period_end": filters.period_end,
        "region": filters.region,
        "sector": filters.sector,
        "technology": filters.technology,
    }
